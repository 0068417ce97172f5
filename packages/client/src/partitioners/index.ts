import { javaKeyPartition } from './murmur2.js'

export { murmur2, toPositive, javaKeyPartition } from './murmur2.js'

/** What a partitioner sees for one record. Keys and values are already serialized. */
export interface PartitionRequest {
  topic: string
  key: Buffer | null
  value: Buffer | null
  /** Partition count of the topic, from (cached) cluster metadata. */
  numPartitions: number
  /** Record timestamp, ms since the epoch. */
  timestamp: number
}

/** Returns a partition in [0, numPartitions). Called once per record without an explicit partition. */
export type Partitioner = (request: PartitionRequest) => number

export interface JavaCompatibleOptions {
  /** Bytes sent to one partition before a null-key record moves on (the Java client's batch.size, KIP-794). */
  stickyBatchBytes?: number
  /** Source of randomness for choosing the next sticky partition (tests pass a deterministic one). */
  random?: () => number
}

/**
 * The Java client's default: `toPositive(murmur2(key)) % numPartitions` for keyed records, and for null keys one
 * "sticky" partition per topic that changes after `stickyBatchBytes` have gone to it (KIP-480/KIP-794), so
 * null-key traffic forms full batches instead of one tiny batch per partition.
 */
export function javaCompatiblePartitioner (options: JavaCompatibleOptions = {}): Partitioner {
  const batchBytes = options.stickyBatchBytes ?? 16_384
  const random = options.random ?? Math.random
  const sticky = new Map<string, { partition: number, bytes: number }>()

  return (request) => {
    if (request.key !== null) return javaKeyPartition(request.key, request.numPartitions)
    const size = (request.value?.length ?? 0) + 1
    let state = sticky.get(request.topic)
    if (state === undefined || state.partition >= request.numPartitions || state.bytes >= batchBytes) {
      state = { partition: nextStickyPartition(state?.partition, request.numPartitions, random), bytes: 0 }
      sticky.set(request.topic, state)
    }
    state.bytes += size
    return state.partition
  }
}

function nextStickyPartition (previous: number | undefined, numPartitions: number, random: () => number): number {
  if (numPartitions <= 1) return 0
  if (previous === undefined || previous >= numPartitions) return Math.floor(random() * numPartitions)
  // Never stay on the partition that just filled up: pick among the others.
  const other = Math.floor(random() * (numPartitions - 1))
  return other >= previous ? other + 1 : other
}

/** Spreads records evenly regardless of key (no per-key ordering). */
export function roundRobinPartitioner (): Partitioner {
  const next = new Map<string, number>()
  return ({ topic, numPartitions }) => {
    const current = next.get(topic) ?? 0
    next.set(topic, current + 1)
    return current % numPartitions
  }
}

export interface TimeWindowOptions {
  /** Width of one window in ms: every record whose timestamp falls in the same window goes to the same partition. */
  windowMs: number
}

/**
 * Example of a custom partitioner: partitions by time window (e.g. one partition per hour of event time, rotating
 * over the partitions), so a consumer of one partition sees one contiguous slice of time.
 */
export function timeWindowPartitioner (options: TimeWindowOptions): Partitioner {
  if (!(options.windowMs > 0)) throw new RangeError('windowMs must be > 0')
  return ({ timestamp, numPartitions }) => Math.floor(timestamp / options.windowMs) % numPartitions
}
