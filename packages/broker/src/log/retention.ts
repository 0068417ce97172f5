/**
 * Which segments retention removes (Kafka's UnifiedLog.deleteOldSegments and LocalLog.deletableSegments): the
 * longest prefix of segments matching a predicate, never an empty active segment. Three predicates, applied in
 * this order:
 * - log start offset: a segment whose successor starts at or below the log start offset (DeleteRecords, or a
 *   checkpoint after restart) — applies whatever the cleanup.policy;
 * - retention.bytes (cleanup.policy contains delete): while the partition minus the segment is still at least the
 *   limit — the oldest segments go first;
 * - retention.ms (likewise): the segment's largest timestamp (or file time when it has none) is older than the limit.
 * The active segment can match the last two when it holds data; the log then rolls first, as Kafka does, so the
 * expired data goes and a fresh empty active segment remains.
 */
import type { Segment } from './segment.js'

export type DeletePredicate = (segment: Segment, next: Segment | undefined) => boolean

/** Number of leading segments matching `predicate` (stops at the first that does not). */
export function deletablePrefix (segments: readonly Segment[], predicate: DeletePredicate): number {
  let count = 0
  for (let i = 0; i < segments.length; i++) {
    const next = segments[i + 1]
    const lastAndEmpty = next === undefined && segments[i].size === 0
    if (lastAndEmpty || !predicate(segments[i], next)) break
    count++
  }
  return count
}

export function startOffsetBreach (logStartOffset: number): DeletePredicate {
  return (_segment, next) => next !== undefined && next.baseOffset <= logStartOffset
}

/** null when retention.bytes is off or not exceeded. Stateful: use once, oldest segment first. */
export function retentionSizeBreach (segments: readonly Segment[], retentionBytes: number): DeletePredicate | null {
  if (retentionBytes < 0) return null
  let excess = segments.reduce((sum, s) => sum + s.size, 0) - retentionBytes
  if (excess < 0) return null
  return (segment) => {
    if (excess - segment.size < 0) return false
    excess -= segment.size
    return true
  }
}

export function retentionTimeBreach (now: number, retentionMs: number): DeletePredicate | null {
  if (retentionMs < 0) return null
  return (segment) => now - segment.largestTimestamp() > retentionMs
}
