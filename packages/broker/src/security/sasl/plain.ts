import type { CredentialStore } from '../credentials.js'
import { digest, hmac, saltedPassword, sameKey, type ScramMechanism } from '../scram.js'
import { EMPTY_TOKEN, SaslAuthenticationError, type SaslExchange, type SaslStep } from './exchange.js'

/**
 * SASL/PLAIN (RFC 4616): one token "authzid NUL authcid NUL password". The password is checked against the
 * user's stored SCRAM credential (SCRAM-SHA-512 first, then SCRAM-SHA-256) by recomputing StoredKey, so the
 * broker never stores a password for PLAIN either. An authzid must be empty or the user name (as in Kafka).
 */
const INVALID = 'Authentication failed: Invalid username or password'
const DUMMY_SALT = Buffer.alloc(24, 7)

export class PlainExchange implements SaslExchange {
  readonly mechanism = 'PLAIN'
  username: string | undefined
  private used = false

  constructor (private readonly credentials: CredentialStore) {}

  async step (token: Buffer): Promise<SaslStep> {
    if (this.used) throw new SaslAuthenticationError('Authentication failed: unexpected SASL/PLAIN token', 'PLAIN token after completion')
    this.used = true
    const parts = token.toString('utf8').split('\u0000')
    if (parts.length !== 3) throw new SaslAuthenticationError(`Invalid SASL/PLAIN response: expected 3 tokens, got ${parts.length}`, 'malformed PLAIN token')
    const [authzid, user, password] = parts as [string, string, string]
    if (user === '') throw new SaslAuthenticationError('Authentication failed: username not specified', 'empty user name')
    if (password === '') throw new SaslAuthenticationError('Authentication failed: password not specified', 'empty password', user)
    if (authzid !== '' && authzid !== user) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username', 'authorization id differs from user name', user)
    }
    this.credentials.refresh()
    const verdict = await verifyPassword(this.credentials, user, password)
    if (verdict !== 'ok') throw new SaslAuthenticationError(INVALID, verdict, user)
    this.username = user
    return { response: EMPTY_TOKEN, done: true }
  }
}

async function verifyPassword (credentials: CredentialStore, user: string, password: string): Promise<'ok' | 'unknown user' | 'wrong password'> {
  for (const mechanism of ['SCRAM-SHA-512', 'SCRAM-SHA-256'] satisfies ScramMechanism[]) {
    const credential = credentials.get(user, mechanism)
    if (credential === undefined) continue
    const salted = await saltedPassword(mechanism, password, credential.salt, credential.iterations)
    return sameKey(digest(mechanism, hmac(mechanism, salted, 'Client Key')), credential.storedKey) ? 'ok' : 'wrong password'
  }
  await saltedPassword('SCRAM-SHA-512', password, DUMMY_SALT, 4096) // same cost as a real check: no timing oracle for user names
  return 'unknown user'
}
