import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, rmSync, writeSync, ftruncateSync, fdatasync as fdatasyncCb, renameSync, statSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { BATCH_HEADER_SIZE, BATCH_LAST_OFFSET_DELTA, BATCH_MAX_TIMESTAMP, readInt64 } from '@samsa/protocol'
import { OffsetIndex } from './offset-index.js'
import { TimeIndex, readLastTimestamp } from './time-index.js'
import { readFds, writeFds, type WriterOwner } from './fd-cache.js'
import { readFully, scanHeaders, scanValidBatches, type ValidBatch } from './file-scan.js'

const fdatasync = promisify(fdatasyncCb)

/** A clean shutdown leaves at most this much of the active segment unindexed on disk (see persistIndexesIfChanged). */
const UNINDEXED_TAIL_BYTES = 32 * 1024

/** Suffix of a segment being written by the log cleaner (see compaction/swap.ts). */
export const CLEANED_SUFFIX = '.cleaned'
/** Suffix of a removed segment's files until file.delete.delay.ms has passed. */
export const DELETED_SUFFIX = '.deleted'

/** `00000000000000000042` — Kafka's 20-digit, zero-padded base-offset file names. */
export function segmentFileName (baseOffset: number, extension: '.log' | '.index' | '.timeindex'): string {
  return String(baseOffset).padStart(20, '0') + extension
}

/**
 * One segment: `.log` (batches exactly as stored), `.index`, `.timeindex`. The active segment is `appendable`: it
 * opens a read/write descriptor on its first write (so 10,000 idle partitions hold no descriptor), kept in the
 * bounded writer cache (fd-cache.ts) and closed when evicted or idle; a freshly rolled segment stays appendable
 * until the background flush has fsynced it. Sealed segments read through the shared descriptor cache and load
 * their indexes lazily.
 */
export class Segment implements WriterOwner {
  readonly baseOffset: number
  readonly logPath: string
  readonly indexPath: string
  readonly timeIndexPath: string
  /** Bytes of valid batches in the .log. */
  size: number
  /** Offset after the last batch of this segment. */
  nextOffset: number
  /** Wall-clock time of the segment's first append (segment.ms rolls). */
  createdMs: number
  /** Active, or rolled but not yet fsynced: may have bytes that are not durable, may still be written. */
  appendable = false
  private writeFd = -1
  /** fdatasyncs in flight on writeFd. */
  private syncing = 0
  private readonly dir: string
  private readonly indexIntervalBytes: number
  private offsetIndex: OffsetIndex | null = null
  private timeIndex: TimeIndex | null = null
  private bytesSinceIndexEntry = 0
  private maxTs = -1
  private offsetOfMaxTs = -1
  /** Cached facts about an immutable (sealed) segment: null = not read yet. */
  private cachedLargestTs: number | null = null
  private cachedFirstBatchTs: number | null = null
  private cachedMtime: number | null = null
  /** Log size the index files on disk describe (0 = none). */
  private persistedSize = 0

  private constructor (dir: string, baseOffset: number, size: number, nextOffset: number, createdMs: number, indexIntervalBytes: number, suffix = '') {
    this.dir = dir
    this.baseOffset = baseOffset
    this.logPath = join(dir, segmentFileName(baseOffset, '.log') + suffix)
    this.indexPath = join(dir, segmentFileName(baseOffset, '.index') + suffix)
    this.timeIndexPath = join(dir, segmentFileName(baseOffset, '.timeindex') + suffix)
    this.size = size
    this.nextOffset = nextOffset
    this.createdMs = createdMs
    this.indexIntervalBytes = indexIntervalBytes
  }

  /**
   * A new, empty segment (stale files with the same names are replaced). `keepOpen`: keep the descriptor (a roll,
   * written right away); otherwise the file is only created and the descriptor opened on the first write.
   * `suffix`: the cleaner writes `.cleaned` segments that are renamed into place later.
   */
  static create (dir: string, baseOffset: number, indexIntervalBytes: number, options: { keepOpen?: boolean, suffix?: string, createdMs?: number } = {}): Segment {
    const segment = new Segment(dir, baseOffset, 0, baseOffset, options.createdMs ?? Date.now(), indexIntervalBytes, options.suffix ?? '')
    rmSync(segment.indexPath, { force: true })
    rmSync(segment.timeIndexPath, { force: true })
    readFds.evict(segment.logPath)
    const fd = openSync(segment.logPath, 'w+')
    if (options.keepOpen === false) closeSync(fd)
    else {
      segment.writeFd = fd
      writeFds.opened(segment)
    }
    segment.appendable = true
    segment.offsetIndex = new OffsetIndex(baseOffset)
    segment.timeIndex = new TimeIndex(baseOffset)
    return segment
  }

