import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  BATCH_HEADER_SIZE, BATCH_LENGTH, BATCH_LOG_OVERHEAD, BATCH_LAST_OFFSET_DELTA, BATCH_MAX_TIMESTAMP, BATCH_RECORDS_COUNT,
  readInt64, setBaseOffset, setPartitionLeaderEpoch, setMaxTimestampAndLogAppendTime
} from '@samsa/protocol'
import { Segment } from './segment.js'
import { GroupCommit } from './flusher.js'
import { CLEAN_SHUTDOWN_FILE, loadSegments } from './recovery.js'
import { effectiveSegmentMs, randomSegmentJitter, resolveLogConfig, type LogConfig, type ResolvedLogConfig } from './config.js'
import { readBatches } from './reader.js'
import { CLEANER_OFFSET_FILE, LOG_START_OFFSET_FILE, OffsetCheckpoint, readCheckpoint } from './checkpoint.js'
import { DelayedDelete } from './delayed-delete.js'
import { deletablePrefix, retentionSizeBreach, retentionTimeBreach, startOffsetBreach, type DeletePredicate } from './retention.js'
import { cleanLog, NO_COMPACTION_HINTS, type CleanerLogView, type CleanerOptions, type CleanResult, type CompactionHints } from './compaction/cleaner.js'
import { cleanableRange, shouldClean, type CleanableRange } from './compaction/cleanable.js'
import { applySwap, type SwapManifest } from './compaction/swap.js'
import { Limiter, syncDirectory } from './dir-sync.js'

/** Largest relative offset a segment's uint32 index entries could hold; Kafka rolls at Int32.MAX as well. */
const MAX_RELATIVE_OFFSET = 0x7fffffff

/** Closing thousands of logs at once (broker shutdown): bounded, so their index files do not exhaust descriptors. */
const closeLimiter = new Limiter(32)

export interface AppendResult { baseOffset: number, lastOffset: number, logAppendTime: number }

export interface OpenOptions {
  /** Wall clock for segment.ms rolls, retention and compaction (tests inject one). */
  now?: () => number
}

/**
 * One partition's log: a directory of segments (see segment.ts), appends with offset assignment, reads of whole
 * batches, timestamp look-ups and group-committed durability; plus its lifecycle — retention (deleteOldSegments),
 * compaction (compact), the log start offset (DeleteRecords), live config changes. Single-threaded by
 * construction: every mutation of the segment list runs synchronously on the event loop; fdatasync, index
 * persistence and the cleaner's I/O run on the libuv pool. Retention and compaction of one log are serialized.
 */
export class PartitionLog {
  readonly dir: string
  /**
   * Set by the producer-state owner: aborted transactions and active producers, which compaction must respect
   * (see CompactionHints). Until set, the cleaner assumes no transactions and no producer state to preserve.
   */
  compactionHints: CompactionHints = NO_COMPACTION_HINTS
  /** Offsets below this are gone for readers (retention, DeleteRecords); persisted in log-start-offset-checkpoint. */
  logStartOffset: number
  logEndOffset: number
  private config: ResolvedLogConfig
  private readonly now: () => number
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
  private lastAppendMs = 0
  /** segment.jitter.ms drawn for the active segment. */
  private rollJitterMs: number
  private readonly startCheckpoint: OffsetCheckpoint
  private readonly cleanerCheckpoint: OffsetCheckpoint
  /** Earliest delete horizon the last clean left behind (in memory; Infinity = none known). */
  private earliestDeleteHorizon = Infinity
  /** Tail of the retention/compaction queue of this log: one maintenance operation at a time. */
  private maintenance: Promise<unknown> = Promise.resolve()
  private readonly deletions = new DelayedDelete()

  private constructor (dir: string, config: ResolvedLogConfig, now: () => number, segments: Segment[], durable: boolean, created: boolean, repaired: boolean, checkpoints: { start: number | null, cleaner: number | null }) {
    this.dir = dir
    this.config = config
    this.now = now
    this.segments = segments
    this.active = segments[segments.length - 1]
    this.logStartOffset = Math.max(segments[0].baseOffset, checkpoints.start ?? 0)
    this.logEndOffset = this.active.nextOffset
    this.dirNeedsSync = created || repaired
    this.parentNeedsSync = created
    this.startCheckpoint = new OffsetCheckpoint(dir, LOG_START_OFFSET_FILE, checkpoints.start)
    this.cleanerCheckpoint = new OffsetCheckpoint(dir, CLEANER_OFFSET_FILE, checkpoints.cleaner)
    // After a clean shutdown everything on disk was fsynced; otherwise the first waiter triggers a sync.
    this.commit = new GroupCommit(durable ? this.logEndOffset : this.logStartOffset, async () => await this.syncOnce())
    this.rollJitterMs = randomSegmentJitter(config)
    this.startFlushTimer()
  }

