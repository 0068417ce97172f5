import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { findPython, runDriver, skipUnlessInstalled, TestBroker } from '../../src/index.js'
import { Source } from './admin-support.js'

/**
 * kafka-python 2.0.2's KafkaAdminClient (pure Python; old non-flexible versions): CreateTopics v3, DeleteTopics v3,
 * CreatePartitions v1, DescribeConfigs v2 (topic and broker resources, with and without synonyms), AlterConfigs v1.
 * It has no DeleteRecords, IncrementalAlterConfigs or DescribeLogDirs.
 */
const python = findPython(['kafka'])
const DRIVER = 'admin_kafka_python.py'
const CLIENT_ID = 'samsa-admin-kafka-python'

describe('kafka-python KafkaAdminClient', { skip: python === null ? skipUnlessInstalled(false, 'python3 with kafka-python') : false }, () => {
  let broker: TestBroker
  const drive = async <T = any>(request: object): Promise<T> => await runDriver<T>(python!, DRIVER, { bootstrap: broker.bootstrap, ...request })

  before(async () => { broker = await TestBroker.start({ args: ['--set', 'log.retention.hours=72'] }) })
  after(async () => { await broker?.close() })

  test('the admin API versions kafka-python picks against samsa', async () => {
    assert.deepEqual(await drive({ op: 'api_versions' }), { CreateTopics: 3, DeleteTopics: 3, CreatePartitions: 1, DescribeConfigs: 2, AlterConfigs: 1 })
  })

  test('create_topics: success, replication factor 3 recorded, errors with codes and messages', async () => {
    const created = await drive<{ version: number, topics: Array<{ name: string, code: number, message: string | null }> }>({
      op: 'create_topics',
      topics: [
        { name: 'kp.events', partitions: 12, replication: 3, config: { 'min.insync.replicas': '2', 'segment.ms': '86400000', 'max.message.bytes': '2097152' } },
        { name: 'kp.bad', partitions: 0, replication: 1 },
        { name: 'kp.badconfig', partitions: 1, replication: 1, config: { 'segment.ms': '0' } }
      ]
    })
    assert.equal(created.version, 3)
    assert.deepEqual(created.topics, [
      { name: 'kp.events', code: 0, message: null },
      { name: 'kp.bad', code: 37, message: 'Number of partitions must be larger than 0.' },
      { name: 'kp.badconfig', code: 40, message: 'Invalid value 0 for configuration segment.ms: Value must be at least 1' }
    ])
    const dry = await drive<{ topics: Array<{ name: string, code: number }> }>({ op: 'create_topics', validate_only: true, topics: [{ name: 'kp.events', partitions: 1, replication: 1 }] })
    assert.deepEqual(dry.topics.map((t) => [t.name, t.code]), [['kp.events', 36]])
  })

  test('describe_configs v2: values, sources, synonyms (static broker value of log.retention.hours), broker resource', async () => {
    const described = await drive<Array<{ version: number, code: number, name: string, type: number, configs: Record<string, { value: string | null, source: number, read_only: boolean, synonyms: Array<{ name: string, value: string, source: number }> }> }>>({
      op: 'describe_configs', include_synonyms: true, resources: [{ type: 'topic', name: 'kp.events' }, { type: 'broker', name: '1', keys: ['log.retention.hours', 'num.partitions'] }]
    })
    const topic = described.find((resource) => resource.type === 2)!
    assert.deepEqual([topic.version, topic.code, topic.name], [2, 0, 'kp.events'])
    assert.deepEqual(topic.configs['max.message.bytes'], { value: '2097152', read_only: false, source: Source.TOPIC_CONFIG, sensitive: false, synonyms: [{ name: 'max.message.bytes', value: '2097152', source: 1 }, { name: 'message.max.bytes', value: '1048588', source: 5 }] })
    assert.deepEqual(topic.configs['retention.ms'], { value: '259200000', read_only: false, source: Source.STATIC_BROKER_CONFIG, sensitive: false, synonyms: [{ name: 'log.retention.hours', value: '72', source: 4 }, { name: 'log.retention.hours', value: '168', source: 5 }] })
    assert.deepEqual([topic.configs['min.insync.replicas']!.value, topic.configs['segment.ms']!.value], ['2', '86400000'])
    const brokerResource = described.find((resource) => resource.type === 4)!
    assert.deepEqual(Object.keys(brokerResource.configs).sort(), ['log.retention.hours', 'num.partitions'])
    assert.deepEqual([brokerResource.configs['log.retention.hours']!.value, brokerResource.configs['log.retention.hours']!.source, brokerResource.configs['log.retention.hours']!.read_only], ['72', 4, true])
  })

  test('alter_configs v1 replaces the override set; unknown topic and bad values fail per resource', async () => {
    const altered = await drive<{ version: number, resources: Array<{ code: number, message: string | null, name: string }> }>({
      op: 'alter_configs',
      resources: [
        { type: 'topic', name: 'kp.events', config: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' } },
        { type: 'topic', name: 'kp.missing', config: { 'retention.ms': '1' } }
      ]
    })
    assert.equal(altered.version, 1)
    assert.deepEqual(altered.resources.map((r) => [r.name, r.code, r.message]), [['kp.events', 0, null], ['kp.missing', 3, "The topic 'kp.missing' does not exist."]])
    const bad = await drive<{ resources: Array<{ code: number, message: string }> }>({ op: 'alter_configs', resources: [{ type: 'topic', name: 'kp.events', config: { 'min.insync.replicas': '0' } }] })
    assert.deepEqual(bad.resources.map((r) => [r.code, r.message]), [[40, 'Invalid value 0 for configuration min.insync.replicas: Value must be at least 1']])
    const [topic] = await drive<Array<{ configs: Record<string, { value: string, source: number }> }>>({ op: 'describe_configs', resources: [{ type: 'topic', name: 'kp.events', keys: ['retention.ms', 'max.message.bytes', 'min.insync.replicas'] }] })
    assert.deepEqual(Object.fromEntries(Object.entries(topic!.configs).map(([name, config]) => [name, [config.value, config.source]])), {
      'max.message.bytes': ['1048588', Source.DEFAULT_CONFIG],
      'min.insync.replicas': ['1', Source.DEFAULT_CONFIG],
      'retention.ms': ['604800000', Source.TOPIC_CONFIG]
    })
  })

  test('create_partitions v1 and delete_topics v3', async () => {
    const grown = await drive<{ version: number, topics: Array<{ name: string, code: number, message: string | null }> }>({ op: 'create_partitions', topics: [{ name: 'kp.events', total: 24 }] })
    assert.deepEqual([grown.version, grown.topics], [1, [{ name: 'kp.events', code: 0, message: null }]])
    const same = await drive<{ topics: Array<{ code: number, message: string | null }> }>({ op: 'create_partitions', topics: [{ name: 'kp.events', total: 24 }] })
    assert.deepEqual(same.topics.map((t) => [t.code, t.message]), [[37, 'Topic already has 24 partitions.']])
    const deleted = await drive<{ version: number, topics: Array<{ name: string, code: number }> }>({ op: 'delete_topics', topics: ['kp.events', 'kp.never'] })
    assert.equal(deleted.version, 3)
    assert.deepEqual(deleted.topics.map((t) => [t.name, t.code]).sort(), [['kp.events', 0], ['kp.never', 3]])
  })

  test('requests seen on the wire', () => {
    const seen = broker.recorder.summary(CLIENT_ID)
    assert.deepEqual([seen.CreateTopics, seen.DeleteTopics, seen.CreatePartitions, seen.DescribeConfigs, seen.AlterConfigs], [[3], [3], [1], [2], [1]])
  })
})