  /** A segment found on disk; `size` is the .log size (the caller recovers or trusts it). */
  static existing (dir: string, baseOffset: number, size: number, createdMs: number, indexIntervalBytes: number): Segment {
    return new Segment(dir, baseOffset, size, baseOffset, createdMs, indexIntervalBytes)
  }

  /** The recovered newest segment becomes the active one; its descriptor is opened on the first write. */
  openForAppend (): void {
    this.appendable = true
  }

  get hasWriter (): boolean { return this.writeFd >= 0 }

  /** The read/write descriptor, opened on demand (appendable segments only; bounded by the writer cache). */
  writerFd (): number {
    if (this.writeFd < 0) {
      if (!this.appendable) throw new Error(`segment ${this.logPath} is sealed`)
      readFds.evict(this.logPath)
      this.writeFd = openSync(this.logPath, 'r+')
      writeFds.opened(this)
    } else {
      writeFds.touch(this)
    }
    return this.writeFd
  }

  /** fdatasync of the .log on the libuv pool (the descriptor is pinned meanwhile). */
  async datasync (): Promise<void> {
    const fd = this.writerFd()
    this.syncing++
    try {
      await fdatasync(fd)
    } finally {
      this.syncing--
    }
  }

  get canCloseWriter (): boolean { return this.syncing === 0 }

  closeIdleWriter (): void {
    this.closeWriter(false)
  }

  readFd (): number {
    return this.writeFd >= 0 ? this.writeFd : readFds.get(this.logPath)
  }

  get maxTimestamp (): number { this.loadIndexes(); return this.maxTs }
  get offsetOfMaxTimestamp (): number { this.loadIndexes(); return this.offsetOfMaxTs }

  /**
   * Kafka's LogSegment.largestTimestamp, for retention.ms and min.compaction.lag.ms: the largest batch timestamp,
   * or the file's modification time when no batch carries one. For a sealed segment whose indexes are not loaded
   * only the last `.timeindex` entry is read (it always holds the segment maximum), so checking retention on
   * thousands of partitions does not load every index.
   */
  largestTimestamp (): number {
    let ts = this.offsetIndex !== null ? this.maxTs : (this.cachedLargestTs ??= this.readLastTimeIndexEntry())
    if (ts < 0) ts = this.lastModifiedMs()
    return ts
  }

  /** maxTimestamp of the first batch (Kafka's rollingBasedTimestamp), -1 when empty or without timestamps. */
  firstBatchTimestamp (): number {
    if (this.cachedFirstBatchTs !== null) return this.cachedFirstBatchTs
    if (this.size < BATCH_HEADER_SIZE) return -1
    const header = Buffer.allocUnsafe(BATCH_HEADER_SIZE)
    const ts = readFully(this.readFd(), header, BATCH_HEADER_SIZE, 0) === BATCH_HEADER_SIZE ? readInt64(header, BATCH_MAX_TIMESTAMP) : -1
    this.cachedFirstBatchTs = ts
    return ts
  }

  /** Modification time of the .log (cached once sealed: its content no longer changes). */
  lastModifiedMs (): number {
    if (this.cachedMtime !== null) return this.cachedMtime
    let mtime: number
    try { mtime = statSync(this.logPath).mtimeMs } catch { mtime = this.createdMs }
    if (!this.appendable) this.cachedMtime = mtime
    return mtime
  }

  private readLastTimeIndexEntry (): number {
    const ts = readLastTimestamp(this.timeIndexPath)
    if (ts !== null) return ts
    this.loadIndexes() // missing, empty or odd: the full (validating, rebuilding) path decides
    return this.maxTs
  }

  // ---- writing ----

