/**
 * Opening a partition directory after a clean or unclean shutdown.
 *
 * Invariant that makes older segments trustworthy: a segment's `.index`/`.timeindex` files are written only after
 * its `.log` bytes were fdatasync'ed (on roll, by the background flush; on close). So for every segment but the
 * newest, "both index files exist" means its log was complete on disk when it was sealed; those are trusted and
 * their indexes loaded lazily (and still rebuilt if found inconsistent then). A segment without index files was
 * sealed but never synced before the crash: it is verified like the newest one.
 *
 * The newest segment is verified batch by batch (structure + CRC-32C + offset order) from its start and cut at
 * the first torn, zero-filled or corrupt batch; its indexes are rebuilt during that scan. After a clean shutdown
 * (marker file written by close()) only the bytes after its last index entry are verified.
 *
 * If a verified older segment had to be cut, or overlaps the next one, every later segment is removed: offsets
 * stay contiguous, as with Kafka's truncation on recovery. Ending before the next segment begins is legal: a
 * compacted segment whose last records were superseded ends early.
 *
 * Before any of this, an interrupted compaction swap is finished or rolled back (compaction/swap.ts) and
 * `.deleted` files of removed segments are unlinked.
 */
import { fdatasyncSync, openSync, closeSync, readdirSync, rmSync, statSync, type Stats } from 'node:fs'
import { join } from 'node:path'
import { OFFSET_INDEX_ENTRY_SIZE } from './offset-index.js'
import { TIME_INDEX_ENTRY_SIZE } from './time-index.js'
import { Segment } from './segment.js'
import { needsSwapRecovery, recoverSwap } from './compaction/swap.js'
import { CLEANER_OFFSET_FILE, LOG_START_OFFSET_FILE, readCheckpoint } from './checkpoint.js'

export const CLEAN_SHUTDOWN_FILE = '.samsa-clean-shutdown'

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/

export interface LoadedLog {
  segments: Segment[]
  cleanShutdown: boolean
  /** Files were removed or truncated: the directory and files need an fsync before new data is acknowledged. */
  repaired: boolean
  /** The directory listing after recovery (callers look for checkpoint files in it). */
  names: string[]
}

export function loadSegments (dir: string, indexIntervalBytes: number): LoadedLog {
  let names = readdirSync(dir)
  let swapRepaired = false
  if (needsSwapRecovery(names)) {
    // An interrupted clean (finished or rolled back) and pending `.deleted` files, before segments are read.
    swapRepaired = recoverSwap(dir)
    names = readdirSync(dir)
  }
  const cleanShutdown = names.includes(CLEAN_SHUTDOWN_FILE)
  const logBases: number[] = []
  const present = new Set<string>()
  for (const name of names) {
    const match = SEGMENT_FILE.exec(name)
    if (match === null) continue
    present.add(name)
    if (match[2] === 'log') logBases.push(Number(match[1]))
  }
  logBases.sort((a, b) => a - b)
  let repaired = removeOrphanIndexes(dir, names, present) || swapRepaired

  const segments: Segment[] = []
  for (let i = 0; i < logBases.length; i++) {
    const base = logBases[i]
    const isNewest = i === logBases.length - 1
    const logPath = join(dir, String(base).padStart(20, '0') + '.log')
    const stat = statSync(logPath)
    const segment = Segment.existing(dir, base, stat.size, creationTime(stat), indexIntervalBytes)
    segments.push(segment)
    if (isNewest) {
      const cut = cleanShutdown && segment.tryLoadIndexes() ? segment.recoverAfterLastIndexEntry() : segment.recover()
      repaired ||= cut
      break
    }
    const nextBase = logBases[i + 1]
    segment.nextOffset = nextBase
    if (indexFilesLookSane(dir, base)) continue // trusted; indexes loaded on first use
    const cut = segment.recover()
    syncFile(logPath)
    segment.persistIndexesSync()
    if (cut || segment.nextOffset > nextBase) {
      for (const later of logBases.slice(i + 1)) Segment.existing(dir, later, 0, 0, indexIntervalBytes).deleteFiles()
      repaired = true
      break
    }
  }
  return { segments, cleanShutdown, repaired, names }
}

export interface LoadedPartition {
  /** Never empty: the last one is the active segment (appendable). */
  segments: Segment[]
  cleanShutdown: boolean
  repaired: boolean
  checkpoints: { start: number | null, cleaner: number | null }
}

/**
 * loadSegments plus the checkpoints, and an active segment when there is none. A log that ends below its
 * checkpointed start (segment files lost) starts over at the checkpoint, as Kafka's LogLoader does.
 */
export function loadLog (dir: string, indexIntervalBytes: number, nowMs: number): LoadedPartition {
  const loaded = loadSegments(dir, indexIntervalBytes)
  let segments = loaded.segments
  let repaired = loaded.repaired
  const start = loaded.names.includes(LOG_START_OFFSET_FILE) ? readCheckpoint(dir, LOG_START_OFFSET_FILE) : null
  const cleaner = loaded.names.includes(CLEANER_OFFSET_FILE) ? readCheckpoint(dir, CLEANER_OFFSET_FILE) : null
  const logEnd = segments.length === 0 ? 0 : segments[segments.length - 1].nextOffset
  if (start !== null && start > logEnd) {
    for (const segment of segments) segment.deleteFiles()
    segments = []
  }
  if (segments.length === 0) {
    segments.push(Segment.create(dir, start ?? 0, indexIntervalBytes, { keepOpen: false, createdMs: nowMs }))
    repaired = true
  } else {
    segments[segments.length - 1].openForAppend()
  }
  return { segments, cleanShutdown: loaded.cleanShutdown, repaired, checkpoints: { start, cleaner } }
}

/** Cheap open-time check (stat only); full consistency is checked when the indexes are loaded. */
function indexFilesLookSane (dir: string, base: number): boolean {
  const prefix = join(dir, String(base).padStart(20, '0'))
  try {
    const index = statSync(prefix + '.index')
    const timeIndex = statSync(prefix + '.timeindex')
    return index.size % OFFSET_INDEX_ENTRY_SIZE === 0 && timeIndex.size % TIME_INDEX_ENTRY_SIZE === 0
  } catch {
    return false
  }
}

function removeOrphanIndexes (dir: string, names: string[], present: Set<string>): boolean {
  let removed = false
  for (const name of names) {
    const match = SEGMENT_FILE.exec(name)
    if (match === null || match[2] === 'log' || present.has(`${match[1]}.log`)) continue
    rmSync(join(dir, name), { force: true })
    removed = true
  }
  return removed
}

/** When the segment started, for segment.ms: birth time where the filesystem reports it, else last modification. */
function creationTime (stat: Stats): number {
  return stat.birthtimeMs > 0 ? stat.birthtimeMs : stat.mtimeMs
}

function syncFile (path: string): void {
  const fd = openSync(path, 'r+')
  try { fdatasyncSync(fd) } finally { closeSync(fd) }
}
