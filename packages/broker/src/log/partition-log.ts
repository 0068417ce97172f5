import { existsSync, mkdirSync, rmSync, fdatasync as fdatasyncCb, writeFileSync } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import {
  BATCH_HEADER_SIZE, BATCH_LENGTH, BATCH_LOG_OVERHEAD, BATCH_LAST_OFFSET_DELTA, BATCH_MAX_TIMESTAMP, BATCH_RECORDS_COUNT,
  readInt64, setBaseOffset, setPartitionLeaderEpoch, setMaxTimestampAndLogAppendTime
} from '@samsa/protocol'
import { Segment } from './segment.js'
import { GroupCommit } from './flusher.js'
import { CLEAN_SHUTDOWN_FILE, loadSegments } from './recovery.js'
import { DEFAULT_LOG_CONFIG, type LogConfig } from './config.js'
import { readBatches } from './reader.js'

const fdatasync = promisify(fdatasyncCb)

/** Largest relative offset a segment's uint32 index entries could hold; Kafka rolls at Int32.MAX as well. */
const MAX_RELATIVE_OFFSET = 0x7fffffff

export interface AppendResult { baseOffset: number, lastOffset: number, logAppendTime: number }

/**
 * One partition's log: a directory of segments (see segment.ts), appends with offset assignment, reads of whole
 * batches, timestamp look-ups and group-committed durability. Single-threaded by construction: every mutation
 * runs synchronously on the event loop; only fdatasync and index persistence run on the libuv pool.
 */
export class PartitionLog {
  readonly dir: string
  logStartOffset: number
  logEndOffset: number
  private readonly config: LogConfig
  private readonly segments: Segment[]
  private active: Segment
  /** Rolled segments whose .log still has to be fsynced before their index files may be written. */
  private sealedPendingSync: Segment[] = []
  private dirNeedsSync: boolean
  private parentNeedsSync: boolean
  private readonly commit: GroupCommit
  private readonly listeners = new Set<() => void>()
  private unflushedMessages = 0
  private flushTimer: NodeJS.Timeout | null = null
  private state: 'open' | 'closing' | 'closed' = 'open'
  private closing: Promise<void> | null = null

  private constructor (dir: string, config: LogConfig, segments: Segment[], durable: boolean, created: boolean, repaired: boolean) {
    this.dir = dir
    this.config = config
    this.segments = segments
    this.active = segments[segments.length - 1]
    this.logStartOffset = segments[0].baseOffset
    this.logEndOffset = this.active.nextOffset
    this.dirNeedsSync = created || repaired
    this.parentNeedsSync = created
    // After a clean shutdown everything on disk was fsynced; otherwise the first waiter triggers a sync.
    this.commit = new GroupCommit(durable ? this.logEndOffset : this.logStartOffset, async () => await this.syncOnce())
    if (config.flushIntervalMs > 0 && Number.isFinite(config.flushIntervalMs) && config.flushIntervalMs < 2 ** 31) {
      this.flushTimer = setInterval(() => {
        if (this.state === 'open' && this.logEndOffset > this.commit.durableOffset) this.commit.request()
      }, config.flushIntervalMs)
      this.flushTimer.unref()
    }
  }

  /** Opens (creating if missing) a partition directory and recovers it; synchronous. */
  static open (dir: string, config: Partial<LogConfig> = {}): PartitionLog {
    const full: LogConfig = { ...DEFAULT_LOG_CONFIG, ...config }
    const created = !existsSync(dir)
    if (created) mkdirSync(dir, { recursive: true })
    const loaded = loadSegments(dir, full.indexIntervalBytes)
    const segments = loaded.segments
    let repaired = loaded.repaired
    if (segments.length === 0) {
      segments.push(Segment.create(dir, 0, full.indexIntervalBytes))
      repaired = true
    } else {
      segments[segments.length - 1].openForAppend()
    }
    if (loaded.cleanShutdown) rmSync(join(dir, CLEAN_SHUTDOWN_FILE), { force: true })
    return new PartitionLog(dir, full, segments, loaded.cleanShutdown && !loaded.repaired, created, repaired)
  }

