export { PartitionLog, type AppendResult } from './partition-log.js'
export { DEFAULT_LOG_CONFIG, type LogConfig } from './config.js'
export { CLEAN_SHUTDOWN_FILE } from './recovery.js'
export { segmentFileName } from './segment.js'
