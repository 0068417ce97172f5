import { randomBytes } from 'node:crypto'
import type { CredentialStore } from '../credentials.js'
import { DEFAULT_SCRAM_ITERATIONS, SCRAM, digest, hmac, sameKey, xor, type ScramCredential, type ScramMechanism } from '../scram.js'
import { SaslAuthenticationError, type SaslExchange, type SaslStep } from './exchange.js'

/**
 * Server side of SCRAM-SHA-256/512 (RFC 5802, RFC 7677) as Kafka runs it: no channel binding (gs2 flag n or y),
 * optional authzid equal to the user name, extensions accepted except tokenauth (no delegation tokens).
 *   client-first  n,,n=<user>,r=<cnonce>         server-first  r=<cnonce+snonce>,s=<salt>,i=<iterations>
 *   client-final  c=biws,r=<nonce>,p=<proof>     server-final  v=<server signature>
 * An unknown user gets a made-up salt (stable per user name) and fails only at the proof, exactly like a wrong
 * password, so the exchange does not reveal which user names exist.
 */
export class ScramExchange implements SaslExchange {
  username: string | undefined
  private state: 'first' | 'final' | 'done' = 'first'
  private gs2Header = ''
  private clientFirstBare = ''
  private serverFirst = ''
  private nonce = ''
  private user = ''
  private credential: ScramCredential | undefined
  private known = false

  constructor (readonly mechanism: ScramMechanism, private readonly credentials: CredentialStore, private readonly fakeSecret: Buffer) {}

  async step (token: Buffer): Promise<SaslStep> {
    const text = token.toString('utf8')
    if (this.state === 'first') return this.first(text)
    if (this.state === 'final') return this.final(text)
    throw this.failure('Authentication failed: unexpected SCRAM message after completion', 'SCRAM token after completion')
  }

  private first (text: string): SaslStep {
    const match = /^([nyp][^,]*),(a=[^,]*)?,(.*)$/s.exec(text)
    if (match === null) throw this.failure('Invalid SCRAM client first message', 'malformed client-first message')
    if (match[1]!.startsWith('p')) throw this.failure('Authentication failed: channel binding is not supported', 'client asked for channel binding')
    if (match[1] !== 'n' && match[1] !== 'y') throw this.failure('Invalid SCRAM client first message', 'malformed gs2 header')
    const bare = match[3]!
    const attributes = bare.split(',')
    const user = attributes[0]?.startsWith('n=') === true ? decodeSaslName(attributes[0].slice(2)) : null
    const clientNonce = attributes[1]?.startsWith('r=') === true ? attributes[1].slice(2) : ''
    if (user === null || user === '' || clientNonce === '' || !/^[\x21-\x7e]+$/.test(clientNonce)) throw this.failure('Invalid SCRAM client first message', 'malformed client-first message')
    this.user = user
    for (const extension of attributes.slice(2)) {
      if (!/^[A-Za-z0-9]+=/.test(extension)) throw this.failure('Invalid SCRAM client first message', 'malformed SCRAM extension')
      if (extension.toLowerCase() === 'tokenauth=true') throw this.failure('Authentication failed: delegation tokens are not supported', 'delegation token requested')
    }
    if (match[2] !== undefined && decodeSaslName(match[2].slice(2)) !== user) {
      throw this.failure('Authentication failed: Client requested an authorization id that is different from username', 'authorization id differs from user name')
    }
    this.credentials.refresh()
    const stored = this.credentials.get(user, this.mechanism)
    this.known = stored !== undefined
    this.credential = stored ?? this.fakeCredential(user)
    this.gs2Header = text.slice(0, text.length - bare.length)
    this.clientFirstBare = bare
    this.nonce = clientNonce + randomBytes(18).toString('base64')
    this.serverFirst = `r=${this.nonce},s=${this.credential.salt.toString('base64')},i=${this.credential.iterations}`
    this.state = 'final'
    return { response: Buffer.from(this.serverFirst, 'utf8'), done: false }
  }

  private final (text: string): SaslStep {
    this.state = 'done'
    const proofAt = text.lastIndexOf(',p=')
    if (proofAt < 0) throw this.failure('Invalid SCRAM client final message', 'client-final message without proof')
    const withoutProof = text.slice(0, proofAt)
    const [binding, nonce] = withoutProof.split(',')
    if (binding !== `c=${Buffer.from(this.gs2Header, 'utf8').toString('base64')}`) throw this.failure('Invalid SCRAM client final message', 'channel binding does not match the gs2 header')
    // endsWith, as Kafka: librdkafka sends its client nonce followed by the whole server nonce (which already
    // starts with the client nonce). The full server nonce is still required, so replays fail.
    if (nonce?.startsWith('r=') !== true || !nonce.endsWith(this.nonce)) throw this.failure('Invalid SCRAM client final message', 'nonce does not match')
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64')
    const credential = this.credential!
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`
    const valid = proof.length === SCRAM[this.mechanism].keyLength &&
      sameKey(digest(this.mechanism, xor(proof, hmac(this.mechanism, credential.storedKey, authMessage))), credential.storedKey)
    if (!valid || !this.known) {
      throw this.failure(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`, this.known ? 'wrong password' : 'unknown user')
    }
    this.username = this.user
    return { response: Buffer.from(`v=${hmac(this.mechanism, credential.serverKey, authMessage).toString('base64')}`, 'utf8'), done: true }
  }

  private fakeCredential (user: string): ScramCredential {
    const seed = hmac(this.mechanism, this.fakeSecret, user)
    return { salt: seed.subarray(0, 24), storedKey: digest(this.mechanism, seed), serverKey: seed, iterations: DEFAULT_SCRAM_ITERATIONS }
  }

  private failure (clientMessage: string, reason: string): SaslAuthenticationError {
    this.state = 'done'
    return new SaslAuthenticationError(clientMessage, reason, this.user === '' ? undefined : this.user)
  }
}

/** RFC 5802 saslname: "=2C" is ",", "=3D" is "="; any other "=" is invalid (null). */
export function decodeSaslName (encoded: string): string | null {
  if (/=(?!2C|3D)/.test(encoded)) return null
  return encoded.replaceAll('=2C', ',').replaceAll('=3D', '=')
}

export function encodeSaslName (name: string): string {
  return name.replaceAll('=', '=3D').replaceAll(',', '=2C')
}
