/** cleanup.policy: `delete` (retention), `compact` (log cleaner), or both (`compact,delete`). */
export interface CleanupPolicy {
  delete: boolean
  compact: boolean
}

/**
 * Per-partition log settings, named after Kafka's topic configs. The log-lifecycle fields (retention, compaction,
 * file deletion) are optional so that a caller who only knows the storage fields still compiles: an omitted field
 * takes Kafka's default (DEFAULT_LOG_CONFIG). `PartitionLog.configure(partial)` changes any of them on a live log.
 */
export interface LogConfig {
  /** Roll when the active segment would exceed this many bytes (segment.bytes / log.segment.bytes). */
  segmentBytes: number
  /**
   * Roll when the active segment is older than this (segment.ms / log.roll.ms), judged as Kafka does on the next
   * append: the incoming batch's max timestamp minus the segment's first batch max timestamp, or wall-clock age
   * when the segment has no timestamp. With compaction and a max.compaction.lag.ms, the smaller of the two.
   */
  segmentMs: number
  /** Bytes of log between two sparse index entries (index.interval.bytes). */
  indexIntervalBytes: number
  /** segment.jitter.ms: each segment rolls up to a random amount earlier than segment.ms (spreads rolls). */
  segmentJitterMs?: number
  /** Start a background fdatasync after this many appended records (flush.messages). */
  flushIntervalMessages: number
  /** Start a background fdatasync at least this often; 0 or Infinity = only on demand (flush.ms). */
  flushIntervalMs: number
  /** retention.ms: delete segments whose largest timestamp is older than this; -1 = keep forever. */
  retentionMs?: number
  /** retention.bytes: delete the oldest segments while the partition is larger than this; -1 = unlimited. */
  retentionBytes?: number
  /** cleanup.policy. */
  cleanupPolicy?: CleanupPolicy
  /** min.compaction.lag.ms: segments holding a record newer than this are not compacted yet. */
  minCompactionLagMs?: number
  /** max.compaction.lag.ms: a dirty segment whose first batch is older than this is compacted regardless of ratio. */
  maxCompactionLagMs?: number
  /** delete.retention.ms: how long a tombstone (and an empty transaction's marker) survives after its first clean. */
  deleteRetentionMs?: number
  /** min.cleanable.dirty.ratio: compact once dirty bytes / (clean + dirty bytes) exceeds this. */
  minCleanableDirtyRatio?: number
  /** file.delete.delay.ms: removed segments are renamed to `.deleted` and unlinked this much later. */
  fileDeleteDelayMs?: number
}

/** Every field present: what a PartitionLog works with. */
export type ResolvedLogConfig = Required<LogConfig>

/** Kafka's defaults; durability beyond the page cache comes from group commit (flushedUpTo) unless configured. */
export const DEFAULT_LOG_CONFIG: Readonly<ResolvedLogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  indexIntervalBytes: 4096,
  segmentJitterMs: 0,
  flushIntervalMessages: Number.MAX_SAFE_INTEGER,
  flushIntervalMs: 0,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  cleanupPolicy: Object.freeze({ delete: true, compact: false }),
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  minCleanableDirtyRatio: 0.5,
  fileDeleteDelayMs: 60_000
})

export function resolveLogConfig (config: Partial<LogConfig>): ResolvedLogConfig {
  const resolved: ResolvedLogConfig = { ...DEFAULT_LOG_CONFIG }
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) (resolved as unknown as Record<string, unknown>)[key] = value
  }
  resolved.cleanupPolicy = { ...resolved.cleanupPolicy }
  return resolved
}

/** Kafka's LogConfig.maxSegmentMs: a compacted topic with a max compaction lag rolls at least that often. */
export function effectiveSegmentMs (config: ResolvedLogConfig): number {
  if (config.cleanupPolicy.compact && config.maxCompactionLagMs > 0) return Math.min(config.maxCompactionLagMs, config.segmentMs)
  return config.segmentMs
}

/** Kafka's LogConfig.randomSegmentJitter: a per-segment roll advance in [0, min(segment.jitter.ms, segment.ms)). */
export function randomSegmentJitter (config: ResolvedLogConfig): number {
  const bound = Math.min(config.segmentJitterMs, config.segmentMs)
  return bound > 0 ? Math.floor(Math.random() * bound) : 0
}
