import type { Consumer } from '@platformatic/kafka'
import { decodePartition, type ConsumedRecord } from '../consumer/records.js'

export interface ReadOptions {
  partitions?: number[]
  /** First offset to read in each partition (default: the log start). */
  fromOffset?: bigint
  /** Stop after this many records in total. */
  limit?: number
  readCommitted?: boolean
}

/**
 * Reads a topic from the given offset up to its current end, without a consumer group (no commits, no
 * membership): what inspecting a DLT needs. Stops at the high watermark seen when it started.
 */
export async function readTopic (consumer: Consumer<Buffer, Buffer, Buffer, Buffer>, topic: string, options: ReadOptions = {}): Promise<ConsumedRecord[]> {
  const metadata = await consumer.metadata({ topics: [topic] })
  const info = metadata.topics.get(topic)
  if (info === undefined) return []
  const partitions = options.partitions ?? Array.from({ length: info.partitionsCount }, (_, i) => i)
  const isolationLevel = options.readCommitted === false ? 0 : 1
  const [starts, ends] = await Promise.all([
    consumer.listOffsets({ topics: [topic], timestamp: -2n, isolationLevel }),
    consumer.listOffsets({ topics: [topic], timestamp: -1n, isolationLevel })
  ])
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  const out: ConsumedRecord[] = []
  for (const partition of partitions) {
    const start = starts.get(topic)?.[partition] ?? 0n
    const end = ends.get(topic)?.[partition] ?? 0n
    let position = options.fromOffset !== undefined && options.fromOffset > start ? options.fromOffset : start
    const aborted = isolationLevel === 1 ? new Map<bigint, bigint>() : undefined
    while (position < end && out.length < limit) {
      const response = await consumer.fetch({
        node: info.partitions[partition]!.leader,
        topics: [{ topicId: info.id, partitions: [{ partition, fetchOffset: position, partitionMaxBytes: 1024 * 1024, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
        maxWaitTime: 0,
        minBytes: 1,
        isolationLevel
      })
      const data = response.responses[0]?.partitions[0]
      if (data === undefined) break
      const { records, next } = decodePartition(topic, data, position, aborted)
      for (const record of records) if (record.offset < end && out.length < limit) out.push(record)
      if (next <= position) break
      position = next
    }
  }
  return out
}
