/**
 * Durable partition logs. Layout (Kafka's): `<dataDir>/<topic>-<partition>/` holding segments named by their
 * 20-digit base offset — `.log` (record batches as the client sent them, only baseOffset/partitionLeaderEpoch
 * patched), sparse `.index` and `.timeindex` (rebuildable caches) — plus a clean-shutdown marker while closed.
 */
export { PartitionLog, type AppendResult } from './partition-log.js'
export { DEFAULT_LOG_CONFIG, type LogConfig } from './config.js'
export { CLEAN_SHUTDOWN_FILE } from './recovery.js'
export { segmentFileName } from './segment.js'
