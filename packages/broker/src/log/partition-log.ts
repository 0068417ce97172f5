import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  BATCH_HEADER_SIZE, BATCH_LENGTH, BATCH_LOG_OVERHEAD, BATCH_LAST_OFFSET_DELTA, BATCH_MAX_TIMESTAMP, BATCH_RECORDS_COUNT,
  readInt64, setBaseOffset, setPartitionLeaderEpoch, setMaxTimestampAndLogAppendTime
} from '@samsa/protocol'
import { Segment } from './segment.js'
import { SegmentList } from './segment-list.js'
import { GroupCommit } from './flusher.js'
import { CLEAN_SHUTDOWN_FILE, loadLog } from './recovery.js'
import { effectiveSegmentMs, randomSegmentJitter, resolveLogConfig, type LogConfig, type ResolvedLogConfig } from './config.js'
import { readBatches } from './reader.js'
import { CLEANER_OFFSET_FILE, LOG_START_OFFSET_FILE, OffsetCheckpoint } from './checkpoint.js'
import { DelayedDelete } from './delayed-delete.js'
import { deletablePrefix, retentionSizeBreach, retentionTimeBreach, startOffsetBreach, type DeletePredicate } from './retention.js'
import { cleanLog, NO_COMPACTION_HINTS, type CleanerLogView, type CleanerOptions, type CleanResult, type CompactionHints } from './compaction/cleaner.js'
import { cleanableRange, shouldClean, type CleanableRange } from './compaction/cleanable.js'
import type { SwapManifest } from './compaction/swap.js'
import { Limiter } from './dir-sync.js'
import type { Journal, JournalMember, ReplayTarget } from './journal.js'
import { JournalLink } from './journal-link.js'

/** Largest relative offset a segment's uint32 index entries could hold; Kafka rolls at Int32.MAX as well. */
const MAX_RELATIVE_OFFSET = 0x7fffffff

/** Closing thousands of logs at once (broker shutdown): bounded, so their index files do not exhaust descriptors. */
const closeLimiter = new Limiter(32)
/**
 * Sync rounds of all partitions running at once. Beyond the libuv pool's few threads more gains nothing, and each
 * round holds descriptors (the segment being fsynced, an index file, the directory): 10,000 partitions rolling
 * together must not exhaust the descriptor limit.
 */
const syncLimiter = new Limiter(64)
/**
 * With the journal, segment syncs of open logs are background work (rolls, idle descriptors, journal retirement):
 * two at a time, so that libuv's 4 pool threads are never all held by them while acks=all replies wait for a
 * journal write. Closing logs (shutdown) still use syncLimiter.
 */
const backgroundSyncLimiter = new Limiter(2)

export interface AppendResult { baseOffset: number, lastOffset: number, logAppendTime: number }

export interface OpenOptions {
  /** Wall clock for segment.ms rolls, retention and compaction (tests inject one). */
  now?: () => number
  /** The broker's write-ahead journal and this partition's key in it (see journal.ts); without it, acks=all fsyncs the segment. */
  journal?: { journal: Journal, key: string }
}

const resolved = Promise.resolve()

/**
 * One partition's log: a directory of segments (see segment.ts), appends with offset assignment, reads of whole
 * batches, timestamp look-ups and group-committed durability; plus its lifecycle — retention (deleteOldSegments),
 * compaction (compact), the log start offset (DeleteRecords), live config changes. Single-threaded by
 * construction: every mutation of the segment list runs synchronously on the event loop; fdatasync, index
 * persistence and the cleaner's I/O run on the libuv pool. Retention and compaction of one log are serialized.
 */
export class PartitionLog implements JournalMember, ReplayTarget {
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
  private readonly segments: SegmentList
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
  private deleted = false
  private readonly journal: JournalLink | null

