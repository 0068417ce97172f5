/**
 * Durable partition logs. Layout (Kafka's): `<dataDir>/<topic>-<partition>/` holding segments named by their
 * 20-digit base offset — `.log` (record batches as the client sent them, only baseOffset/partitionLeaderEpoch
 * patched), sparse `.index` and `.timeindex` (rebuildable caches) — plus a clean-shutdown marker while closed,
 * `log-start-offset-checkpoint` / `cleaner-offset-checkpoint`, and transiently `.cleaned` / `.deleted` files and a
 * `cleaner-swap.json` manifest during compaction and retention (see compaction/swap.ts).
 */
export { PartitionLog, type AppendResult, type OpenOptions } from './partition-log.js'
export { DEFAULT_LOG_CONFIG, resolveLogConfig, type LogConfig, type ResolvedLogConfig, type CleanupPolicy } from './config.js'
export { LogMaintenance, type MaintenanceOptions, type PassReport } from './log-maintenance.js'
export type { CleanResult, CleanerOptions } from './compaction/cleaner.js'
export { CLEAN_SHUTDOWN_FILE } from './recovery.js'
export { segmentFileName } from './segment.js'
