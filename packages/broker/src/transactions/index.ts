/**
 * Transactions: the coordinator (coordinator.ts) with its durable journal (journal.ts), the transaction metadata
 * and state machine (metadata.ts), and the hook the consumer-group coordinator implements for TxnOffsetCommit.
 */
export { TransactionCoordinator, type InitResult, type CoordinatorDeps } from './coordinator.js'
export { DEFAULT_TRANSACTION_CONFIG, type TransactionConfig } from './config.js'
export { TXN_STATES, OFFSETS_TOPIC, offsetsPartitionFor, type TxnMetadata, type TxnOffset, type TxnState } from './metadata.js'
export type { TxnOffsetSink } from './offset-sink.js'
