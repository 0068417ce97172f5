export interface LogConfig {
  /** Roll when the active segment would exceed this many bytes (log.segment.bytes). */
  segmentBytes: number
  /** Roll when the active segment's first append is older than this (log.roll.ms). */
  segmentMs: number
  /** Bytes of log between two sparse index entries (log.index.interval.bytes). */
  indexIntervalBytes: number
  /** Start a background fdatasync after this many appended records (log.flush.interval.messages). */
  flushIntervalMessages: number
  /** Start a background fdatasync at least this often; 0 or Infinity = only on demand (log.flush.interval.ms). */
  flushIntervalMs: number
}

/** Kafka's defaults; durability beyond the page cache comes from group commit (flushedUpTo) unless configured. */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  indexIntervalBytes: 4096,
  flushIntervalMessages: Number.MAX_SAFE_INTEGER,
  flushIntervalMs: 0
})