  private constructor (dir: string, config: ResolvedLogConfig, now: () => number, segments: Segment[], durable: boolean, created: boolean, repaired: boolean, checkpoints: { start: number | null, cleaner: number | null }, journal: OpenOptions['journal']) {
    this.dir = dir
    this.config = config
    this.now = now
    this.segments = new SegmentList(dir, segments, created, repaired)
    this.logStartOffset = Math.max(segments[0].baseOffset, checkpoints.start ?? 0)
    this.logEndOffset = this.segments.active.nextOffset
    this.journal = journal === undefined ? null : new JournalLink(journal.journal, journal.key, this.logEndOffset)
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
    const loaded = loadLog(dir, full.indexIntervalBytes, now())
    if (loaded.cleanShutdown) rmSync(join(dir, CLEAN_SHUTDOWN_FILE), { force: true })
    return new PartitionLog(dir, full, now, loaded.segments, loaded.cleanShutdown && !loaded.repaired, created, loaded.repaired, loaded.checkpoints, options.journal)
  }

  /**
   * Appends already-validated batches (concatenated in one Buffer), patching baseOffset and
   * partitionLeaderEpoch = 0 in place — plus the LogAppendTime stamp when `logAppendTime` is given (which rewrites
   * the CRC). The whole Buffer goes into one segment with one write: a batch is never split across segments.
   */
  append (records: Buffer, options?: { logAppendTime?: number }): AppendResult {
    const result = this.appendToSegment(records, options?.logAppendTime ?? -1)
    this.journal?.append(this, result.lastOffset, records, this.commit.durableOffset)
    return result
  }

  /** Replay (journal.ts): batches with offsets already assigned, starting at the log end; not journaled again. */
  appendRecovered (records: Buffer): void {
    this.appendToSegment(records, -1)
  }

  get member (): JournalMember { return this }

  /** JournalMember: resolves once the segments hold every offset ≤ `offset` durably (or the log is gone). */
  segmentsDurable (offset: number): Promise<void> {
    const gone = (error: unknown): void => { if (!this.deleted) throw error }
    if (this.state !== 'open') return (this.closing ?? resolved).catch(gone)
    return this.commit.waitFor(Math.min(offset, this.logEndOffset - 1)).catch(gone)
  }

  private appendToSegment (records: Buffer, logAppendTime: number): AppendResult {
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
    this.lastAppendMs = this.now()
    this.maybeRoll(length, offsets, logAppendTime >= 0 ? logAppendTime : maxTimestamp)
    const segment = this.segments.active
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
    const target = Math.min(offset, this.logEndOffset - 1)
    if (this.journal === null || target < this.journal.from) return this.commit.waitFor(target)
    const seq = this.journal.sequenceFor(target, this.commit.durableOffset)
    if (seq === 0) return this.commit.error === null ? resolved : Promise.reject(this.commit.error)
    return this.journal.journal.waitFor(seq).then(() => {
      if (this.commit.error !== null) throw this.commit.error // deleted (or failed) while waiting
    })
  }

  /**
   * Whole batches starting with the one that contains `offset`, up to `maxBytes` — at least one batch whatever its
   * size, unless `firstMustFit` (then empty, read from nowhere, when that batch is larger than maxBytes). Empty when
   * `offset` is outside [logStartOffset, logEndOffset): range errors are the caller's call.
   */
  read (offset: number, maxBytes: number, firstMustFit = false): Buffer {
    if (offset < this.logStartOffset || offset >= this.logEndOffset) return Buffer.alloc(0)
    return readBatches(this.segments.items, this.segments.indexFor(offset), offset, maxBytes, firstMustFit)
  }

