/**
 * The write-ahead journal: one sequence of files per data directory into which every partition's appends are
 * also written, so that acks=all costs one synchronous journal write per group-commit round for the whole broker
 * instead of one fdatasync per partition (ext4 here: ~220 µs per partition file vs ~210–420 µs for one 400 KB
 * journal write carrying 64 partitions' batches). Segments are still written synchronously (fetches see data at
 * once) but fsynced lazily: at a roll, at close, after 60 s idle, and when a journal file is retired — a file is
 * retired only once every partition that wrote to it has its segments durable past what it wrote there, and not
 * while a burst of appends goes on (see rotate).
 *
 * The journal file is opened with O_DSYNC: a round's single write returns once its bytes are on disk. Writes
 * into allocated blocks need no block allocation and no metadata commit (which on ext4 would also commit every
 * segment's inode update): about half the cost of an appending write. So retired files are kept (up to
 * SPARE_FILES) as `.free` and reused, a fresh data directory gets its spares zero-filled in the background once
 * 4 MiB were written, and a rotation moves to a spare as soon as one is ready.
 *
 * Replay (start-up, before anything is served): each entry of each remaining file is offered to its partition;
 * batches at or beyond the partition's log end — lost from the page cache by a power failure, the segment's torn
 * tail already cut by segment recovery — are appended again; batches the segment still has are skipped. After a
 * process crash (SIGKILL) the page cache keeps the segments complete and nothing is appended.
 *
 * The file format and the replay of one entry are in journal-format.ts.
 */
import { closeSync, constants, existsSync, fdatasync as fdatasyncCb, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, write as writeCb } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { crc32cOf } from '@samsa/protocol'
import { CRC_FROM, FILE_NAME, HEADER_SIZE, SIZE_FIELD, fileName, readEntries, replayEntry, type JournalMember, type ReplayTarget } from './journal-format.js'
import { syncDirectory, syncDirectorySync } from './dir-sync.js'

const write = promisify(writeCb)
const fdatasync = promisify(fdatasyncCb)

const FREE_SUFFIX = '.free'
/** A spare being zero-filled (removed at open: a crash interrupted it). */
const FILLING_SUFFIX = '.filling'
/**
 * Zero-fill write size. The spares of a fresh data directory (192 MiB) are written during its first burst, and the
 * kernel's copy of large writes competed with the burst for CPU: the first 1 M-record produce after a fresh start
 * took 920–1,102 ms with 8 MiB writes and 804–904 ms with 1 MiB (broker CPU 550–790 → 480–520 ms; medians of 7
 * interleaved rounds, docs/benchmarks.md). Later runs are unchanged.
 */
const ZERO_CHUNK = 1024 * 1024
/** Spares are zero-filled only once this much was written to a fresh file (a broker that stays idle, or a test, skips it). */
const PREALLOCATE_AFTER_BYTES = 4 * 1024 * 1024
/**
 * Full journal files that may wait for their retirement while appends keep coming. Retiring fsyncs the segments of
 * every partition in the file, a second stream of disk writes that slowed the journal's own writes when it ran in
 * the middle of a burst (measured: rounds 0.5 → 1.1 ms on average, up to 11 ms); two let a burst of about
 * 2 × log.journal.file.bytes finish first.
 */
const UNRETIRED_FILES = 2
/** Waiting files are retired once no append arrived for this long. */
const IDLE_RETIRE_MS = 300
/**
 * Retired files kept for reuse. Under sustained load a retirement (fsyncing the segments of every partition in the
 * file) takes longer than filling the next file; with two spares every fourth rotation or so found none ready and
 * started a fresh file, whose appends cost ~8 ms per O_DSYNC write instead of ~0.5 ms (block allocation and a
 * metadata commit each). Three keep a burst on reused files; a fresh data directory zero-fills all three, since a
 * fresh file it abandons early (for a ready spare) is removed at its retirement and never adds to the pool.
 */
const SPARE_FILES = 3
/**
 * Segment fsyncs a retirement runs at once. libuv's pool has 4 threads: with more, the journal's own writes queue
 * behind segment fsyncs and every acks=all reply waits (measured: 64 at once cost 15–25 % of produce throughput).
 */
