import { randomBytes } from 'node:crypto'
import { SCRAM, clientProof, hmac, saltedPasswordSync, type ScramMechanism } from '../scram.js'
import { encodeSaslName } from './scram-server.js'

/**
 * The client side of the SASL mechanisms, for samsa's own tools (the CLI's --bootstrap commands) and tests:
 * `next(serverToken)` returns the next client token, or null when the exchange is complete. Throws when the
 * server's answer is malformed or its signature is wrong (a server that does not know the password).
 */
export interface SaslClient {
  readonly mechanism: string
  first: () => Buffer
  next: (serverToken: Buffer) => Buffer | null
}

export function plainClient (user: string, password: string): SaslClient {
  return {
    mechanism: 'PLAIN',
    first: () => Buffer.from(`\u0000${user}\u0000${password}`, 'utf8'),
    next: () => null
  }
}

export function scramClient (mechanism: ScramMechanism, user: string, password: string, nonce = randomBytes(18).toString('base64')): SaslClient {
  const clientFirstBare = `n=${encodeSaslName(user)},r=${nonce}`
  let state: 'first' | 'final' | 'done' = 'first'
  let expectedSignature: Buffer | undefined
  return {
    mechanism,
    first: () => Buffer.from(`n,,${clientFirstBare}`, 'utf8'),
    next (serverToken: Buffer): Buffer | null {
      const text = serverToken.toString('utf8')
      const fields = new Map(text.split(',').map((part) => [part.slice(0, 1), part.slice(2)]))
      if (state === 'first') {
        const serverNonce = fields.get('r') ?? ''
        const salt = Buffer.from(fields.get('s') ?? '', 'base64')
        const iterations = Number(fields.get('i'))
        if (!serverNonce.startsWith(nonce) || salt.length === 0 || !Number.isInteger(iterations)) throw new Error(`invalid SCRAM server-first message: ${text}`)
        const withoutProof = `c=biws,r=${serverNonce}`
        const authMessage = `${clientFirstBare},${text},${withoutProof}`
        const salted = saltedPasswordSync(mechanism, password, salt, iterations)
        expectedSignature = hmac(mechanism, hmac(mechanism, salted, 'Server Key'), authMessage)
        state = 'final'
        return Buffer.from(`${withoutProof},p=${clientProof(mechanism, salted, authMessage).toString('base64')}`, 'utf8')
      }
      if (state === 'final') {
        state = 'done'
        const signature = Buffer.from(fields.get('v') ?? '', 'base64')
        if (signature.length !== SCRAM[mechanism].keyLength || !signature.equals(expectedSignature!)) throw new Error('SCRAM server signature does not verify')
        return null
      }
      throw new Error('SCRAM exchange already complete')
    }
  }
}

export function saslClient (mechanism: string, user: string, password: string): SaslClient {
  if (mechanism === 'PLAIN') return plainClient(user, password)
  if (mechanism === 'SCRAM-SHA-256' || mechanism === 'SCRAM-SHA-512') return scramClient(mechanism, user, password)
  throw new Error(`unsupported SASL mechanism ${mechanism} (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`)
}
