import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * SCRAM key derivation (RFC 5802 §3, RFC 7677), shared by the broker (verification), the credential store
 * and the CLI (which sends salted passwords, never passwords, in AlterUserScramCredentials):
 *   SaltedPassword = PBKDF2-HMAC-H(password, salt, i)    ClientKey = HMAC(SaltedPassword, "Client Key")
 *   StoredKey = H(ClientKey)                            ServerKey = HMAC(SaltedPassword, "Server Key")
 * Kafka's mechanism codes: 1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512; iterations must lie in [4096, 16384]. Passwords are
 * used as UTF-8 bytes without SASLprep, as Kafka and its clients do.
 */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512'

export const SCRAM: Readonly<Record<ScramMechanism, { code: number, hash: 'sha256' | 'sha512', keyLength: number }>> = {
  'SCRAM-SHA-256': { code: 1, hash: 'sha256', keyLength: 32 },
  'SCRAM-SHA-512': { code: 2, hash: 'sha512', keyLength: 64 }
}
export const SCRAM_MIN_ITERATIONS = 4096
export const SCRAM_MAX_ITERATIONS = 16384
export const DEFAULT_SCRAM_ITERATIONS = 8192

export function scramMechanismOf (code: number): ScramMechanism | undefined {
  return (Object.keys(SCRAM) as ScramMechanism[]).find((name) => SCRAM[name].code === code)
}

export function isScramMechanism (name: string): name is ScramMechanism {
  return name === 'SCRAM-SHA-256' || name === 'SCRAM-SHA-512'
}

/** What the broker stores per user and mechanism: enough to verify a proof and sign, not to log in. */
export interface ScramCredential {
  salt: Buffer
  storedKey: Buffer
  serverKey: Buffer
  iterations: number
}

export const hmac = (mechanism: ScramMechanism, key: Buffer, data: string | Buffer): Buffer => createHmac(SCRAM[mechanism].hash, key).update(data).digest()
export const digest = (mechanism: ScramMechanism, data: Buffer): Buffer => createHash(SCRAM[mechanism].hash).update(data).digest()

export function saltedPasswordSync (mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, SCRAM[mechanism].keyLength, SCRAM[mechanism].hash)
}

/** PBKDF2 off the event loop: a login must not stall other connections. */
export function saltedPassword (mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, SCRAM[mechanism].keyLength, SCRAM[mechanism].hash, (error, key) => {
      if (error !== null) reject(error)
      else resolve(key)
    })
  })
}

export function credentialFromSaltedPassword (mechanism: ScramMechanism, salt: Buffer, salted: Buffer, iterations: number): ScramCredential {
  return {
    salt,
    storedKey: digest(mechanism, hmac(mechanism, salted, 'Client Key')),
    serverKey: hmac(mechanism, salted, 'Server Key'),
    iterations
  }
}

export function newCredential (mechanism: ScramMechanism, password: string, iterations = DEFAULT_SCRAM_ITERATIONS): ScramCredential {
  const salt = randomBytes(24)
  return credentialFromSaltedPassword(mechanism, salt, saltedPasswordSync(mechanism, password, salt, iterations), iterations)
}

/** Constant-time comparison of a candidate StoredKey with the stored one. */
export function sameKey (a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Client side of the proof, for the CLI and tests: ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage). */
export function clientProof (mechanism: ScramMechanism, salted: Buffer, authMessage: string): Buffer {
  const clientKey = hmac(mechanism, salted, 'Client Key')
  const signature = hmac(mechanism, digest(mechanism, clientKey), authMessage)
  return xor(clientKey, signature)
}

export function xor (a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!
  return out
}
