/**
 * Transaction coordinator settings, with Kafka's key names and defaults. They are not broker config keys yet
 * (config.ts belongs to the topic-administration work); Broker.start takes them as options.
 */
export interface TransactionConfig {
  /** transaction.max.timeout.ms: the largest transaction timeout a producer may ask for. */
  transactionMaxTimeoutMs: number
  /** transactional.id.expiration.ms: an idle transactional id (no transaction open) is forgotten after this. */
  transactionalIdExpirationMs: number
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms: how often timed-out transactions are aborted. */
  abortTimedOutTransactionCleanupIntervalMs: number
  /** transaction.remove.expired.transaction.cleanup.interval.ms: how often expired transactional ids are removed. */
  removeExpiredTransactionalIdCleanupIntervalMs: number
}

export const DEFAULT_TRANSACTION_CONFIG: Readonly<TransactionConfig> = Object.freeze({
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
  abortTimedOutTransactionCleanupIntervalMs: 10_000,
  removeExpiredTransactionalIdCleanupIntervalMs: 3_600_000
})
