/**
 * Which part of a log the cleaner may work on, and whether it should (Kafka's LogCleanerManager.cleanableOffsets,
 * maxCompactionDelay and the filthiest-log choice):
 * - firstDirtyOffset: the cleaner checkpoint, reset to the log start offset when outside [logStart, logEnd];
 * - firstUncleanableOffset: the active segment's base, or earlier: the first dirty segment holding a record newer
 *   than min.compaction.lag.ms;
 * - dirty ratio = cleanable bytes / (clean + cleanable bytes); a log is cleaned when the ratio exceeds
 *   min.cleanable.dirty.ratio (strictly, as Kafka), when a dirty segment's first batch is older than
 *   max.compaction.lag.ms, or — samsa's addition — when a delete horizon written by an earlier clean has passed,
 *   so tombstones go without waiting for more dirty data.
 */
import type { Segment } from '../segment.js'
import type { ResolvedLogConfig } from '../config.js'

export interface CleanableLog {
  readonly config: ResolvedLogConfig
  readonly logStartOffset: number
  readonly logEndOffset: number
  /** Every segment, oldest first; the last is the active one. */
  readonly segments: readonly Segment[]
  readonly cleanerCheckpoint: number | null
  /** Earliest delete horizon left in the log by the last clean (Infinity: none known). */
  readonly earliestDeleteHorizon: number
}

export interface CleanableRange {
  firstDirtyOffset: number
  firstUncleanableOffset: number
  cleanBytes: number
  cleanableBytes: number
  dirtyRatio: number
  /** max.compaction.lag.ms exceeded by a dirty segment. */
  needCompactionNow: boolean
  /** A delete horizon has passed: re-cleaning can drop tombstones or markers. */
  horizonPassed: boolean
}

export function cleanableRange (log: CleanableLog, now: number): CleanableRange {
  const segments = log.segments
  const active = segments[segments.length - 1]
  let firstDirty = log.cleanerCheckpoint ?? log.logStartOffset
  if (firstDirty < log.logStartOffset || firstDirty > log.logEndOffset) firstDirty = log.logStartOffset
  const dirty = segments.filter((s) => s !== active && s.nextOffset > firstDirty)

  let firstUncleanable = active.baseOffset
  const minLag = Math.max(0, log.config.minCompactionLagMs)
  if (minLag > 0) {
    const recent = dirty.find((s) => s.largestTimestamp() > now - minLag)
    if (recent !== undefined) firstUncleanable = Math.min(firstUncleanable, recent.baseOffset)
  }
  firstUncleanable = Math.max(firstDirty, firstUncleanable)

  let cleanBytes = 0
  let cleanableBytes = 0
  for (const segment of segments) {
    if (segment === active) break
    if (segment.nextOffset <= firstDirty) cleanBytes += segment.size
    else if (segment.baseOffset < firstUncleanable) cleanableBytes += segment.size
  }
  const total = cleanBytes + cleanableBytes

  let needCompactionNow = false
  const maxLag = Math.max(0, log.config.maxCompactionLagMs)
  if (maxLag < Number.MAX_SAFE_INTEGER) {
    const firsts = dirty.map((s) => s.firstBatchTimestamp()).filter((ts) => ts > 0)
    needCompactionNow = firsts.length > 0 && Math.min(...firsts) < now - maxLag
  }
  return {
    firstDirtyOffset: firstDirty,
    firstUncleanableOffset: firstUncleanable,
    cleanBytes,
    cleanableBytes,
    dirtyRatio: total === 0 ? 0 : cleanableBytes / total,
    needCompactionNow,
    horizonPassed: now >= log.earliestDeleteHorizon && total > 0
  }
}

export function shouldClean (log: CleanableLog, range: CleanableRange): boolean {
  if (!log.config.cleanupPolicy.compact) return false
  return (range.needCompactionNow && range.cleanableBytes > 0) || range.dirtyRatio > log.config.minCleanableDirtyRatio || range.horizonPassed
}