  /** Opens (creating if missing) a partition directory and recovers it; synchronous. */
  static open (dir: string, config: Partial<LogConfig> = {}, options: OpenOptions = {}): PartitionLog {
    const full = resolveLogConfig(config)
    const now = options.now ?? Date.now
    const created = !existsSync(dir)
    if (created) mkdirSync(dir, { recursive: true })
    const loaded = loadSegments(dir, full.indexIntervalBytes)
    let segments = loaded.segments
    let repaired = loaded.repaired
    const start = loaded.names.includes(LOG_START_OFFSET_FILE) ? readCheckpoint(dir, LOG_START_OFFSET_FILE) : null
    const cleaner = loaded.names.includes(CLEANER_OFFSET_FILE) ? readCheckpoint(dir, CLEANER_OFFSET_FILE) : null
    const logEnd = segments.length === 0 ? 0 : segments[segments.length - 1].nextOffset
    if (start !== null && start > logEnd) {
      // Kafka's LogLoader: the log ends below its checkpointed start (segment files lost): start over at the checkpoint.
      for (const segment of segments) segment.deleteFiles()
      segments = []
    }
    if (segments.length === 0) {
      segments.push(Segment.create(dir, Math.max(start ?? 0, 0), full.indexIntervalBytes, { keepOpen: false, createdMs: now() }))
      repaired = true
    } else {
      segments[segments.length - 1].openForAppend()
    }
    if (loaded.cleanShutdown) rmSync(join(dir, CLEAN_SHUTDOWN_FILE), { force: true })
    return new PartitionLog(dir, full, now, segments, loaded.cleanShutdown && !loaded.repaired, created, repaired, { start, cleaner })
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
    let maxTimestamp = -1
    for (let pos = 0; pos < length;) {
      const size = length - pos >= BATCH_HEADER_SIZE ? records.readInt32BE(pos + BATCH_LENGTH) + BATCH_LOG_OVERHEAD : -1
      if (size < BATCH_HEADER_SIZE || size > length - pos) throw new RangeError(`append: malformed batch at byte ${pos}`)
      const delta = records.readInt32BE(pos + BATCH_LAST_OFFSET_DELTA)
      if (delta < 0) throw new RangeError(`append: negative lastOffsetDelta at byte ${pos}`)
      offsets += delta + 1
      recordsCount += records.readInt32BE(pos + BATCH_RECORDS_COUNT)
      maxTimestamp = Math.max(maxTimestamp, readInt64(records, pos + BATCH_MAX_TIMESTAMP))
      pos += size
    }
    if (offsets === 0) throw new RangeError('append: no batches')
    const logAppendTime = options?.logAppendTime ?? -1
    this.lastAppendMs = this.now()
    this.maybeRoll(length, offsets, logAppendTime >= 0 ? logAppendTime : maxTimestamp)
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

  /**
   * DeleteRecords: moves the log start offset forward (never back, never past the log end) at once for readers, and
   * resolves once the new value is durable (log-start-offset-checkpoint). Segments wholly below it are removed by
   * the next retention run (deleteOldSegments), whatever the cleanup.policy — as in Kafka.
   */
  setLogStartOffset (offset: number): Promise<void> {
    if (offset > this.logStartOffset) this.logStartOffset = Math.min(offset, this.logEndOffset)
    const durable = this.startCheckpoint.write(this.logStartOffset)
    durable.catch(() => {}) // a caller that does not wait must not get an unhandled rejection
    return durable
  }

  /** Applies changed settings at once; segment.bytes / segment.ms / index.interval.bytes act from the next roll. */
  configure (changes: Partial<LogConfig>): void {
    const flushMs = this.config.flushIntervalMs
    this.config = resolveLogConfig({ ...this.config, ...changes })
    if (this.config.flushIntervalMs !== flushMs) {
      this.stopTimer()
      this.startFlushTimer()
    }
  }

  /** The settings in force (a copy). */
  get settings (): ResolvedLogConfig { return { ...this.config, cleanupPolicy: { ...this.config.cleanupPolicy } } }

  /** Bytes of all segments (retention.bytes compares against this, as Kafka's log size). */
  get size (): number { return this.segments.reduce((sum, s) => sum + s.size, 0) }
  get segmentCount (): number { return this.segments.length }
  get segmentBaseOffsets (): number[] { return this.segments.map((s) => s.baseOffset) }
  get isOpen (): boolean { return this.state === 'open' }

  /**
   * Retention (Kafka's deleteOldSegments): segments below the log start offset always; with cleanup.policy delete
   * also the oldest segments beyond retention.bytes and those older than retention.ms (see retention.ts).
   * Removed segments leave the list at once and their files are renamed `.deleted`, unlinked after
   * file.delete.delay.ms. Returns the number of segments removed.
   */
  deleteOldSegments (now = this.now()): Promise<number> {
    return this.exclusive(async () => {
      let removed = await this.removeMatching(() => startOffsetBreach(this.logStartOffset))
      if (this.config.cleanupPolicy.delete) {
        removed += await this.removeMatching(() => retentionSizeBreach(this.segments, this.config.retentionBytes))
        removed += await this.removeMatching(() => retentionTimeBreach(now, this.config.retentionMs))
      }
      return removed
    }, 0)
  }

  /** Whether compaction is due and on which range (maintenance loop: pick the dirtiest logs first). */
  cleanableRange (now = this.now()): CleanableRange & { due: boolean } {
    const range = cleanableRange(this.cleanerView, now)
    return { ...range, due: this.state === 'open' && shouldClean(this.cleanerView, range) }
  }

  /** Compacts the log now (cleanup.policy must contain compact); null when there was nothing to clean. */
  compact (now = this.now(), options: CleanerOptions = {}): Promise<CleanResult | null> {
    return this.exclusive(async () => {
      if (!this.config.cleanupPolicy.compact) return null
      return await cleanLog(this.cleanerView, now, options)
    }, null)
  }

  /**
   * Closes the active segment's descriptor when nothing was appended for `idleMs` and everything is durable (it
   * reopens on the next append); asks for a sync first if needed. Keeps descriptors bounded by recent activity.
   */
  releaseIdleHandles (now = this.now(), idleMs = 60_000): boolean {
    if (this.state !== 'open' || !this.active.hasWriter || now - this.lastAppendMs < idleMs || this.commit.busy) return false
    if (this.commit.durableOffset < this.logEndOffset || this.sealedPendingSync.length > 0) {
      this.commit.request()
      return false
    }
    this.active.closeWriter(false)
    return true
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
    await this.maintenance // a running clean aborts (or finishes a committed swap) first
    await closeLimiter.run(async () => {
      this.commit.request()
      await this.commit.idle() // also lets a sync already running finish before its descriptors are closed
      const failure = this.commit.error
      try {
        if (failure === null) await this.active.persistIndexesIfChanged()
        await this.deletions.flush()
      } finally {
        for (const segment of this.segments) segment.release()
        this.state = 'closed'
      }
      if (failure !== null) throw failure
      // A hint for the next open (verify only the tail of the newest segment); losing it only costs a full scan,
      // so it is not worth a directory fsync per partition at shutdown.
      writeFileSync(join(this.dir, CLEAN_SHUTDOWN_FILE), '')
    })
  }

  /** Runs `task` after every earlier maintenance task of this log; `closed` is returned once the log is closing. */
  private exclusive<T> (task: () => Promise<T>, closed: T): Promise<T> {
    const run = this.maintenance.then(async () => this.state === 'open' ? await task() : closed)
    this.maintenance = run.catch(() => {})
    return run
  }

  /** Removes the longest matching prefix of segments, rolling first when that would include the active one. */
  private async removeMatching (predicate: () => DeletePredicate | null): Promise<number> {
    const first = predicate()
    if (first === null) return 0
    const count = deletablePrefix(this.segments, first)
    if (count === 0) return 0
    if (count === this.segments.length) this.roll(false) // never delete the active segment: it becomes a sealed one
    await this.settleSealed() // rolled segments are fsynced and closed before their files go
    if (this.state !== 'open') return 0
    const again = predicate()
    const removable = again === null ? 0 : Math.min(deletablePrefix(this.segments, again), this.segments.length - 1)
    if (removable === 0) return 0
    const removed = this.segments.splice(0, removable)
    this.deletions.schedule(removed.flatMap((segment) => segment.renameForDeletion()), this.config.fileDeleteDelayMs)
    this.dirNeedsSync = true
    if (this.segments[0].baseOffset > this.logStartOffset) {
      this.logStartOffset = this.segments[0].baseOffset
      // Durable before the next restart could resurrect renamed-but-not-yet-synced segments.
      await this.startCheckpoint.write(this.logStartOffset)
    }
    return removable
  }

  /** Until no rolled segment still waits for its fsync (its writer closes then); rethrows a sync failure. */
  private async settleSealed (): Promise<void> {
    while (this.sealedPendingSync.length > 0 || this.segments.some((s) => s !== this.active && s.appendable)) {
      if (this.commit.error !== null) throw this.commit.error
      this.commit.request()
      await this.commit.idle()
    }
  }

  /** The narrow view of this log that the cleaner works with (compaction/cleaner.ts). */
  private get cleanerView (): CleanerLogView {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const log = this
    return {
      dir: log.dir,
      get config () { return log.config },
      get logStartOffset () { return log.logStartOffset },
      get logEndOffset () { return log.logEndOffset },
      get segments () { return log.segments },
      get cleanerCheckpoint () { return log.cleanerCheckpoint.value },
      get earliestDeleteHorizon () { return log.earliestDeleteHorizon },
      get isOpen () { return log.state === 'open' },
      settleSealed: async () => await log.settleSealed(),
      get hints () { return log.compactionHints },
      replaceSegments: (replaced, cleaned, manifest, onRename) => log.replaceSegments(replaced, cleaned, manifest, onRename),
      writeCleanerCheckpoint: async (offset, earliestDeleteHorizon) => {
        log.earliestDeleteHorizon = earliestDeleteHorizon
        await log.cleanerCheckpoint.write(offset)
      }
    }
  }

  /** Swap step of compaction: one synchronous turn, so readers see either the old or the new segments. */
  private replaceSegments (replaced: Segment[], cleaned: Segment, manifest: SwapManifest, onRename?: (file: string) => void): void {
    const at = this.segments.indexOf(replaced[0])
    if (at < 0 || replaced.some((segment, i) => this.segments[at + i] !== segment)) throw new Error(`${this.dir}: replaced segments are no longer in the log`)
    for (const segment of replaced) segment.release()
    let deleted: string[]
    try {
      deleted = applySwap(this.dir, manifest, onRename)
    } catch (error) {
      // Committed but not applied: the files are half renamed. Refuse writes; reopening finishes the swap.
      this.commit.fail(error instanceof Error ? error : new Error(String(error)))
      throw error
    }
    this.segments.splice(at, replaced.length, cleaned.promote(replaced[replaced.length - 1].nextOffset))
    this.deletions.schedule(deleted, this.config.fileDeleteDelayMs)
  }

  private assertWritable (): void {
    if (this.state !== 'open') throw new Error(`partition log ${this.dir} is closed`)
    const failure = this.commit.error
    if (failure !== null) throw failure
  }

  /** Kafka's LogSegment.shouldRoll: size, age (timestamps of the data, else wall clock), relative offset range. */
  private maybeRoll (bytes: number, offsets: number, maxTimestampInMessages: number): void {
    const segment = this.active
    if (segment.size === 0) return // never leave an empty segment behind
    const full = segment.size + bytes > this.config.segmentBytes
    const firstTimestamp = segment.firstBatchTimestamp()
    const waited = firstTimestamp >= 0 ? maxTimestampInMessages - firstTimestamp : this.now() - segment.createdMs
    const old = waited > effectiveSegmentMs(this.config) - this.rollJitterMs
    const overflow = this.logEndOffset + offsets - 1 - segment.baseOffset > MAX_RELATIVE_OFFSET
    if (full || old || overflow) this.roll(true)
  }

  private roll (forAppend: boolean): void {
    const old = this.active
    old.seal()
    const next = Segment.create(this.dir, this.logEndOffset, this.config.indexIntervalBytes, { keepOpen: forAppend, createdMs: this.now() })
    this.segments.push(next)
    this.active = next
    this.rollJitterMs = randomSegmentJitter(this.config)
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
      await segment.datasync()
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
    if (active.appendable && end > this.commit.durableOffset) await active.datasync()
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

  private startFlushTimer (): void {
    const ms = this.config.flushIntervalMs
    if (!(ms > 0 && Number.isFinite(ms) && ms < 2 ** 31)) return
    this.flushTimer = setInterval(() => {
      if (this.state === 'open' && this.logEndOffset > this.commit.durableOffset) this.commit.request()
    }, ms)
    this.flushTimer.unref()
  }

  private stopTimer (): void {
    if (this.flushTimer !== null) clearInterval(this.flushTimer)
    this.flushTimer = null
  }
}
