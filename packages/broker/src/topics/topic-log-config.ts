import type { LogConfig, PartitionLog } from '../log/index.js'
import type { TopicSettings } from './topic-configs.js'

/**
 * The bridge from a topic's effective settings to its partition logs: every LogConfig field, storage and
 * lifecycle (retention, compaction, file deletion) alike. Topic configs are the only source; a change
 * (AlterConfigs, IncrementalAlterConfigs) reaches the open logs through PartitionLog.configure.
 */
export type TopicLogConfig = Required<LogConfig>

export function logConfigFor (settings: TopicSettings): TopicLogConfig {
  return {
    segmentBytes: settings.segmentBytes,
    segmentMs: settings.segmentMs,
    segmentJitterMs: settings.segmentJitterMs,
    indexIntervalBytes: settings.indexIntervalBytes,
    flushIntervalMessages: settings.flushMessages,
    // 0 = only on demand: Kafka's flush.ms=Long.MAX means the same; flush.ms=0 ("always") becomes 1 ms.
    flushIntervalMs: settings.flushMs >= Number.MAX_SAFE_INTEGER ? 0 : Math.max(settings.flushMs, 1),
    retentionMs: settings.retentionMs,
    retentionBytes: settings.retentionBytes,
    cleanupPolicy: { ...settings.cleanupPolicy },
    minCompactionLagMs: settings.minCompactionLagMs,
    maxCompactionLagMs: settings.maxCompactionLagMs,
    deleteRetentionMs: settings.deleteRetentionMs,
    minCleanableDirtyRatio: settings.minCleanableDirtyRatio,
    fileDeleteDelayMs: settings.fileDeleteDelayMs
  }
}

/** Applies changed settings to an open log (retention/compaction at once, segment settings from the next roll). */
export function applyLogConfig (log: PartitionLog, config: TopicLogConfig): void {
  log.configure(config)
}