  /**
   * ListOffsets by timestamp: base offset (and maxTimestamp) of the first batch whose maxTimestamp ≥ `timestamp`,
   * or null. Batch granularity, not record granularity: a consumer starting there may first see a few records of
   * that batch with smaller timestamps — harmless for a seek, and it keeps the look-up free of record decoding.
   */
  offsetForTimestamp (timestamp: number): { offset: number, timestamp: number } | null {
    const segments = this.segments.items
    for (let i = this.segments.indexFor(this.logStartOffset); i < segments.length; i++) {
      const segment = segments[i]
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
    const segments = this.segments.items
    for (let i = this.segments.indexFor(this.logStartOffset); i < segments.length; i++) {
      const segment = segments[i]
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
  get size (): number { return this.segments.totalBytes }
  get segmentCount (): number { return this.segments.items.length }
  get segmentBaseOffsets (): number[] { return this.segments.items.map((s) => s.baseOffset) }
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
        removed += await this.removeMatching(() => retentionSizeBreach(this.segments.items, this.config.retentionBytes))
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
    const active = this.segments.active
    if (this.state !== 'open' || !active.hasWriter || now - this.lastAppendMs < idleMs || this.commit.busy) return false
    if (this.commit.durableOffset < this.logEndOffset || this.segments.hasUnsyncedSealed) {
      this.commit.request()
      return false
    }
    active.closeWriter(false)
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
    this.deleted = true
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
        if (failure === null) await this.segments.active.persistIndexesIfChanged()
        await this.deletions.flush()
      } finally {
        this.segments.releaseAll()
        this.state = 'closed'
      }
      if (failure !== null) throw failure
      // A hint for the next open (verify only the tail of the newest segment); losing it only costs a full scan,
      // so it is not worth a directory fsync per partition at shutdown.
      await writeFile(join(this.dir, CLEAN_SHUTDOWN_FILE), '')
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
    const count = deletablePrefix(this.segments.items, first)
    if (count === 0) return 0
    if (count === this.segments.items.length) this.roll(false) // never delete the active segment: it becomes a sealed one
    await this.settleSealed() // rolled segments are fsynced and closed before their files go
    if (this.state !== 'open') return 0
    const again = predicate()
    const removable = again === null ? 0 : Math.min(deletablePrefix(this.segments.items, again), this.segments.items.length - 1)
    if (removable === 0) return 0
    this.deletions.schedule(this.segments.removeOldest(removable), this.config.fileDeleteDelayMs)
    // No checkpoint write: on restart the first segment's base gives the same start. Should a crash undo the
    // renames (no directory fsync yet), the segments come back and the same rule removes them again.
    this.logStartOffset = Math.max(this.logStartOffset, this.segments.items[0].baseOffset)
    return removable
  }

  /** Until no rolled segment still waits for its fsync (its writer closes then); rethrows a sync failure. */
  private async settleSealed (): Promise<void> {
    while (this.segments.hasUnsyncedSealed) {
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
      get segments () { return log.segments.items },
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
    let deleted: string[]
    try {
      deleted = this.segments.replace(replaced, cleaned, manifest, onRename)
    } catch (error) {
      // Committed but not applied: files may be half renamed. Refuse writes; reopening finishes the swap.
      this.commit.fail(error instanceof Error ? error : new Error(String(error)))
      throw error
    }
    this.deletions.schedule(deleted, this.config.fileDeleteDelayMs)
  }

  private assertWritable (): void {
    if (this.state !== 'open') throw new Error(`partition log ${this.dir} is closed`)
    const failure = this.commit.error ?? this.journal?.journal.error ?? null
    if (failure !== null) throw failure
  }

  /** Kafka's LogSegment.shouldRoll: size, age (timestamps of the data, else wall clock), relative offset range. */
  private maybeRoll (bytes: number, offsets: number, maxTimestampInMessages: number): void {
    const segment = this.segments.active
    if (segment.size === 0) return // never leave an empty segment behind
    const full = segment.size + bytes > this.config.segmentBytes
    const firstTimestamp = segment.firstBatchTimestamp()
    const waited = firstTimestamp >= 0 ? maxTimestampInMessages - firstTimestamp : this.now() - segment.createdMs
    const old = waited > effectiveSegmentMs(this.config) - this.rollJitterMs
    const overflow = this.logEndOffset + offsets - 1 - segment.baseOffset > MAX_RELATIVE_OFFSET
    if (full || old || overflow) this.roll(true)
  }

  private roll (forAppend: boolean): void {
    this.segments.roll(this.logEndOffset, this.config.indexIntervalBytes, this.now(), forAppend)
    this.rollJitterMs = randomSegmentJitter(this.config)
    this.commit.request() // make the sealed segment durable and write its indexes without waiting for a producer
  }

  /** One group-commit round; returns the offset below which everything is durable. */
  private async syncOnce (): Promise<number> {
    const limiter = this.journal !== null && this.state === 'open' ? backgroundSyncLimiter : syncLimiter
    return await limiter.run(async () => {
      const end = this.logEndOffset // taken once running: covers what was appended while waiting for a slot
      await this.segments.sync(end, this.commit.durableOffset)
      return end
    })
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
