/**
 * The coordinator's record of one transactional id (Kafka's TransactionMetadata), stored whole in the journal on
 * every transition. State names are Kafka's, as DescribeTransactions/ListTransactions report them.
 *
 *   Empty ──AddPartitions/AddOffsets──► Ongoing ──EndTxn──► PrepareCommit | PrepareAbort ──markers──► CompleteCommit | CompleteAbort
 *   Complete* / Empty ──InitProducerId (epoch bump)──► Empty          Ongoing ──InitProducerId / timeout──► PrepareAbort (epoch fenced)
 */
export type TxnState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort' | 'Dead' | 'PrepareEpochFence'

export const TXN_STATES: readonly TxnState[] = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence']

export interface TxnOffset { topic: string, partition: number, offset: number, leaderEpoch: number, metadata: string | null }

export interface TxnMetadata {
  transactionalId: string
  producerId: number
  /** Producer id before the last rotation (epoch exhaustion), -1 when none: lets a retried InitProducerId succeed. */
  lastProducerId: number
  producerEpoch: number
  /** Epoch before the last bump made for this producer (KIP-360 retries), -1 when none. */
  lastProducerEpoch: number
  timeoutMs: number
  state: TxnState
  /** Partitions in the ongoing transaction, by topic. */
  partitions: Record<string, number[]>
  /** Offsets committed inside the transaction (TxnOffsetCommit), by group; visible to the group only on commit. */
  offsets: Record<string, TxnOffset[]>
  /** When the ongoing transaction began (first AddPartitions/AddOffsets), -1 when none. */
  startMs: number
  updateMs: number
}

/** Kafka: an epoch this high cannot be bumped again; the next InitProducerId rotates to a new producer id. */
export const MAX_EPOCH = 32767
export function isEpochExhausted (epoch: number): boolean {
  return epoch >= MAX_EPOCH - 1
}

/** Partition of __consumer_offsets a group's offsets live in (Java String.hashCode, 50 partitions), for display. */
export function offsetsPartitionFor (groupId: string): number {
  let hash = 0
  for (let i = 0; i < groupId.length; i++) hash = (Math.imul(hash, 31) + groupId.charCodeAt(i)) | 0
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % 50
}

export const OFFSETS_TOPIC = '__consumer_offsets'

export function hasPartition (meta: TxnMetadata, topic: string, partition: number): boolean {
  return meta.partitions[topic]?.includes(partition) === true
}

export function partitionCount (meta: TxnMetadata): number {
  let count = 0
  for (const list of Object.values(meta.partitions)) count += list.length
  return count
}

/** Adds partitions, returning a new record (metadata is never mutated in place: the journal write comes first). */
export function withPartitions (meta: TxnMetadata, added: Array<{ topic: string, partition: number }>): Record<string, number[]> {
  const result: Record<string, number[]> = {}
  for (const [topic, list] of Object.entries(meta.partitions)) result[topic] = [...list]
  for (const { topic, partition } of added) {
    const list = result[topic] ??= []
    if (!list.includes(partition)) list.push(partition)
  }
  return result
}

/** Merges offsets of one group (later commits of the same partition replace earlier ones). */
export function withOffsets (meta: TxnMetadata, groupId: string, added: TxnOffset[]): Record<string, TxnOffset[]> {
  const result: Record<string, TxnOffset[]> = { ...meta.offsets }
  const byKey = new Map<string, TxnOffset>()
  for (const offset of result[groupId] ?? []) byKey.set(`${offset.topic}\0${offset.partition}`, offset)
  for (const offset of added) byKey.set(`${offset.topic}\0${offset.partition}`, offset)
  result[groupId] = [...byKey.values()]
  return result
}
