import { join } from 'node:path'
import { fileStamp, readJsonFile, writeJsonFile } from './json-file.js'
import { isScramMechanism, type ScramCredential, type ScramMechanism } from './scram.js'

/**
 * User credentials in <data>/security/credentials.json: per user and SCRAM mechanism the salt, iteration count,
 * StoredKey and ServerKey (base64) — never a password. PLAIN logins are checked against these too (see sasl/plain.ts).
 * The broker re-reads the file when it changes on disk, so `samsa users --data-dir` edits apply to a running
 * broker at the next login; changes made through AlterUserScramCredentials are written at once.
 */
interface StoredCredential { salt: string, storedKey: string, serverKey: string, iterations: number }
interface StoredFile { version: 1, users: Record<string, Partial<Record<ScramMechanism, StoredCredential>>> }

export class CredentialStore {
  private users = new Map<string, Map<ScramMechanism, ScramCredential>>()
  private stamp = ''

  private constructor (readonly file: string) {}

  static open (dataDir: string): CredentialStore {
    const store = new CredentialStore(join(dataDir, 'security', 'credentials.json'))
    store.load()
    return store
  }

  /** Re-reads the file if it changed since it was read or written by this process. */
  refresh (): void {
    if (fileStamp(this.file) !== this.stamp) this.load()
  }

  get (user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.users.get(user)?.get(mechanism)
  }

  /** Users with at least one credential, sorted. */
  list (): string[] {
    return [...this.users.keys()].sort()
  }

  mechanisms (user: string): Array<{ mechanism: ScramMechanism, iterations: number }> {
    return [...(this.users.get(user) ?? new Map<ScramMechanism, ScramCredential>()).entries()]
      .map(([mechanism, credential]) => ({ mechanism, iterations: credential.iterations }))
      .sort((a, b) => a.mechanism.localeCompare(b.mechanism))
  }

  /** Applies changes in memory; call save() once afterwards. */
  upsert (user: string, mechanism: ScramMechanism, credential: ScramCredential): void {
    let entry = this.users.get(user)
    if (entry === undefined) this.users.set(user, entry = new Map())
    entry.set(mechanism, credential)
  }

  /** Returns false when the user had no credential of that mechanism. */
  delete (user: string, mechanism: ScramMechanism): boolean {
    const entry = this.users.get(user)
    if (entry?.delete(mechanism) !== true) return false
    if (entry.size === 0) this.users.delete(user)
    return true
  }

  save (): void {
    const users: StoredFile['users'] = {}
    for (const [user, entry] of [...this.users.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      users[user] = {}
      for (const [mechanism, credential] of entry) {
        users[user][mechanism] = {
          salt: credential.salt.toString('base64'),
          storedKey: credential.storedKey.toString('base64'),
          serverKey: credential.serverKey.toString('base64'),
          iterations: credential.iterations
        }
      }
    }
    writeJsonFile(this.file, { version: 1, users } satisfies StoredFile)
    this.stamp = fileStamp(this.file)
  }

  private load (): void {
    this.stamp = fileStamp(this.file)
    const stored = readJsonFile<StoredFile>(this.file)
    const users = new Map<string, Map<ScramMechanism, ScramCredential>>()
    for (const [user, entry] of Object.entries(stored?.users ?? {})) {
      const mechanisms = new Map<ScramMechanism, ScramCredential>()
      for (const [mechanism, credential] of Object.entries(entry)) {
        if (!isScramMechanism(mechanism) || credential === undefined) continue
        mechanisms.set(mechanism, {
          salt: Buffer.from(credential.salt, 'base64'),
          storedKey: Buffer.from(credential.storedKey, 'base64'),
          serverKey: Buffer.from(credential.serverKey, 'base64'),
          iterations: credential.iterations
        })
      }
      if (mechanisms.size > 0) users.set(user, mechanisms)
    }
    this.users = users
  }
}