const RETIRE_CONCURRENCY = 2
/** Initial size of each of the two staging buffers (grown for larger rounds). */
const STAGING_BYTES = 4 * 1024 * 1024
/**
 * A grown staging buffer shrinks back only after this long without a round that needed it: fresh memory costs a
 * page fault per 4 KiB on first touch, and shrinking after every small round re-grew it at the next burst
 * (measured: 4,000–13,000 faults per million records when journal writes slowed down).
 */
const STAGING_SHRINK_AFTER_MS = 1000
/** Journal file size before the next one is started and the old one retired. */
export const DEFAULT_JOURNAL_FILE_BYTES = 64 * 1024 * 1024

export type { JournalMember, ReplayTarget } from './journal-format.js'

export interface ReplayStats { files: number, entries: number, appendedBatches: number, appendedBytes: number, orphanEntries: number, gaps: number }

export interface JournalOptions {
  fileBytes?: number
  /** Full files whose retirement may wait while appends keep coming (default UNRETIRED_FILES; 0 = at rotation). */
  unretiredFiles?: number
  /** Problems found by replay or a failed retirement (one line each). */
  warn?: (message: string) => void
}

interface Deferred { promise: Promise<void>, resolve: () => void, reject: (error: Error) => void }
/** One write in flight: appends up to `upTo`; `done` is created when someone waits for it. */
interface Round { upTo: number, done: Deferred | null }
interface JournalFile { number: number, path: string, fd: number, bytes: number, members: Map<JournalMember, number> }

function deferred (): Deferred {
  let resolve!: () => void
  let reject!: (error: Error) => void
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej })
  promise.catch(() => {}) // rejections reach every awaiting caller; an unobserved one must not crash the process
  return { promise, resolve, reject }
}

const resolved = Promise.resolve()

export class Journal {
  readonly dir: string
  private readonly fileBytes: number
  private readonly unretiredFiles: number
  private readonly warn: (message: string) => void
  private file: JournalFile
  /** Files from before this start, replayed (or not) and retired once their partitions are durable. */
  private leftovers: string[]
  /** Retired files (`.free`) waiting to be reused by a rotation. */
  private readonly spares: string[]
  private readonly retiring = new Set<Promise<void>>()
  /** Full files whose retirement is deferred (see rotate), oldest first. */
  private readonly unretired: JournalFile[] = []
  private idleRetirement: NodeJS.Timeout | null = null
  private lastAppendMs = 0
  /** Sequence number of the last append; appends ≤ durableSeq are on disk. */
  private appendedSeq = 0
  private durableSeq = 0
  /**
   * Entries of the next round are copied into a staging buffer (a memcpy of warm memory costs less on the event
   * loop than handing libuv one iovec per entry, and request buffers are released at once); two buffers
   * alternate: one being written by the round in flight, one filling.
   */
  private staging = Buffer.allocUnsafeSlow(STAGING_BYTES)
  private spareStaging = Buffer.allocUnsafeSlow(STAGING_BYTES)
  private pendingBytes = 0
  /** When a round last needed more than STAGING_BYTES (see STAGING_SHRINK_AFTER_MS). */
  private lastLargeRoundMs = 0
  /** Where each pending entry's header starts in `staging` (file number and CRC are set at round start). */
  private pendingHeaders: number[] = []
  private pendingMembers = new Map<JournalMember, number>()
  private inflight: Round | null = null
  private next: Deferred | null = null
  private scheduled = false
  private failure: Error | null = null
  private closed = false
  /** The active file was created, not reused: move to a spare at the next round once one is ready. */
  private activeIsFresh = false
  private preallocating: Promise<void> | null = null

  private constructor (dir: string, leftovers: string[], spares: string[], number: number, options: JournalOptions) {
    this.dir = dir
    this.leftovers = leftovers
    this.spares = spares
    this.fileBytes = options.fileBytes ?? DEFAULT_JOURNAL_FILE_BYTES
    this.unretiredFiles = options.unretiredFiles ?? UNRETIRED_FILES
    this.warn = options.warn ?? (() => {})
    this.file = this.startFile(number)
    // Before the first acknowledgement: the new (or renamed spare) file's directory entry must survive a power failure.
    syncDirectorySync(dir)
  }

  /** Whether `dir` holds journal files of an earlier run (spares do not count): they need a replay. */
  static hasFiles (dir: string): boolean {
    return existsSync(dir) && readdirSync(dir).some((name) => FILE_NAME.test(name))
  }