  /**
   * Appends already-validated batches (concatenated in one Buffer), patching baseOffset and
   * partitionLeaderEpoch = 0 in place — plus the LogAppendTime stamp when `logAppendTime` is given (which rewrites
   * the CRC). The whole Buffer goes into one segment with one write: a batch is never split across segments.
   */
  append (records: Buffer, options?: { logAppendTime?: number }): AppendResult {
    this.assertWritable()
    const length = records.length
    let offsets = 0
    let recordsCount = 0
    for (let pos = 0; pos < length;) {
      const size = length - pos >= BATCH_HEADER_SIZE ? records.readInt32BE(pos + BATCH_LENGTH) + BATCH_LOG_OVERHEAD : -1
      if (size < BATCH_HEADER_SIZE || size > length - pos) throw new RangeError(`append: malformed batch at byte ${pos}`)
      const delta = records.readInt32BE(pos + BATCH_LAST_OFFSET_DELTA)
      if (delta < 0) throw new RangeError(`append: negative lastOffsetDelta at byte ${pos}`)
      offsets += delta + 1
      recordsCount += records.readInt32BE(pos + BATCH_RECORDS_COUNT)
      pos += size
    }
    if (offsets === 0) throw new RangeError('append: no batches')
    const logAppendTime = options?.logAppendTime ?? -1
    this.maybeRoll(length, offsets)
    const segment = this.active
    const baseOffset = this.logEndOffset
    let offset = baseOffset
    for (let pos = 0; pos < length;) {
      setBaseOffset(records, pos, offset)
      setPartitionLeaderEpoch(records, pos, 0)
      if (logAppendTime >= 0) setMaxTimestampAndLogAppendTime(records, pos, logAppendTime)
      offset += records.readInt32BE(pos + BATCH_LAST_OFFSET_DELTA) + 1
      pos += records.readInt32BE(pos + BATCH_LENGTH) + BATCH_LOG_OVERHEAD
    }
    const startPosition = segment.size
    segment.write(records)
    // Indexes only after a successful write, so they never point at bytes that are not in the file.
    offset = baseOffset
    for (let pos = 0; pos < length;) {
      const size = records.readInt32BE(pos + BATCH_LENGTH) + BATCH_LOG_OVERHEAD
      const last = offset + records.readInt32BE(pos + BATCH_LAST_OFFSET_DELTA)
      segment.trackBatch(offset, last, startPosition + pos, size, readInt64(records, pos + BATCH_MAX_TIMESTAMP))
      offset = last + 1
      pos += size
    }
    this.logEndOffset = offset
    this.unflushedMessages += recordsCount
    if (this.unflushedMessages >= this.config.flushIntervalMessages) {
      this.unflushedMessages = 0
      this.commit.request()
    }
    for (const listener of this.listeners) {
      try { listener() } catch {} // a failing subscriber must not fail the append
    }
    return { baseOffset, lastOffset: offset - 1, logAppendTime }
  }

  /**
   * Resolves when every offset ≤ `offset` is on disk (group commit; see flusher.ts). An offset at or beyond the
   * log end means "everything appended so far".
   */
  flushedUpTo (offset: number): Promise<void> {
    return this.commit.waitFor(Math.min(offset, this.logEndOffset - 1))
  }

  /**
   * Whole batches starting with the one that contains `offset`, up to `maxBytes` (at least one batch whatever its
   * size). Empty when `offset` is outside [logStartOffset, logEndOffset): range errors are the caller's call.
   */
  read (offset: number, maxBytes: number): Buffer {
    if (offset < this.logStartOffset || offset >= this.logEndOffset) return Buffer.alloc(0)
    return readBatches(this.segments, this.segmentIndexFor(offset), offset, maxBytes)
  }

  /**
   * ListOffsets by timestamp: base offset (and maxTimestamp) of the first batch whose maxTimestamp ≥ `timestamp`,
   * or null. Batch granularity, not record granularity: a consumer starting there may first see a few records of
   * that batch with smaller timestamps — harmless for a seek, and it keeps the look-up free of record decoding.
   */
  offsetForTimestamp (timestamp: number): { offset: number, timestamp: number } | null {
    for (let i = this.segmentIndexFor(this.logStartOffset); i < this.segments.length; i++) {
      const segment = this.segments[i]
      if (segment.size === 0 || segment.maxTimestamp < timestamp) continue
      const found = segment.findTimestamp(timestamp, this.logStartOffset)
      if (found !== null) return found
    }
    return null
  }

