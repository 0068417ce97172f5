import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Admin, ConfigResourceTypes } from '@platformatic/kafka'
import kafkajs from 'kafkajs'
import { findPython, runDriver, skipUnlessInstalled, TestBroker } from '../../src/index.js'
import { designTopics, Source, type DesignTopic } from './admin-support.js'

/**
 * The acceptance run: the ~40 topics of a large real-world design (6–96 partitions, RF 3 / min ISR 2,
 * per-topic retention, segment roll, lz4, compacted snapshots, per-topic max sizes) are created the way that design
 * creates them (one CreateTopics from confluent-kafka-python, as kafka-topics.sh would), then every setting is read
 * back through DescribeConfigs by two other clients — kafka-python (DescribeConfigs v2) and @platformatic/kafka
 * (v4) — and again with kafkajs after a broker restart.
 */
const python = findPython(['confluent_kafka', 'kafka'])
const topics = designTopics()

type Settings = Record<string, Record<string, { value: string | null, source: number }>>

function assertSettings (read: Settings, who: string): void {
  for (const topic of topics) {
    const configs = read[topic.name]
    assert.ok(configs !== undefined, `${who}: ${topic.name} described`)
    for (const [name, value] of Object.entries(topic.configs)) {
      assert.deepEqual(configs[name], { value, source: Source.TOPIC_CONFIG }, `${who}: ${topic.name} ${name}`)
    }
    // Keys the design leaves out come from the broker defaults.
    if (topic.configs['max.message.bytes'] === undefined) assert.deepEqual(configs['max.message.bytes'], { value: '1048588', source: Source.DEFAULT_CONFIG }, `${who}: ${topic.name}`)
    if (topic.configs['delete.retention.ms'] === undefined) assert.deepEqual(configs['delete.retention.ms'], { value: '86400000', source: Source.DEFAULT_CONFIG }, `${who}: ${topic.name}`)
  }
}

describe('a large real-world topic design, applied and read back', { skip: python === null ? skipUnlessInstalled(false, 'python3 with confluent_kafka and kafka-python') : false }, () => {
  let broker: TestBroker

  before(async () => { broker = await TestBroker.start() })
  after(async () => { await broker?.close() })

  test('the fixture is the design: ~40 topics, 6–96 partitions each, compacted snapshots among them', () => {
    assert.ok(topics.length >= 39, `${topics.length} topics`)
    const partitions = topics.map((topic) => topic.partitions)
    assert.deepEqual([Math.min(...partitions), Math.max(...partitions)], [6, 96])
    assert.deepEqual(topics.filter((topic) => topic.configs['cleanup.policy'] === 'compact').map((topic) => topic.name), ['user.profile.snapshots', 'task.state.snapshots'])
  })

  test('confluent-kafka-python creates all topics in one CreateTopics request', async () => {
    const started = Date.now()
    const result = await runDriver<Record<string, unknown>>(python!, 'admin_confluent.py', {
      op: 'create_topics', bootstrap: broker.bootstrap, topics: topics.map((topic) => ({ name: topic.name, partitions: topic.partitions, replication: topic.replicationFactor, config: topic.configs }))
    }, { timeoutMs: 120_000 })
    assert.deepEqual(result, Object.fromEntries(topics.map((topic) => [topic.name, null])))
    console.log(`# created ${topics.length} topics / ${topics.reduce((sum, topic) => sum + topic.partitions, 0)} partitions in ${Date.now() - started} ms`)
    const warnings = broker.broker.stderr.split('\n').filter((line) => line.includes('are recorded; this single node keeps one copy'))
    assert.equal(warnings.length, topics.length, 'one replication warning per topic')
  })

  test('kafka-python reads every setting back (DescribeConfigs v2, one request)', async () => {
    const described = await runDriver<Array<{ code: number, name: string, configs: Record<string, { value: string, source: number }> }>>(python!, 'admin_kafka_python.py', {
      op: 'describe_configs', bootstrap: broker.bootstrap, resources: topics.map((topic) => ({ type: 'topic', name: topic.name }))
    }, { timeoutMs: 120_000 })
    assert.deepEqual(described.map((resource) => resource.code), topics.map(() => 0))
    const read: Settings = Object.fromEntries(described.map((resource) => [resource.name, Object.fromEntries(Object.entries(resource.configs).map(([name, config]) => [name, { value: config.value, source: config.source }]))]))
    assertSettings(read, 'kafka-python')
  })

  test('@platformatic/kafka reads every setting back (DescribeConfigs v4) and Metadata has every partition', async () => {
    const admin = new Admin({ clientId: 'samsa-design-platformatic', bootstrapBrokers: [broker.bootstrap] })
    try {
      const described = await admin.describeConfigs({ resources: topics.map((topic) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic.name, configurationKeys: [] })) })
      const read: Settings = Object.fromEntries(described.map((resource) => [resource.resourceName, Object.fromEntries(resource.configs.map((config) => [config.name, { value: config.value ?? null, source: config.configSource }]))]))
      assertSettings(read, '@platformatic/kafka')
      const metadata = await admin.metadata({ topics: topics.map((topic) => topic.name) })
      for (const topic of topics) assert.equal(metadata.topics.get(topic.name)?.partitionsCount, topic.partitions, topic.name)
    } finally {
      await admin.close()
    }
  })

  test('after a restart kafkajs reads the same settings and partition counts', async () => {
    await broker.broker.restart()
    const admin = new kafkajs.Kafka({ brokers: [broker.bootstrap], clientId: 'samsa-design-kafkajs', logLevel: kafkajs.logLevel.NOTHING }).admin()
    await admin.connect()
    try {
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((topic: DesignTopic) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic.name })) })
      const read: Settings = Object.fromEntries(described.resources.map((resource) => [resource.resourceName, Object.fromEntries(resource.configEntries.map((entry) => [entry.configName, { value: entry.configValue, source: (entry as { configSource?: number }).configSource ?? -1 }]))]))
      assertSettings(read, 'kafkajs after restart')
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: topics.map((topic) => topic.name) })
      const byName = (a: [string, number], b: [string, number]): number => a[0].localeCompare(b[0])
      assert.deepEqual(metadata.map((topic): [string, number] => [topic.name, topic.partitions.length]).sort(byName), topics.map((topic): [string, number] => [topic.name, topic.partitions]).sort(byName))
    } finally {
      await admin.disconnect()
    }
  })
})