  /** Opens the journal directory: existing files are kept for replay(), appends go to a new (or reused) file. */
  static open (dir: string, options: JournalOptions = {}): Journal {
    if (mkdirSync(dir, { recursive: true }) !== undefined) syncDirectorySync(dirname(dir))
    let names = readdirSync(dir)
    for (const name of names) if (name.endsWith(FILLING_SUFFIX)) rmSync(join(dir, name), { force: true })
    names = names.filter((name) => !name.endsWith(FILLING_SUFFIX))
    const numbers = names.map((name) => FILE_NAME.exec(name)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b)
    const spares = names.filter((name) => name.endsWith(FREE_SUFFIX)).map((name) => join(dir, name))
    const highest = Math.max(0, ...numbers, ...spares.map((path) => Number(/^(\d{20})/.exec(basename(path))?.[1] ?? 0)))
    return new Journal(dir, numbers.map((n) => join(dir, fileName(n))), spares, highest + 1, options)
  }

  get error (): Error | null { return this.failure }
  /** Everything up to this append sequence number is on disk. */
  get durableSequence (): number { return this.durableSeq }
  /** The sequence number of the newest append. */
  get lastSequence (): number { return this.appendedSeq }

  /**
   * Offers every entry of the files left by the previous run to `lookup(key)`'s partition (see the file comment);
   * those files are then retired like any full file. Call once, after the partitions are open, before appending.
   */
  replay (lookup: (key: string) => ReplayTarget | undefined): ReplayStats {
    const stats: ReplayStats = { files: 0, entries: 0, appendedBatches: 0, appendedBytes: 0, orphanEntries: 0, gaps: 0 }
    for (const path of this.leftovers) {
      stats.files++
      const members = new Map<JournalMember, number>()
      const number = Number(FILE_NAME.exec(path.slice(path.length - 24))?.[1] ?? -1)
      for (const entry of readEntries(readFileSync(path), number, (why) => this.warn(`journal ${path}: ${why}`))) {
        stats.entries++
        const target = lookup(entry.key)
        if (target === undefined) { stats.orphanEntries++; continue } // topic deleted (or recreated with a new id)
        const outcome = replayEntry(target, entry.records)
        stats.appendedBatches += outcome.batches
        stats.appendedBytes += outcome.bytes
        if (outcome.gap) {
          stats.gaps++
          this.warn(`journal ${path}: ${entry.key} continues at offset ${outcome.gapAt} but its log ends at ${target.logEndOffset}; entry skipped`)
        }
        members.set(target.member, Math.max(members.get(target.member) ?? -1, outcome.lastOffset))
      }
      this.retire(path, -1, members)
    }
    this.leftovers = []
    return stats
  }

  /**
   * Queues `records` (already appended to `member`'s segment, offsets ending at `lastOffset`) for the next round;
   * returns the append's sequence number for waitFor. The bytes are copied: the caller keeps its buffer.
   */
  append (member: JournalMember, key: Buffer, lastOffset: number, records: Buffer): number {
    if (this.failure !== null) throw this.failure
    if (this.closed) throw new Error('the journal is closed')
    const size = HEADER_SIZE + key.length + records.length
    if (this.pendingBytes + size > this.staging.length) this.growStaging(this.pendingBytes + size)
    const staging = this.staging
    const at = this.pendingBytes
    staging.writeUInt32BE(size - SIZE_FIELD, at)
    staging.writeUInt32BE(records.length, at + 12)
    staging.writeInt32BE(0, at + 16)
    staging.writeUInt16BE(key.length, at + 20)
    key.copy(staging, at + HEADER_SIZE)
    records.copy(staging, at + HEADER_SIZE + key.length)
    this.pendingHeaders.push(at)
    this.pendingBytes = at + size
    this.pendingMembers.set(member, lastOffset)
    this.lastAppendMs = performance.now()
    this.schedule()
    return ++this.appendedSeq
  }