  /** Appends bytes at the end of the .log; on failure the partial write is cut off again and the error rethrown. */
  write (buf: Buffer): void {
    const fd = this.writerFd()
    let done = 0
    try {
      while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, this.size + done)
    } catch (error) {
      try { ftruncateSync(fd, this.size) } catch {}
      throw error
    }
    this.size += buf.length
  }

  /**
   * Index bookkeeping for one batch written at `position` (Kafka's rule: an entry for the first batch after more
   * than indexIntervalBytes of unindexed log; the time index gets the running maximum at the same points).
   */
  trackBatch (baseOffset: number, lastOffset: number, position: number, size: number, maxTimestamp: number): void {
    const offsets = this.offsetIndex as OffsetIndex
    if (position === 0) this.cachedFirstBatchTs = maxTimestamp
    if (maxTimestamp > this.maxTs) { this.maxTs = maxTimestamp; this.offsetOfMaxTs = lastOffset }
    if (this.bytesSinceIndexEntry > this.indexIntervalBytes) {
      offsets.append(baseOffset, position);
      (this.timeIndex as TimeIndex).maybeAppend(this.maxTs, this.offsetOfMaxTs)
      this.bytesSinceIndexEntry = 0
    }
    this.bytesSinceIndexEntry += size
    this.nextOffset = lastOffset + 1
  }

  /** Final time-index entry so the last entry always carries the segment maximum. */
  seal (): void {
    if (this.timeIndex !== null && this.maxTs >= 0) this.timeIndex.maybeAppend(this.maxTs, this.offsetOfMaxTs)
  }

  /**
   * At close: persistIndexes unless the index files (possibly older ones) leave less than UNINDEXED_TAIL_BYTES
   * for the next open to verify — it always verifies the tail after the last persisted entry anyway. Closing
   * thousands of small partitions then costs no index writes, and reopening them costs a few KiB of reads each.
   */
  async persistIndexesIfChanged (): Promise<void> {
    this.seal()
    if (this.size - this.persistedSize < UNINDEXED_TAIL_BYTES) return
    await this.persistIndexes()
  }

  /** Writes and fsyncs both index files. Call only once the .log bytes they describe are durable. */
  async persistIndexes (): Promise<void> {
    this.seal()
    for (const [path, data] of [[this.indexPath, this.offsetIndex?.toBuffer()], [this.timeIndexPath, this.timeIndex?.toBuffer()]] as const) {
      if (data === undefined) continue
      const handle = await open(path, 'w')
      try {
        await handle.writeFile(data)
        await handle.datasync()
      } finally {
        await handle.close()
      }
    }
    this.persistedSize = this.size
  }

  /** Synchronous variant for recovery at open time. */
  persistIndexesSync (): void {
    this.seal()
    for (const [path, data] of [[this.indexPath, this.offsetIndex?.toBuffer()], [this.timeIndexPath, this.timeIndex?.toBuffer()]] as const) {
      if (data === undefined) continue
      const fd = openSync(path, 'w')
      try {
        writeSync(fd, data)
        fdatasyncSync(fd)
      } finally {
        closeSync(fd)
      }
    }
    this.persistedSize = this.size
  }

  /** Closes the write descriptor; `seal` also ends appendability (a rolled segment once durable). */
  closeWriter (seal = true): void {
    if (this.writeFd >= 0) {
      writeFds.closed(this)
      closeSync(this.writeFd)
      this.writeFd = -1
    }
    if (seal) this.appendable = false
  }

  /** Closes every descriptor of this segment (writer and cached reader). */
  release (): void {
    this.closeWriter()
    readFds.evict(this.logPath)
  }

  /**
   * Kafka's asynchronous segment deletion, first half: the files are renamed to `<name>.deleted` (recovery removes
   * leftovers) and the segment is dead for readers. Returns the renamed paths for the delayed unlink.
   */
  renameForDeletion (): string[] {
    this.release()
    const renamed: string[] = []
    for (const path of [this.logPath, this.indexPath, this.timeIndexPath]) {
      try {
        renameSync(path, path + DELETED_SUFFIX)
        renamed.push(path + DELETED_SUFFIX)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      }
    }
    return renamed
  }

  /**
   * The same segment under its final names, once the cleaner renamed its `.cleaned` files into place: indexes and
   * cached timestamps carry over, `nextOffset` is where the replaced segments ended.
   */
  promote (nextOffset: number): Segment {
    if (this.writeFd >= 0) throw new Error('promote: close the cleaned segment first')
    const segment = new Segment(this.dir, this.baseOffset, this.size, nextOffset, this.createdMs, this.indexIntervalBytes)
    segment.offsetIndex = this.offsetIndex
    segment.timeIndex = this.timeIndex
    segment.maxTs = this.maxTs
    segment.offsetOfMaxTs = this.offsetOfMaxTs
    return segment
  }


  // ---- recovery / index loading ----

  /**
   * Verifies batches from `from` (a batch start, `nextOffset` its base offset) to the end of the file, rebuilding
   * index entries as it goes; cuts the .log at the first torn or invalid batch. Returns true if bytes were cut.
   */
  recover (from = 0, nextOffset = this.baseOffset): boolean {
    if (this.offsetIndex === null) this.offsetIndex = new OffsetIndex(this.baseOffset)
    if (this.timeIndex === null) this.timeIndex = new TimeIndex(this.baseOffset)
    // A sealed segment covers offsets up to the next segment's base even when its last batch ends earlier (compaction).
    const coveredEnd = this.nextOffset
    this.nextOffset = nextOffset
    const fd = this.writeFd >= 0 ? this.writeFd : openSync(this.logPath, 'r+')
    try {
      const scan = scanValidBatches(fd, from, this.size, this.baseOffset, nextOffset, (b: ValidBatch) =>
        this.trackBatch(b.baseOffset, b.lastOffset, b.position, b.size, b.maxTimestamp))
      if (scan.validEnd === this.size) {
        if (coveredEnd > this.nextOffset) this.nextOffset = coveredEnd
        return false
      }
      ftruncateSync(fd, scan.validEnd)
      this.size = scan.validEnd
      return true
    } finally {
      if (fd !== this.writeFd) closeSync(fd)
    }
  }

  /** Clean-shutdown recovery: trust the loaded indexes and verify only the batches from the last index entry on. */
  recoverAfterLastIndexEntry (): boolean {
    const offsets = this.offsetIndex as OffsetIndex
    return this.recover(offsets.lastPosition, offsets.length > 0 ? offsets.lastOffset : this.baseOffset)
  }

  /** Loads the persisted indexes if they are present and consistent with the .log; false otherwise. */
  tryLoadIndexes (): boolean {
    if (!existsSync(this.indexPath) || !existsSync(this.timeIndexPath)) return false
    const offsets = OffsetIndex.fromBuffer(this.baseOffset, readFileSync(this.indexPath), this.size)
    const times = TimeIndex.fromBuffer(this.baseOffset, readFileSync(this.timeIndexPath))
    if (offsets === null || times === null) return false
    // A sealed segment's nextOffset is the next segment's base: no entry may point at or beyond it.
    if (this.nextOffset > this.baseOffset && (offsets.lastOffset >= this.nextOffset || times.lastOffset >= this.nextOffset)) return false
    this.offsetIndex = offsets
    this.timeIndex = times
    this.maxTs = times.lastTimestamp
    this.offsetOfMaxTs = times.lastOffset
    this.persistedSize = this.size
    return true
  }

  /** Sealed segments load their indexes on first use; an untrustworthy index is rebuilt from the .log. */
  private loadIndexes (): void {
    if (this.offsetIndex !== null) return
    if (this.tryLoadIndexes()) return
    this.recover()
    this.persistIndexesSync()
  }

  // ---- reading ----

  /** Position and size of the batch containing `offset` (or the first batch after it), or null if none here. */
  locate (offset: number): { position: number, size: number } | null {
    this.loadIndexes()
    const from = (this.offsetIndex as OffsetIndex).lookup(offset)
    let found: { position: number, size: number } | null = null
    scanHeaders(this.readFd(), from, this.size, (buf, at, position, size) => {
      const lastOffset = readInt64(buf, at) + buf.readInt32BE(at + BATCH_LAST_OFFSET_DELTA)
      if (lastOffset < offset) return false
      found = { position, size }
      return true
    })
    return found
  }

  /**
   * First batch (at or after `minOffset`) whose maxTimestamp ≥ `timestamp`: { its base offset, its maxTimestamp }.
   * Batch granularity: the returned offset is the batch's base offset, so a consumer may see a few earlier records.
   */
  findTimestamp (timestamp: number, minOffset: number): { offset: number, timestamp: number } | null {
    this.loadIndexes()
    if (this.maxTs < timestamp) return null
    const startOffset = Math.max((this.timeIndex as TimeIndex).searchStart(timestamp), minOffset)
    const from = (this.offsetIndex as OffsetIndex).lookup(startOffset)
    let result: { offset: number, timestamp: number } | null = null
    scanHeaders(this.readFd(), from, this.size, (buf, at) => {
      const baseOffset = readInt64(buf, at)
      const lastOffset = baseOffset + buf.readInt32BE(at + BATCH_LAST_OFFSET_DELTA)
      const maxTimestamp = readInt64(buf, at + BATCH_MAX_TIMESTAMP)
      if (lastOffset < minOffset || maxTimestamp < timestamp) return false
      result = { offset: Math.max(baseOffset, minOffset), timestamp: maxTimestamp }
      return true
    })
    return result
  }

  /** Removes the segment's files (descriptors must be released first). */
  deleteFiles (): void {
    this.release()
    for (const path of [this.logPath, this.indexPath, this.timeIndexPath]) rmSync(path, { force: true })
  }
}
