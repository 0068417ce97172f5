/**
 * Idempotent producers: producer ids (producer-id-manager.ts) and per-partition producer state (sequence checks,
 * duplicate detection, open transactions, LSO, aborted-transaction index), kept next to each partition's log in
 * `producer-state.snapshot` and `aborted.txnindex`.
 */
export { ProducerStates, DEFAULT_PRODUCER_STATE_CONFIG, InjectedFault, type ProducerStateConfig, type ProduceCheck, type TransactionVerifier } from './producer-states.js'
export { ProducerIdManager } from './producer-id-manager.js'
export { PartitionProducerState, type ProducerEntry } from './producer-state.js'
export type { FaultHooks } from './faults.js'
