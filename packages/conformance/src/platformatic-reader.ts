import { Consumer } from '@platformatic/kafka'
import type { ConsumedRecord } from './records.js'

/**
 * Reads a partition with @platformatic/kafka's low-level Consumer.fetch (Fetch v12–17, topic ids from v13): no
 * consumer group is involved, which this broker does not serve yet. It is the suite's pure-JavaScript reader,
 * independent of librdkafka, used to check what other clients wrote byte for byte (headers included).
 */
export interface PartitionRead {
  records: ConsumedRecord[]
  highWatermark: number
  logStartOffset: number
  /** Batches as returned by Fetch: first offset and attributes (codec in bits 0–2). */
  batches: Array<{ firstOffset: number, lastOffsetDelta: number, attributes: number }>
}

export interface ReadOptions {
  fromOffset?: number
  /** Stop at this offset (exclusive); default: the high watermark seen by the first fetch. */
  untilOffset?: number
  maxWaitTime?: number
  timeoutMs?: number
  clientId?: string
}

export async function readPartition (bootstrap: string, topic: string, partition: number, options: ReadOptions = {}): Promise<PartitionRead> {
  const consumer = new Consumer({ clientId: options.clientId ?? 'samsa-conformance-reader', groupId: 'samsa-conformance-unused', bootstrapBrokers: [bootstrap], retries: 2 })
  try {
    const metadata = await consumer.metadata({ topics: [topic] })
    const topicMetadata = metadata.topics.get(topic)
    if (topicMetadata === undefined) throw new Error(`no metadata for ${topic}`)
    const leader = topicMetadata.partitions[partition]?.leader
    if (leader === undefined) throw new Error(`no partition ${partition} in ${topic}`)
    const result: PartitionRead = { records: [], highWatermark: -1, logStartOffset: -1, batches: [] }
    let next = BigInt(options.fromOffset ?? 0)
    let until = options.untilOffset === undefined ? undefined : BigInt(options.untilOffset)
    const deadline = Date.now() + (options.timeoutMs ?? 20_000)
    while (until === undefined || next < until) {
      if (Date.now() > deadline) throw new Error(`reading ${topic}-${partition}: stuck at offset ${next} (until ${until})`)
      const response = await consumer.fetch({
        node: leader,
        maxWaitTime: options.maxWaitTime ?? 200,
        topics: [{ topicId: topicMetadata.id, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: next, lastFetchedEpoch: -1, partitionMaxBytes: 1024 * 1024 }] }]
      })
      const answer = response.responses[0]?.partitions[0]
      if (answer === undefined) throw new Error(`empty fetch response for ${topic}-${partition}`)
      if (answer.errorCode !== 0) throw new Error(`fetch ${topic}-${partition} at ${next}: error code ${answer.errorCode}`)
      result.highWatermark = Number(answer.highWatermark)
      result.logStartOffset = Number(answer.logStartOffset)
      until ??= answer.highWatermark
      for (const batch of answer.records ?? []) {
        result.batches.push({ firstOffset: Number(batch.firstOffset), lastOffsetDelta: batch.lastOffsetDelta, attributes: batch.attributes })
        for (const record of batch.records) {
          const offset = batch.firstOffset + BigInt(record.offsetDelta)
          if (offset < next || offset >= until) continue // Fetch returns whole batches: skip what was not asked for
          result.records.push({
            partition,
            offset: Number(offset),
            timestamp: Number(batch.firstTimestamp + BigInt(record.timestampDelta)),
            key: record.key ?? null,
            value: record.value ?? null,
            headers: record.headers.map(([name, value]) => [name?.toString('utf8') ?? '', value ?? Buffer.alloc(0)])
          })
        }
        next = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n > next ? batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n : next
      }
    }
    return result
  } finally {
    await consumer.close()
  }
}
