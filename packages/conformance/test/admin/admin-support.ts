import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import { packageRoot } from '../../src/index.js'

/** Shared pieces of the topic-administration conformance tests. */

export interface DesignTopic { name: string, partitions: number, replicationFactor: number, configs: Record<string, string> }

/**
 * The ~40 topics of the large reference design (docs: /work/shared/designs/kafka-topics-design.md), as data:
 * partitions 6–96, replication factor 3 with min.insync.replicas 2, per-topic retention, segment roll, lz4,
 * compacted snapshot topics with their compaction settings, and per-topic max.message.bytes.
 */
export function designTopics (): DesignTopic[] {
  const file = join(packageRoot, 'test', 'admin', 'fixtures', 'topics-design.json')
  return (JSON.parse(readFileSync(file, 'utf8')) as { topics: DesignTopic[] }).topics
}

/** Kafka's ConfigSource ids as DescribeConfigs reports them. */
export const Source = { TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const

/** Produces `count` records with timestamps base, base+1, ... to one partition through kafkajs. */
export async function produceWithKafkajs (bootstrap: string, topic: string, partition: number, count: number, baseTimestamp: number): Promise<void> {
  const kafka = new kafkajs.Kafka({ brokers: [bootstrap], clientId: 'samsa-admin-seed', logLevel: kafkajs.logLevel.NOTHING })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  try {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ partition, key: `k${i}`, value: `v${i}`, timestamp: String(baseTimestamp + i) })) })
  } finally {
    await producer.disconnect()
  }
}
