/**
 * Key providers for field-level encryption. A provider hands out the key to encrypt with now and finds keys by id
 * for decryption; holding the key is what makes a reader "authorized". Anything can be a provider (a KMS client, a
 * vault); the default is a local keyring file:
 *
 *   { "version": 1, "current": "k-20261101-0a1b2c", "keys": [ { "id": "k-20261101-0a1b2c", "key": "<base64, 32 bytes>",
 *     "createdAt": "2026-11-01T09:00:00.000Z" } ] }
 *
 * Rotation adds a key and makes it current; older keys stay so older messages still decrypt. Deleting a key from the
 * file makes what it encrypted unreadable (crypto-shredding). The file must not be readable by group or others
 * (like ssh keys); it is written atomically with mode 0600. A running process notices rotations: it re-reads the
 * file when it changed (checked at most every `refreshMs`) and when asked for a key id it does not know.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { KEY_BYTES, isValidKeyId, type DataKey } from './envelope.js'

export interface KeyProvider {
  /** The key new values are encrypted with. */
  encryptionKey: () => DataKey | Promise<DataKey>
  /** The key with this id, or undefined when this provider does not hold it (the reader is not authorized). */
  decryptionKey: (id: string) => Buffer | undefined | Promise<Buffer | undefined>
}

interface KeyringFile { version: 1, current: string, keys: Array<{ id: string, key: string, createdAt?: string }> }

export class KeyringError extends Error {
  readonly code = 'SAMSA_REGISTRY_KEYRING'
  constructor (message: string) {
    super(message)
    this.name = 'KeyringError'
  }
}

function parseKeyring (text: string, source: string): { current: string, keys: Map<string, Buffer> } {
  let raw: KeyringFile
  try {
    raw = JSON.parse(text) as KeyringFile
  } catch (error) {
    throw new KeyringError(`${source}: not JSON (${(error as Error).message})`)
  }
  if (raw === null || typeof raw !== 'object' || !Array.isArray(raw.keys)) throw new KeyringError(`${source}: expected {"version":1,"current":…,"keys":[…]}`)
  const keys = new Map<string, Buffer>()
  for (const entry of raw.keys) {
    if (typeof entry?.id !== 'string' || !isValidKeyId(entry.id)) throw new KeyringError(`${source}: invalid key id ${JSON.stringify(entry?.id)}`)
    const key = Buffer.from(String(entry.key), 'base64')
    if (key.length !== KEY_BYTES) throw new KeyringError(`${source}: key ${entry.id} is ${key.length} bytes, AES-256 needs ${KEY_BYTES}`)
    if (keys.has(entry.id)) throw new KeyringError(`${source}: key id ${entry.id} appears twice`)
    keys.set(entry.id, key)
  }
  if (typeof raw.current !== 'string' || !keys.has(raw.current)) throw new KeyringError(`${source}: "current" must name one of the keys`)
  return { current: raw.current, keys }
}

export interface LocalKeyringOptions {
  /** Accept a file readable by group/others (default false: refused). */
  allowInsecurePermissions?: boolean
  /** How often to check the file for changes (default 30 s). */
  refreshMs?: number
}

export class LocalKeyring implements KeyProvider {
  private current = ''
  private keys = new Map<string, Buffer>()
  private version = ''
  private checkedAt = 0

  private constructor (readonly path: string | undefined, private readonly options: LocalKeyringOptions) {}

  /** Loads a keyring file (see the module comment for its format). */
  static load (path: string, options: LocalKeyringOptions = {}): LocalKeyring {
    const ring = new LocalKeyring(path, options)
    ring.reload(true)
    return ring
  }

  /** An in-memory keyring (tests, or keys fetched from elsewhere). */
  static fromKeys (keys: DataKey[], current: string): LocalKeyring {
    const ring = new LocalKeyring(undefined, {})
    const json: KeyringFile = { version: 1, current, keys: keys.map((k) => ({ id: k.id, key: k.key.toString('base64') })) }
    const parsed = parseKeyring(JSON.stringify(json), 'keyring')
    ring.current = parsed.current
    ring.keys = parsed.keys
    return ring
  }

  get currentKeyId (): string { return this.current }
  get keyIds (): string[] { return [...this.keys.keys()] }

  private reload (force: boolean): void {
    if (this.path === undefined) return
    this.checkedAt = Date.now()
    const stat = statSync(this.path)
    // Rotation replaces the file (rename): a new inode, so the check holds even within one mtime tick.
    const version = `${stat.ino}/${stat.size}/${stat.mtimeMs}`
    if (!force && version === this.version) return
    if ((stat.mode & 0o077) !== 0 && this.options.allowInsecurePermissions !== true) {
      throw new KeyringError(`${this.path} is readable by group or others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`)
    }
    const parsed = parseKeyring(readFileSync(this.path, 'utf8'), this.path)
    this.current = parsed.current
    this.keys = parsed.keys
    this.version = version
  }

  private maybeReload (): void {
    if (this.path !== undefined && Date.now() - this.checkedAt >= (this.options.refreshMs ?? 30_000)) this.reload(false)
  }

  encryptionKey (): DataKey {
    this.maybeReload()
    return { id: this.current, key: this.keys.get(this.current) as Buffer }
  }

  decryptionKey (id: string): Buffer | undefined {
    this.maybeReload()
    let key = this.keys.get(id)
    // A key we do not know may have been added by a rotation since the last check (at most one re-read a second).
    if (key === undefined && this.path !== undefined && Date.now() - this.checkedAt >= 1_000) {
      this.reload(false)
      key = this.keys.get(id)
    }
    return key
  }
}

function newKeyId (): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)
  return `k-${stamp}-${randomBytes(3).toString('hex')}`
}

function writeKeyring (path: string, file: KeyringFile): void {
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
  renameSync(temp, path)
}

/** Creates a keyring file with one fresh random key; refuses to overwrite an existing file. */
export function createKeyring (path: string, options: { keyId?: string } = {}): { current: string } {
  const id = options.keyId ?? newKeyId()
  if (!isValidKeyId(id)) throw new KeyringError(`invalid key id '${id}'`)
  const file: KeyringFile = { version: 1, current: id, keys: [{ id, key: randomBytes(KEY_BYTES).toString('base64'), createdAt: new Date().toISOString() }] }
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
  return { current: id }
}

/** Adds a fresh key and makes it current; the previous keys stay for decryption. */
export function rotateKeyring (path: string, options: { keyId?: string } = {}): { previous: string, current: string } {
  const text = readFileSync(path, 'utf8')
  const parsed = parseKeyring(text, path)
  const raw = JSON.parse(text) as KeyringFile
  const id = options.keyId ?? newKeyId()
  if (!isValidKeyId(id) || parsed.keys.has(id)) throw new KeyringError(`invalid or existing key id '${id}'`)
  raw.keys.push({ id, key: randomBytes(KEY_BYTES).toString('base64'), createdAt: new Date().toISOString() })
  const previous = raw.current
  raw.current = id
  writeKeyring(path, raw)
  return { previous, current: id }
}
