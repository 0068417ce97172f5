/**
 * Field-level encryption: AES-256-GCM (node:crypto) of one string field, written in place of the value as
 *
 *   ENC:AES256GCM:<key id>:<base64url(nonce[12] ‖ ciphertext ‖ tag[16])>
 *
 * The key id says which key of the key provider decrypts it (keys rotate; old ones stay for reading). The additional
 * authenticated data binds the ciphertext to the key id and the field's name, so a ciphertext copied into another
 * field, or relabelled with another key id, fails to decrypt. (The field's *name*, not its full name: the same field
 * can move between schemas, namespaces or formats and stay readable.)
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

export const ENVELOPE_PREFIX = 'ENC:AES256GCM:'
export const KEY_BYTES = 32
const NONCE_BYTES = 12
const TAG_BYTES = 16
const KEY_ID = /^[A-Za-z0-9._-]{1,128}$/

export interface DataKey { id: string, key: Buffer }

export function isValidKeyId (id: string): boolean {
  return KEY_ID.test(id)
}

function aad (keyId: string, field: string): Buffer {
  return Buffer.from(`samsa-fle/v1\n${keyId}\n${field}`, 'utf8')
}

export function encryptField (plaintext: string, key: DataKey, field: string, nonce: Buffer = randomBytes(NONCE_BYTES)): string {
  if (key.key.length !== KEY_BYTES) throw new Error(`key ${key.id} has ${key.key.length} bytes; AES-256 needs ${KEY_BYTES}`)
  if (!isValidKeyId(key.id)) throw new Error(`invalid key id '${key.id}' (letters, digits, '.', '_', '-')`)
  if (nonce.length !== NONCE_BYTES) throw new Error(`the GCM nonce must be ${NONCE_BYTES} bytes`)
  const cipher = createCipheriv('aes-256-gcm', key.key, nonce)
  cipher.setAAD(aad(key.id, field))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return `${ENVELOPE_PREFIX}${key.id}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`
}

export interface Envelope { keyId: string, nonce: Buffer, ciphertext: Buffer, tag: Buffer }

/** The parts of an envelope, or undefined when the value is not one (plaintext, a token, a masked value). */
export function parseEnvelope (value: string): Envelope | undefined {
  if (!value.startsWith(ENVELOPE_PREFIX)) return undefined
  const rest = value.slice(ENVELOPE_PREFIX.length)
  const colon = rest.indexOf(':')
  if (colon < 0) return undefined
  const keyId = rest.slice(0, colon)
  const encoded = rest.slice(colon + 1)
  if (!isValidKeyId(keyId) || !/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined
  const bytes = Buffer.from(encoded, 'base64url')
  if (bytes.length < NONCE_BYTES + TAG_BYTES) return undefined
  return { keyId, nonce: bytes.subarray(0, NONCE_BYTES), ciphertext: bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES), tag: bytes.subarray(bytes.length - TAG_BYTES) }
}

/** Decrypts an envelope; throws when the key is wrong or anything (ciphertext, key id, field) was altered. */
export function decryptField (envelope: Envelope, key: Buffer, field: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, envelope.nonce)
  decipher.setAAD(aad(envelope.keyId, field))
  decipher.setAuthTag(envelope.tag)
  return Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]).toString('utf8')
}
