/**
 * Fault-injection hook points for tests (franz-go's kfake has the same idea: ControlKey). Every hook is optional and
 * unset in production; a hook returning true makes the broker misbehave at that point on purpose.
 */
export interface FaultHooks {
  /** After an idempotent/transactional produce was appended: true drops the response and closes the connection. */
  dropProduceResponse?: (topic: string, partition: number) => boolean
  /**
   * EndTxn, after PrepareCommit/PrepareAbort is durable: true stops there, as if the broker had crashed before
   * writing any marker (the client is answered as Kafka would: the decision is durable).
   */
  haltAfterPrepare?: (transactionalId: string) => boolean
  /** EndTxn, after the marker on one partition was written: true stops before the next partition (a crash mid-commit). */
  haltAfterMarker?: (transactionalId: string, topic: string, partition: number) => boolean
}

export function noFaults (): FaultHooks {
  return {}
}
