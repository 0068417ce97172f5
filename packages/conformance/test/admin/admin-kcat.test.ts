import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import kafkajs from 'kafkajs'
import { kcat, kcatPath, skipUnlessInstalled, TestBroker } from '../../src/index.js'

/** `kcat -L` (librdkafka 2.0.2 metadata) on topics created through the admin API, replication factor 3 included. */
interface KcatMetadata {
  brokers: Array<{ id: number, name: string }>
  topics: Array<{ topic: string, partitions: Array<{ partition: number, leader: number, replicas: Array<{ id: number }>, isrs: Array<{ id: number }> }> }>
}

describe('kcat -L after admin operations', { skip: skipUnlessInstalled(kcatPath !== null, 'kcat') }, () => {
  let broker: TestBroker
  before(async () => {
    broker = await TestBroker.start()
    const admin = new kafkajs.Kafka({ brokers: [broker.bootstrap], clientId: 'samsa-admin-kcat-setup', logLevel: kafkajs.logLevel.NOTHING }).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic: 'kc.replicated', numPartitions: 6, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }, { topic: 'kc.gone', numPartitions: 2 }] })
    await admin.createPartitions({ topicPartitions: [{ topic: 'kc.replicated', count: 9 }] })
    await admin.deleteTopics({ topics: ['kc.gone'] })
    await admin.disconnect()
  })
  after(async () => { await broker?.close() })

  test('lists the created topic with its new partition count, one replica each, and not the deleted one', async () => {
    const result = await kcat(['-L', '-J', '-b', broker.bootstrap])
    const metadata = JSON.parse(result.stdout.toString('utf8')) as KcatMetadata
    assert.deepEqual(metadata.brokers.map((b) => b.id), [1])
    assert.deepEqual(metadata.topics.map((t) => t.topic).sort(), ['kc.replicated'])
    const topic = metadata.topics[0]!
    assert.deepEqual(topic.partitions.map((p) => p.partition).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8])
    for (const partition of topic.partitions) {
      assert.deepEqual([partition.leader, partition.replicas, partition.isrs], [1, [{ id: 1 }], [{ id: 1 }]])
    }
  })

  test('kcat -L -t for one topic', async () => {
    const result = await kcat(['-L', '-J', '-b', broker.bootstrap, '-t', 'kc.replicated'])
    const metadata = JSON.parse(result.stdout.toString('utf8')) as KcatMetadata
    assert.equal(metadata.topics[0]!.partitions.length, 9)
  })
})