  /** Resolves once append number `seq` (and every one before it) is on disk. */
  waitFor (seq: number): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    if (seq <= this.durableSeq) return resolved
    const round = this.inflight
    if (round !== null && seq <= round.upTo) {
      round.done ??= deferred()
      return round.done.promise
    }
    this.next ??= deferred()
    this.schedule()
    return this.next.promise
  }

  /**
   * Waits for the write in flight and for retirements. `clean`: every partition closed with its segments
   * durable, so no file is needed any more: they become spares (or are removed).
   */
  async close (clean: boolean): Promise<void> {
    this.closed = true
    while (this.inflight !== null || this.scheduled) await new Promise((resolve) => setImmediate(resolve))
    if (this.idleRetirement !== null) clearTimeout(this.idleRetirement)
    while (this.unretired.length > 0) this.retireOldest()
    await Promise.allSettled([...this.retiring])
    await this.preallocating
    closeSync(this.file.fd)
    if (!clean || this.failure !== null) return
    for (const name of readdirSync(this.dir)) {
      if (!FILE_NAME.test(name)) continue
      if (this.spares.length < SPARE_FILES) {
        renameSync(join(this.dir, name), join(this.dir, name + FREE_SUFFIX))
        this.spares.push(join(this.dir, name + FREE_SUFFIX))
      } else {
        rmSync(join(this.dir, name), { force: true })
      }
    }
  }

  // ---- rounds ----

  private schedule (): void {
    if (this.scheduled || this.inflight !== null || this.failure !== null) return
    this.scheduled = true
    // setImmediate: every request handled in this turn of the event loop joins the same round.
    setImmediate(() => {
      this.scheduled = false
      this.startRound()
    })
  }

  private startRound (): void {
    if (this.inflight !== null || this.failure !== null) return
    if (this.pendingBytes === 0) {
      // Nothing to write: every append so far is already on disk.
      this.next?.resolve()
      this.next = null
      return
    }
    const round: Round = { upTo: this.appendedSeq, done: this.next }
    this.next = null
    this.inflight = round
    this.runRound(round).then(() => {
      this.inflight = null
      if (this.pendingBytes > 0 || this.next !== null) this.startRound()
    }, (error: unknown) => {
      this.inflight = null
      const failure = error instanceof Error ? error : new Error(String(error))
      round.done?.reject(failure)
      this.fail(failure)
    })
  }

  private async runRound (round: Round): Promise<void> {
    if (this.file.bytes >= this.fileBytes || (this.activeIsFresh && this.spares.length > 0)) {
      await this.rotate()
      round.upTo = this.appendedSeq // appends made during the rotation are in this round's write too
    }
    if (this.activeIsFresh && this.preallocating === null && this.spares.length < SPARE_FILES && this.file.bytes >= PREALLOCATE_AFTER_BYTES) {
      this.preallocating = this.preallocateSpares(this.file.number)
    }
    const bytes = this.pendingBytes
    const data = this.staging.subarray(0, bytes)
    const file = this.file
    for (const at of this.pendingHeaders) {
      data.writeUInt32BE(file.number >>> 0, at + 8)
      const headerEnd = at + HEADER_SIZE + data.readUInt16BE(at + 20)
      data.writeUInt32BE(crc32cOf(data.subarray(at + CRC_FROM, headerEnd)), at + 4)
    }
    for (const [member, lastOffset] of this.pendingMembers) file.members.set(member, lastOffset)
    this.pendingHeaders = []
    this.pendingBytes = 0
    this.pendingMembers = new Map()
    // Swap: appends during the write fill the other buffer. A buffer grown under a burst shrinks back once the
    // burst has been over for a while.
    const now = performance.now()
    if (bytes > STAGING_BYTES) this.lastLargeRoundMs = now
    const filled = this.staging
    const shrink = this.spareStaging.length > STAGING_BYTES && now - this.lastLargeRoundMs > STAGING_SHRINK_AFTER_MS
    this.staging = shrink ? Buffer.allocUnsafeSlow(STAGING_BYTES) : this.spareStaging
    this.spareStaging = filled
    const { bytesWritten } = await write(file.fd, data, 0, bytes, file.bytes) // O_DSYNC: durable on return
    if (bytesWritten !== bytes) throw new Error(`journal ${file.path}: short write (${bytesWritten} of ${bytes} bytes)`)
    file.bytes += bytes
    this.durableSeq = round.upTo
    round.done?.resolve()
  }

  /** Starts the next file (its directory entry durable before anything in it is acknowledged); retires the old. */
  private async rotate (): Promise<void> {
    const old = this.file
    this.file = this.startFile(old.number + 1)
    await syncDirectory(this.dir)
    // Retirement fsyncs the segments of every partition in the file: deferred while the journal is busy (a burst
    // then pays for it once it is over), forced once more than UNRETIRED_FILES full files wait.
    this.unretired.push(old)
    while (this.unretired.length > this.unretiredFiles) this.retireOldest()
    this.idleRetirement ??= setTimeout(() => this.retireWhenIdle(), IDLE_RETIRE_MS)
    this.idleRetirement.unref()
  }

  private retireOldest (): void {
    const file = this.unretired.shift()
    if (file !== undefined) this.retire(file.path, file.fd, file.members)
  }

  /** Retires the waiting files once no append arrived for IDLE_RETIRE_MS (else checks again later). */
  private retireWhenIdle (): void {
    this.idleRetirement = null
    if (this.unretired.length === 0) return
    if (performance.now() - this.lastAppendMs < IDLE_RETIRE_MS || this.inflight !== null) {
      this.idleRetirement = setTimeout(() => this.retireWhenIdle(), IDLE_RETIRE_MS)
      this.idleRetirement.unref()
      return
    }
    while (this.unretired.length > 0) this.retireOldest()
  }

  /** A file for appends: a spare renamed to its new number (overwritten in place), else a new one. */
  private startFile (number: number): JournalFile {
    const path = join(this.dir, fileName(number))
    const spare = this.spares.shift()
    let flags = constants.O_RDWR | constants.O_CREAT | constants.O_DSYNC
    if (spare !== undefined) renameSync(spare, path)
    else flags |= constants.O_TRUNC
    this.activeIsFresh = spare === undefined
    return { number, path, fd: openSync(path, flags), bytes: 0, members: new Map() }
  }

  /**
   * Zero-fills spares for a fresh data directory, one chunk at a time on the libuv pool (about fileBytes ×
   * SPARE_FILES of writes, once per data directory). Named below the active file's number, so they are never
   * mistaken for files to replay.
   */
  private async preallocateSpares (activeNumber: number): Promise<void> {
    const zeros = Buffer.alloc(ZERO_CHUNK)
    for (let i = 0; i < SPARE_FILES && this.spares.length < SPARE_FILES && !this.closed && this.failure === null; i++) {
      const path = join(this.dir, `${fileName(0)}.${activeNumber}-${i}`)
      const fd = openSync(path + FILLING_SUFFIX, 'w')
      try {
        for (let at = 0; at < this.fileBytes && !this.closed; at += ZERO_CHUNK) await write(fd, zeros, 0, Math.min(ZERO_CHUNK, this.fileBytes - at), at)
        await fdatasync(fd)
      } catch (error) {
        this.warn(`journal: cannot preallocate ${path}: ${(error as Error).message}`)
        return
      } finally {
        closeSync(fd)
      }
      if (this.closed) { rmSync(path + FILLING_SUFFIX, { force: true }); return }
      renameSync(path + FILLING_SUFFIX, path + FREE_SUFFIX)
      this.spares.push(path + FREE_SUFFIX)
    }
  }

  /** Keeps (or deletes) a full file once every partition that wrote to it has its segments durable past its entries. */
  private retire (path: string, fd: number, members: Map<JournalMember, number>): void {
    const done = (async () => {
      try {
        const queue = [...members]
        await Promise.all(Array.from({ length: Math.min(RETIRE_CONCURRENCY, queue.length) }, async () => {
          for (let next = queue.shift(); next !== undefined; next = queue.shift()) await next[0].segmentsDurable(next[1])
        }))
        if (fd >= 0) closeSync(fd)
        fd = -1
        if (this.spares.length < SPARE_FILES && !this.closed && statSync(path).size >= this.fileBytes / 2) {
          renameSync(path, path + FREE_SUFFIX)
          this.spares.push(path + FREE_SUFFIX)
        } else {
          rmSync(path, { force: true })
        }
      } catch (error) {
        this.warn(`journal ${path} kept for the next start: ${(error as Error).message}`)
      } finally {
        if (fd >= 0) closeSync(fd)
      }
    })()
    this.retiring.add(done)
    void done.finally(() => this.retiring.delete(done))
  }

  /** A write error is final (see flusher.ts on fsyncgate): every waiter, now and later, fails. */
  private fail (error: Error): void {
    this.failure ??= error
    this.next?.reject(this.failure)
    this.next = null
    this.pendingHeaders = []
    this.pendingBytes = 0
  }

  /** A burst larger than the staging buffer: a bigger one, with the pending entries copied over. */
  private growStaging (needed: number): void {
    const grown = Buffer.allocUnsafeSlow(Math.max(needed, this.staging.length * 2))
    this.staging.copy(grown, 0, 0, this.pendingBytes)
    this.staging = grown
  }
}

