import { closeSync, existsSync, fdatasync as fdatasyncCb, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { syncDirectorySync } from '../log/dir-sync.js'
import { promisify } from 'node:util'
import { crc32 } from 'node:zlib'

const fdatasync = promisify(fdatasyncCb)

/**
 * A durable key → JSON value store as an append-only journal: the transaction coordinator's log (Kafka keeps it in
 * the replicated __transaction_state topic; one node needs only a local file with fsync). Each record is
 * length (uint32) · CRC-32 of the payload (uint32) · payload (UTF-8 JSON `{"k": key, "v": value | null}`), the last
 * record of a key wins and null deletes it. `put` resolves once the record is on disk; concurrent puts share one
 * fdatasync (group commit). On open, a torn or corrupt tail is cut off at the last valid record. When the file
 * grows past a few times its live size, it is rewritten with only the live records (temp file, fsync, rename).
 *
 * Why a journal of whole states rather than a topic of our own: the coordinator's state is small, every transition
 * must be durable before it is answered, and replaying "last value per key" needs no index.
 */
const HEADER = 8
const MIN_COMPACT_BYTES = 1 << 20

export class Journal {
  private fd: number
  private size: number
  private liveBytes = 0
  private readonly live = new Map<string, Buffer>()
  private waiters: Array<{ resolve: () => void, reject: (error: Error) => void }> = []
  private syncing: Promise<void> | null = null
  private failed: Error | null = null

  private constructor (private readonly file: string, fd: number, size: number) {
    this.fd = fd
    this.size = size
  }

  /** Opens (creating) the journal and returns it with the live values, in the order their keys were last written. */
  static open (file: string): { journal: Journal, entries: Map<string, unknown> } {
    mkdirSync(dirname(file), { recursive: true })
    const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0)
    const entries = new Map<string, unknown>()
    const records = new Map<string, Buffer>()
    let pos = 0
    while (bytes.length - pos >= HEADER) {
      const length = bytes.readUInt32BE(pos)
      if (length > bytes.length - pos - HEADER) break
      const payload = bytes.subarray(pos + HEADER, pos + HEADER + length)
      if (crc32(payload) !== bytes.readUInt32BE(pos + 4)) break
      let record: { k: string, v: unknown }
      try { record = JSON.parse(payload.toString('utf8')) } catch { break }
      entries.delete(record.k)
      records.delete(record.k)
      if (record.v !== null) {
        entries.set(record.k, record.v)
        records.set(record.k, bytes.subarray(pos, pos + HEADER + length))
      }
      pos += HEADER + length
    }
    const fd = openSync(file, existsSync(file) ? 'r+' : 'w+')
    if (pos !== bytes.length) {
      ftruncateSync(fd, pos) // torn tail from a crash mid-write
      fsyncSync(fd)
    }
    const journal = new Journal(file, fd, pos)
    for (const [key, record] of records) journal.remember(key, record)
    return { journal, entries }
  }

  /** Writes `value` (null deletes) for `key`; resolves once it is durable. */
  put (key: string, value: unknown): Promise<void> {
    if (this.failed !== null) return Promise.reject(this.failed)
    const payload = Buffer.from(JSON.stringify({ k: key, v: value ?? null }), 'utf8')
    const record = Buffer.allocUnsafe(HEADER + payload.length)
    record.writeUInt32BE(payload.length, 0)
    record.writeUInt32BE(crc32(payload), 4)
    payload.copy(record, HEADER)
    writeSync(this.fd, record, 0, record.length, this.size)
    this.size += record.length
    if (value === null || value === undefined) this.forget(key)
    else this.remember(key, record)
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
    this.syncing ??= this.syncLoop()
    return done
  }

  /** Waits for pending writes, then closes the file. */
  async close (): Promise<void> {
    while (this.syncing !== null) await this.syncing
    closeSync(this.fd)
  }

  get fileBytes (): number { return this.size }

  private remember (key: string, record: Buffer): void {
    this.forget(key)
    this.live.set(key, record)
    this.liveBytes += record.length
  }

  private forget (key: string): void {
    const old = this.live.get(key)
    if (old === undefined) return
    this.live.delete(key)
    this.liveBytes -= old.length
  }

  private async syncLoop (): Promise<void> {
    // Yield first: puts made in this same tick join the first sync, and `syncing` is assigned before `finally` runs.
    await Promise.resolve()
    try {
      while (this.waiters.length > 0) {
        const batch = this.waiters
        this.waiters = []
        try {
          if (this.size > MIN_COMPACT_BYTES && this.size > 4 * this.liveBytes) this.compact()
          else await fdatasync(this.fd)
          for (const waiter of batch) waiter.resolve()
        } catch (error) {
          this.failed = error as Error
          for (const waiter of [...batch, ...this.waiters]) waiter.reject(this.failed)
          this.waiters = []
        }
      }
    } finally {
      this.syncing = null
    }
  }

  /** Rewrites the live records into a new file; it also makes every earlier write durable. */
  private compact (): void {
    const temporary = `${this.file}.compact`
    const fd = openSync(temporary, 'w')
    let size = 0
    try {
      for (const record of this.live.values()) {
        writeSync(fd, record, 0, record.length, size)
        size += record.length
      }
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temporary, this.file)
    syncDirectorySync(dirname(this.file))
    closeSync(this.fd)
    this.fd = openSync(this.file, 'r+')
    this.size = size
  }
}

export function journalFile (dataDir: string): string {
  return join(dataDir, '__transaction_state', 'journal.log')
}
