import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import kafkajs from 'kafkajs'
import { TestBroker } from '../../src/index.js'
import { Source, produceWithKafkajs } from './admin-support.js'

/**
 * kafkajs 2.2.4 admin: createTopics (with validateOnly and configEntries), deleteTopics, createPartitions,
 * describeConfigs (with synonyms), alterConfigs, deleteTopicRecords, fetchTopicOffsets,
 * fetchTopicOffsetsByTimestamp, fetchTopicMetadata.
 */
const { Kafka, logLevel, ConfigResourceTypes } = kafkajs
const CLIENT_ID = 'samsa-admin-kafkajs'

/** The Kafka error type inside a kafkajs error (aggregated errors carry one per topic). */
function errorTypes (error: unknown): string[] {
  const value = error as { errors?: unknown[], originalError?: unknown, partitions?: Array<{ error?: unknown }>, type?: string }
  if (Array.isArray(value.errors)) return value.errors.flatMap(errorTypes)
  if (value.originalError !== undefined) return errorTypes(value.originalError)
  if (Array.isArray(value.partitions)) return value.partitions.flatMap((partition) => errorTypes(partition.error))
  return [value.type ?? String(error)]
}

describe('kafkajs admin', () => {
  let broker: TestBroker
  let admin: kafkajs.Admin

  before(async () => {
    broker = await TestBroker.start()
    admin = new Kafka({ brokers: [broker.bootstrap], clientId: CLIENT_ID, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin()
    await admin.connect()
  })
  after(async () => {
    await admin?.disconnect()
    await broker?.close()
  })

  test('createTopics with configEntries and replication factor 3; metadata reports one replica', async () => {
    assert.equal(await admin.createTopics({
      topics: [
        { topic: 'kj.events', numPartitions: 24, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }, { name: 'retention.ms', value: '259200000' }, { name: 'compression.type', value: 'lz4' }] },
        { topic: 'kj.snapshots', numPartitions: 4, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }
      ]
    }), true)
    assert.equal(await admin.createTopics({ topics: [{ topic: 'kj.events' }] }), false, 'already existing topics are reported as not created')
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kj.events'] })
    assert.equal(topics[0]!.partitions.length, 24)
    assert.deepEqual(topics[0]!.partitions.map((p) => p.replicas), Array.from({ length: 24 }, () => [1]))
  })

  test('createTopics errors: invalid config and validateOnly', async () => {
    await assert.rejects(admin.createTopics({ topics: [{ topic: 'kj.bad', configEntries: [{ name: 'segment.bytes', value: '-1' }] }] }), (error) => {
      assert.deepEqual(errorTypes(error), ['INVALID_CONFIG'])
      return true
    })
    // kafkajs waits for the leaders of created topics unless told not to; a validateOnly create has none.
    assert.equal(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'kj.dry', numPartitions: 2 }] }), true)
    assert.deepEqual((await admin.listTopics()).filter((name) => name.startsWith('kj.')).sort(), ['kj.events', 'kj.snapshots'])
  })

  test('describeConfigs with synonyms, then alterConfigs replaces the overrides', async () => {
    const described = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj.events', configNames: ['retention.ms', 'compression.type', 'segment.ms'] }] })
    const entries = new Map(described.resources[0]!.configEntries.map((entry) => [entry.configName, entry]))
    assert.deepEqual([entries.get('retention.ms')!.configValue, entries.get('retention.ms')!.configSource, entries.get('retention.ms')!.isDefault], ['259200000', Source.TOPIC_CONFIG, false])
    assert.deepEqual(entries.get('retention.ms')!.configSynonyms, [
      { configName: 'retention.ms', configValue: '259200000', configSource: 1 },
      { configName: 'log.retention.hours', configValue: '168', configSource: 5 }
    ])
    assert.deepEqual([entries.get('compression.type')!.configValue, entries.get('segment.ms')!.configValue, entries.get('segment.ms')!.configSource], ['lz4', '604800000', Source.DEFAULT_CONFIG])

    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj.events', configEntries: [{ name: 'retention.ms', value: '3600000' }] }] })
    const after = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj.events', configNames: ['retention.ms', 'compression.type'] }] })
    assert.deepEqual(after.resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue, entry.configSource]), [
      ['compression.type', 'producer', Source.DEFAULT_CONFIG],
      ['retention.ms', '3600000', Source.TOPIC_CONFIG]
    ])
    await assert.rejects(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kj.events', configEntries: [{ name: 'no.such', value: '1' }] }] }), (error) => {
      assert.deepEqual(errorTypes(error), ['INVALID_CONFIG'])
      return true
    })
  })

  test('createPartitions increases; a decrease is INVALID_PARTITIONS', async () => {
    await admin.createPartitions({ topicPartitions: [{ topic: 'kj.snapshots', count: 8 }] })
    const { topics } = await admin.fetchTopicMetadata({ topics: ['kj.snapshots'] })
    assert.equal(topics[0]!.partitions.length, 8)
    await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic: 'kj.snapshots', count: 2 }] }), (error) => {
      assert.deepEqual(errorTypes(error), ['INVALID_PARTITIONS'])
      return true
    })
  })

  test('fetchTopicOffsets, fetchTopicOffsetsByTimestamp and deleteTopicRecords', async () => {
    await produceWithKafkajs(broker.bootstrap, 'kj.events', 3, 20, 1_700_000_000_000)
    const offsets = await admin.fetchTopicOffsets('kj.events')
    assert.deepEqual(offsets.find((o) => o.partition === 3), { partition: 3, offset: '20', high: '20', low: '0' })
    const byTime = await admin.fetchTopicOffsetsByTimestamp('kj.events', 1_700_000_000_007)
    assert.equal(byTime.find((o) => o.partition === 3)!.offset, '7')
    await admin.deleteTopicRecords({ topic: 'kj.events', partitions: [{ partition: 3, offset: '12' }] })
    const trimmed = await admin.fetchTopicOffsets('kj.events')
    assert.deepEqual(trimmed.find((o) => o.partition === 3), { partition: 3, offset: '20', high: '20', low: '12' })
    await admin.deleteTopicRecords({ topic: 'kj.events', partitions: [{ partition: 3, offset: '-1' }] })
    assert.equal((await admin.fetchTopicOffsets('kj.events')).find((o) => o.partition === 3)!.low, '20', '-1 = up to the high watermark')
    // Beyond the high watermark: OFFSET_OUT_OF_RANGE, which kafkajs's retrier wraps into a bare non-retriable error.
    await assert.rejects(admin.deleteTopicRecords({ topic: 'kj.events', partitions: [{ partition: 3, offset: '99' }] }), /Error while deleting records/)
    assert.equal((await admin.fetchTopicOffsets('kj.events')).find((o) => o.partition === 3)!.low, '20')
  })

  test('deleteTopics', async () => {
    await admin.deleteTopics({ topics: ['kj.events', 'kj.snapshots'] })
    assert.deepEqual((await admin.listTopics()).filter((name) => name.startsWith('kj.')), [])
  })

  test('admin API versions kafkajs negotiated', () => {
    const seen = broker.recorder.summary(CLIENT_ID)
    assert.deepEqual(
      Object.fromEntries(['CreateTopics', 'DeleteTopics', 'CreatePartitions', 'DescribeConfigs', 'AlterConfigs', 'DeleteRecords'].map((api) => [api, seen[api]])),
      { CreateTopics: [3], DeleteTopics: [1], CreatePartitions: [1], DescribeConfigs: [2], AlterConfigs: [1], DeleteRecords: [1] }
    )
  })
})
