import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { open, rename, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { crc32 } from 'node:zlib'
import type { Logger } from '../../logger.js'
import { StorageError } from '../../errors.js'

/**
 * An append-only journal of small records with group-committed fsyncs and bounded size.
 *
 * Frame: uint32 payload length · uint32 CRC-32 of the payload · payload. Replay stops at the first frame that is
 * short, oversized or fails its CRC — a torn tail from a crash — and truncates the file there: only appends that
 * were never acknowledged can be in it, because an append is acknowledged after the fdatasync that covers it.
 *
 * Group commit: appends made while a write+fdatasync is running are written together by the next one, so a burst
 * of OffsetCommits costs one fdatasync. Compaction: when the file exceeds `compactRatio` × the bytes of the live
 * records (and `compactMinBytes`), the owner's live records are written to a new file (fsync, rename, directory
 * fsync) that replaces the journal; appends not yet written are part of that snapshot, so they are durable with it.
 *
 * One write operation runs at a time (the serial queue); a failed write or fsync is fatal for the journal, as for
 * a partition log: every waiter, present and future, gets the error.
 */
export interface JournalSource {
  /** Payloads of every live record, in an order that replays to the current state. */
  liveRecords: () => Buffer[]
  /** Bytes those records take as frames. */
  liveBytes: () => number
}

export interface JournalOptions {
  compactRatio?: number
  compactMinBytes?: number
}

const HEADER = 8
const MAX_PAYLOAD = 64 * 1024 * 1024
const WRITE_CHUNK = 1024 * 1024

export const frameSize = (payloadLength: number): number => HEADER + payloadLength

export function frame (payload: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(HEADER + payload.length)
  framed.writeUInt32BE(payload.length, 0)
  framed.writeUInt32BE(crc32(payload), 4)
  payload.copy(framed, HEADER)
  return framed
}

/** Calls `onPayload` for each valid frame; returns the byte length of the valid prefix. */
export function scanFrames (data: Buffer, onPayload: (payload: Buffer) => void): number {
  let position = 0
  while (position + HEADER <= data.length) {
    const length = data.readUInt32BE(position)
    if (length > MAX_PAYLOAD || position + HEADER + length > data.length) break
    const payload = data.subarray(position + HEADER, position + HEADER + length)
    if (crc32(payload) !== data.readUInt32BE(position + 4)) break
    onPayload(payload)
    position += HEADER + length
  }
  return position
}

interface Waiter { seq: number, resolve: () => void, reject: (error: Error) => void }

export class Journal {
  private fileBytes: number
  private appended = 0
  private durable = 0
  private pending: Buffer[] = []
  private waiters: Waiter[] = []
  private running: Promise<void> | null = null
  private compactDue = false
  private failure: Error | null = null
  private state: 'open' | 'closing' | 'closed' = 'open'
  private readonly compactRatio: number
  private readonly compactMinBytes: number

  private constructor (readonly file: string, private handle: FileHandle, fileBytes: number, private readonly source: JournalSource, private readonly logger: Logger, options: JournalOptions) {
    this.fileBytes = fileBytes
    this.compactRatio = options.compactRatio ?? 4
    this.compactMinBytes = options.compactMinBytes ?? 1024 * 1024
  }

  /** Replays `file` (created if missing) through `onPayload`, truncating a torn tail, and opens it for appends. */
  static async open (file: string, onPayload: (payload: Buffer) => void, source: JournalSource, logger: Logger, options: JournalOptions = {}): Promise<Journal> {
    if (!existsSync(file)) {
      writeFileSync(file, Buffer.alloc(0))
      syncPath(dirname(file))
    }
    const data = readFileSync(file)
    const valid = scanFrames(data, onPayload)
    if (valid < data.length) {
      logger.warn(`group journal ${file}: discarding ${data.length - valid} bytes of torn tail at byte ${valid}`)
      const fd = openSync(file, 'r+')
      try {
        ftruncateSync(fd, valid)
        fsyncSync(fd)
      } finally { closeSync(fd) }
    }
    const handle = await open(file, 'a')
    const journal = new Journal(file, handle, valid, source, logger, options)
    journal.checkCompaction()
    journal.kick()
    return journal
  }

  get sizeBytes (): number { return this.fileBytes }
  /** Sequence number of the latest append (0 before any). */
  get lastSeq (): number { return this.appended }

  /** Queues a record; returns its sequence number for waitDurable. The caller has already applied it in memory. */
  append (payload: Buffer): number {
    if (this.state !== 'open') throw new StorageError(`group journal ${this.file} is closed`)
    this.pending.push(frame(payload))
    this.appended += 1
    this.kick()
    return this.appended
  }

  /** Resolves once the append numbered `seq` (and every one before it) is on disk. */
  waitDurable (seq: number = this.appended): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    if (seq <= this.durable) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject })
      this.kick()
    })
  }

  /** Writes what is queued, then closes the file. */
  async close (): Promise<void> {
    if (this.state !== 'open') return
    this.state = 'closing'
    while (this.running !== null) await this.running
    if (this.failure === null && this.pending.length > 0) {
      this.kick()
      while (this.running !== null) await this.running
    }
    await this.handle.close()
    this.state = 'closed'
  }

  private kick (): void {
    if (this.running !== null || this.failure !== null) return
    if (this.pending.length === 0 && !this.compactDue) return
    this.running = this.drain().finally(() => { this.running = null })
  }

  private async drain (): Promise<void> {
    try {
      while (this.failure === null && (this.pending.length > 0 || this.compactDue)) {
        if (this.compactDue && this.state === 'open') await this.rewrite()
        else await this.writePending()
        this.checkCompaction()
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)))
    }
  }

  private async writePending (): Promise<void> {
    this.compactDue = false
    const batch = this.pending
    this.pending = []
    const upTo = this.appended
    const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch)
    await writeAll(this.handle, data)
    await this.handle.datasync()
    this.fileBytes += data.length
    this.markDurable(upTo)
  }

  /** Replaces the journal with just the live records; everything appended so far is part of them. */
  private async rewrite (): Promise<void> {
    this.compactDue = false
    const records = this.source.liveRecords()
    const upTo = this.appended
    this.pending = []
    const temporary = `${this.file}.tmp`
    const handle = await open(temporary, 'w')
    let bytes = 0
    try {
      let chunk: Buffer[] = []
      let chunkBytes = 0
      for (const record of records) {
        const framed = frame(record)
        chunk.push(framed)
        chunkBytes += framed.length
        if (chunkBytes >= WRITE_CHUNK) {
          await writeAll(handle, Buffer.concat(chunk))
          bytes += chunkBytes
          chunk = []
          chunkBytes = 0
        }
      }
      if (chunkBytes > 0) await writeAll(handle, Buffer.concat(chunk))
      bytes += chunkBytes
      await handle.datasync()
      await rename(temporary, this.file)
      syncPath(dirname(this.file))
    } catch (error) {
      await handle.close().catch(() => {})
      throw error
    }
    const previous = this.handle
    this.handle = handle
    await previous.close().catch(() => {})
    this.logger.debug(`group journal ${this.file}: compacted ${this.fileBytes} bytes to ${bytes} (${records.length} live records)`)
    this.fileBytes = bytes
    this.markDurable(upTo)
  }

  private checkCompaction (): void {
    const threshold = Math.max(this.compactMinBytes, this.compactRatio * this.source.liveBytes())
    if (this.fileBytes > threshold) this.compactDue = true
  }

  private markDurable (seq: number): void {
    if (seq > this.durable) this.durable = seq
    if (this.waiters.length === 0) return
    const still: Waiter[] = []
    for (const waiter of this.waiters) {
      if (waiter.seq <= this.durable) waiter.resolve()
      else still.push(waiter)
    }
    this.waiters = still
  }

  private fail (error: Error): void {
    this.failure ??= new StorageError(`group journal ${this.file} failed: ${error.message}`, error)
    this.logger.error(this.failure.message)
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter.reject(this.failure)
  }
}

async function writeAll (handle: FileHandle, data: Buffer): Promise<void> {
  let written = 0
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written)
    if (bytesWritten <= 0) throw new Error('write made no progress')
    written += bytesWritten
  }
}

function syncPath (path: string): void {
  const fd = openSync(path, 'r')
  try { fsyncSync(fd) } finally { closeSync(fd) }
}