  /** ListOffsets MAX_TIMESTAMP: the batch with the largest maxTimestamp (its last offset), or null when empty. */
  maxTimestamp (): { offset: number, timestamp: number } | null {
    if (this.logEndOffset <= this.logStartOffset) return null
    let best = { offset: this.logEndOffset - 1, timestamp: -1 }
    for (let i = this.segmentIndexFor(this.logStartOffset); i < this.segments.length; i++) {
      const segment = this.segments[i]
      if (segment.maxTimestamp > best.timestamp) best = { offset: segment.offsetOfMaxTimestamp, timestamp: segment.maxTimestamp }
    }
    return best
  }

  /** Hook for retention / DeleteRecords: moves the start forward (segment deletion is left to the caller). */
  setLogStartOffset (offset: number): void {
    if (offset > this.logStartOffset) this.logStartOffset = Math.min(offset, this.logEndOffset)
  }

  onAppend (listener: () => void): () => void {
    const wrapped = (): void => listener() // distinct identity, so subscribing the same function twice works
    this.listeners.add(wrapped)
    return () => { this.listeners.delete(wrapped) }
  }

  /** Flushes everything, persists the active segment's indexes, closes descriptors, marks a clean shutdown. */
  close (): Promise<void> {
    this.closing ??= this.closeOnce()
    return this.closing
  }

  /** Closes and removes the partition directory (topic deletion). Pending flush waiters are rejected. */
  async delete (): Promise<void> {
    this.commit.fail(new Error(`partition log ${this.dir} was deleted`))
    await this.close().catch(() => {}) // the failure above skips the flush; only descriptors get closed
    this.listeners.clear()
    await rm(this.dir, { recursive: true, force: true })
  }

  // ---- internals ----

  private async closeOnce (): Promise<void> {
    this.state = 'closing'
    this.stopTimer()
    this.commit.request()
    await this.commit.idle() // also lets a sync already running finish before its descriptors are closed
    const failure = this.commit.error
    try {
      if (failure === null) await this.active.persistIndexes()
    } finally {
      for (const segment of this.segments) segment.release()
      this.state = 'closed'
    }
    if (failure !== null) throw failure
    writeFileSync(join(this.dir, CLEAN_SHUTDOWN_FILE), '')
    await syncDirectory(this.dir)
  }

  private assertWritable (): void {
    if (this.state !== 'open') throw new Error(`partition log ${this.dir} is closed`)
    const failure = this.commit.error
    if (failure !== null) throw failure
  }

  private maybeRoll (bytes: number, offsets: number): void {
    const segment = this.active
    if (segment.size === 0) return // never leave an empty segment behind
    const full = segment.size + bytes > this.config.segmentBytes
    const old = Date.now() - segment.createdMs > this.config.segmentMs
    const overflow = this.logEndOffset + offsets - 1 - segment.baseOffset > MAX_RELATIVE_OFFSET
    if (full || old || overflow) this.roll()
  }

  private roll (): void {
    const old = this.active
    old.seal()
    const next = Segment.create(this.dir, this.logEndOffset, this.config.indexIntervalBytes)
    this.segments.push(next)
    this.active = next
    this.sealedPendingSync.push(old)
    this.dirNeedsSync = true
    this.commit.request() // make the sealed segment durable and write its indexes without waiting for a producer
  }

  /** One group-commit round; returns the offset below which everything is durable. */
  private async syncOnce (): Promise<number> {
    const end = this.logEndOffset
    const active = this.active
    const sealed = this.sealedPendingSync.splice(0)
    for (const segment of sealed) {
      await fdatasync(segment.fd)
      await segment.persistIndexes()
      segment.closeWriter()
    }
    if (this.dirNeedsSync) {
      this.dirNeedsSync = false
      await syncDirectory(this.dir)
    }
    if (this.parentNeedsSync) {
      this.parentNeedsSync = false
      await syncDirectory(dirname(this.dir))
    }
    if (active.isWritable) await fdatasync(active.fd)
    return end
  }

  /** Index of the segment whose base offset is the largest ≤ offset (0 if offset precedes every segment). */
  private segmentIndexFor (offset: number): number {
    let lo = 0
    let hi = this.segments.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (this.segments[mid].baseOffset <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  private stopTimer (): void {
    if (this.flushTimer !== null) clearInterval(this.flushTimer)
    this.flushTimer = null
  }
}

async function syncDirectory (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try { await handle.sync() } finally { await handle.close() }
}
