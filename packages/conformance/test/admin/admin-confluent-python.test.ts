import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { findPython, inCI, modernLibrdkafkaLibDir, runDriver, skipUnlessInstalled, TestBroker } from '../../src/index.js'
import { Source, produceWithKafkajs } from './admin-support.js'

/**
 * confluent-kafka-python's AdminClient (Debian's 1.7 binding) over Debian's librdkafka 2.0.2 and over a current
 * librdkafka (.build, via LD_LIBRARY_PATH): create/delete topics, create partitions, describe/alter configs, and
 * ListOffsets through a Consumer (watermarks, offsets_for_times). The 1.7 binding has no incremental_alter_configs,
 * delete_records or AdminClient.list_offsets; those are covered with @platformatic/kafka and kafkajs.
 */
const python = findPython(['confluent_kafka'])
const DRIVER = 'admin_confluent.py'
const CLIENT_ID = 'samsa-admin-confluent'

interface KafkaErr { code: number, name: string, message: string }

const modernBuilt = existsSync(join(modernLibrdkafkaLibDir, 'librdkafka.so.1'))
interface Variant { name: string, env: Record<string, string>, skip: string | false, versions: Record<string, number[]> }
const variants: Variant[] = [
  { name: "Debian's librdkafka 2.0.2", env: {}, versions: { CreateTopics: [4], DeleteTopics: [1], DescribeConfigs: [1], AlterConfigs: [0], CreatePartitions: [0] }, skip: python === null ? skipUnlessInstalled(false, 'python3 with confluent_kafka') : false },
  {
    name: 'current librdkafka from .build',
    env: { LD_LIBRARY_PATH: [modernLibrdkafkaLibDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') },
    versions: { CreateTopics: [4], DeleteTopics: [4], DescribeConfigs: [1], AlterConfigs: [2], CreatePartitions: [2] },
    skip: python === null ? skipUnlessInstalled(false, 'python3 with confluent_kafka') : (!modernBuilt && !inCI ? 'no modern librdkafka (scripts/build-librdkafka.sh)' : false)
  }
]

for (const variant of variants) {
  describe(`confluent-kafka-python AdminClient, ${variant.name}`, { skip: variant.skip }, () => {
    let broker: TestBroker
    const drive = async <T = any>(request: object): Promise<T> => await runDriver<T>(python!, DRIVER, { bootstrap: broker.bootstrap, ...request }, { env: variant.env })

    before(async () => { broker = await TestBroker.start() })
    after(async () => { await broker?.close() })

    test('create_topics: configs, replication factor 3 accepted and reported as one replica, Kafka errors per topic', async () => {
      const created = await drive<Record<string, KafkaErr | null>>({
        op: 'create_topics',
        topics: [
          { name: 'cp.orders', partitions: 6, replication: 3, config: { 'min.insync.replicas': '2', 'retention.ms': '2592000000', 'compression.type': 'lz4', 'cleanup.policy': 'delete' } },
          { name: 'cp.snapshots', partitions: 3, replication: 1, config: { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.5', 'delete.retention.ms': '86400000' } },
          { name: 'cp.bad-key', partitions: 1, replication: 1, config: { 'retention.hours': '1' } },
          { name: 'cp.bad-value', partitions: 1, replication: 1, config: { 'cleanup.policy': 'archive' } }
        ]
      })
      assert.deepEqual(created, {
        'cp.orders': null,
        'cp.snapshots': null,
        'cp.bad-key': { code: 40, name: 'INVALID_CONFIG', message: 'Unknown topic config name: retention.hours' },
        'cp.bad-value': { code: 40, name: 'INVALID_CONFIG', message: 'Invalid value archive for configuration cleanup.policy: String must be one of: compact, delete' }
      })
      const again = await drive<Record<string, KafkaErr | null>>({ op: 'create_topics', topics: [{ name: 'cp.orders', partitions: 1, replication: 1 }] })
      assert.deepEqual(again['cp.orders'], { code: 36, name: 'TOPIC_ALREADY_EXISTS', message: "Topic 'cp.orders' already exists." })
      const dry = await drive<Record<string, KafkaErr | null>>({ op: 'create_topics', validate_only: true, topics: [{ name: 'cp.dry', partitions: 2, replication: 1 }] })
      assert.deepEqual(dry, { 'cp.dry': null })
      const metadata = await drive<Record<string, { partitions: Record<string, { leader: number, replicas: number[], isrs: number[] }> } | null>>({ op: 'metadata', topics: ['cp.orders', 'cp.dry', 'cp.bad-key'] })
      assert.equal(Object.keys(metadata['cp.orders']!.partitions).length, 6)
      assert.deepEqual(metadata['cp.orders']!.partitions['0'], { leader: 1, replicas: [1], isrs: [1] })
      assert.equal(metadata['cp.dry'], null, 'validate_only created nothing')
      assert.equal(metadata['cp.bad-key'], null)
    })

    test('describe_configs: topic overrides, broker defaults and sources; broker resource read-only', async () => {
      const described = await drive<Record<string, { error: KafkaErr | null, configs: Record<string, { value: string | null, source: number, read_only: boolean, default: boolean }> }>>({
        op: 'describe_configs', resources: [{ type: 'topic', name: 'cp.orders' }, { type: 'topic', name: 'cp.snapshots' }, { type: 'broker', name: '1' }, { type: 'topic', name: 'cp.none' }]
      })
      const orders = described['cp.orders']!.configs
      assert.deepEqual(orders['retention.ms'], { value: '2592000000', source: Source.TOPIC_CONFIG, read_only: false, default: false, sensitive: false, synonyms: [{ name: 'retention.ms', value: '2592000000', source: 1 }, { name: 'log.retention.hours', value: '168', source: 5 }] })
      assert.deepEqual([orders['min.insync.replicas']!.value, orders['compression.type']!.value, orders['cleanup.policy']!.value], ['2', 'lz4', 'delete'])
      assert.deepEqual([orders['segment.bytes']!.value, orders['segment.bytes']!.source, orders['segment.bytes']!.default], ['1073741824', Source.DEFAULT_CONFIG, true])
      const snapshots = described['cp.snapshots']!.configs
      assert.deepEqual([snapshots['cleanup.policy']!.value, snapshots['min.cleanable.dirty.ratio']!.value, snapshots['delete.retention.ms']!.value], ['compact', '0.5', '86400000'])
      const brokerConfigs = described['1']!.configs
      assert.deepEqual([brokerConfigs['num.partitions']!.value, brokerConfigs['num.partitions']!.read_only], ['1', true])
      assert.equal(brokerConfigs['advertised.port']!.source, Source.STATIC_BROKER_CONFIG, 'set with --set by the test harness')
      assert.deepEqual(described['cp.none']!.error, { code: 3, name: 'UNKNOWN_TOPIC_OR_PART', message: "The topic 'cp.none' does not exist." })
    })

    test('alter_configs replaces the override set; an invalid value is INVALID_CONFIG and changes nothing', async () => {
      const altered = await drive<Record<string, KafkaErr | null>>({
        op: 'alter_configs',
        resources: [{ type: 'topic', name: 'cp.snapshots', config: { 'cleanup.policy': 'compact,delete', 'retention.ms': '86400000' } }, { type: 'topic', name: 'cp.orders', config: { 'max.message.bytes': 'huge' } }]
      })
      assert.deepEqual(altered, { 'cp.snapshots': null, 'cp.orders': { code: 40, name: 'INVALID_CONFIG', message: 'Invalid value huge for configuration max.message.bytes: Not a number of type INT' } })
      const described = await drive<Record<string, { configs: Record<string, { value: string, source: number }> }>>({ op: 'describe_configs', resources: [{ type: 'topic', name: 'cp.snapshots' }, { type: 'topic', name: 'cp.orders' }] })
      const snapshots = described['cp.snapshots']!.configs
      assert.deepEqual([snapshots['cleanup.policy']!.value, snapshots['retention.ms']!.value], ['compact,delete', '86400000'])
      assert.deepEqual([snapshots['delete.retention.ms']!.value, snapshots['delete.retention.ms']!.source], ['86400000', Source.DEFAULT_CONFIG], 'left out of the new set → default')
      assert.equal(described['cp.orders']!.configs['retention.ms']!.value, '2592000000')
      const broker1 = await drive<Record<string, KafkaErr | null>>({ op: 'alter_configs', resources: [{ type: 'broker', name: '1', config: { 'log.retention.ms': '1000' } }] })
      assert.equal(broker1['1']!.code, 40)
      assert.match(broker1['1']!.message, /no dynamic broker configs/)
    })

    test('create_partitions: increase, then INVALID_PARTITIONS for a lower count, with the broker\'s message', async () => {
      const grown = await drive<Record<string, KafkaErr | null>>({ op: 'create_partitions', topics: [{ name: 'cp.snapshots', total: 5 }, { name: 'cp.orders', total: 4 }, { name: 'cp.none', total: 2 }] })
      assert.deepEqual(grown, {
        'cp.snapshots': null,
        'cp.orders': { code: 37, name: 'INVALID_PARTITIONS', message: 'Topic currently has 6 partitions, which is higher than the requested 4.' },
        'cp.none': { code: 3, name: 'UNKNOWN_TOPIC_OR_PART', message: "The topic 'cp.none' does not exist." }
      })
      const metadata = await drive<Record<string, { partitions: Record<string, unknown> }>>({ op: 'metadata', topics: ['cp.snapshots'] })
      assert.equal(Object.keys(metadata['cp.snapshots']!.partitions).length, 5)
    })

    test('list offsets (watermarks, offsets_for_times) on an admin-created topic', async () => {
      await produceWithKafkajs(broker.bootstrap, 'cp.orders', 2, 10, 1_700_000_000_000)
      const offsets = await drive<Array<{ partition: number, low: number, high: number, by_time: number[] }>>({ op: 'list_offsets', topic: 'cp.orders', partitions: 3, timestamps: [1_700_000_000_004, 1_800_000_000_000] })
      assert.deepEqual(offsets, [
        { partition: 0, low: 0, high: 0, by_time: [-1, -1] },
        { partition: 1, low: 0, high: 0, by_time: [-1, -1] },
        { partition: 2, low: 0, high: 10, by_time: [4, -1] }
      ])
    })

    // DeleteTopics below v5 carries no error message: librdkafka shows its own text.
    test('delete_topics: deleted topics disappear; unknown ones are UNKNOWN_TOPIC_OR_PART', async () => {
      const deleted = await drive<Record<string, KafkaErr | null>>({ op: 'delete_topics', topics: ['cp.orders', 'cp.none'] })
      assert.deepEqual(deleted, { 'cp.orders': null, 'cp.none': { code: 3, name: 'UNKNOWN_TOPIC_OR_PART', message: 'Broker: Unknown topic or partition' } })
      const metadata = await drive<Record<string, unknown>>({ op: 'metadata', topics: ['cp.orders', 'cp.snapshots'] })
      assert.equal(metadata['cp.orders'], null)
      assert.notEqual(metadata['cp.snapshots'], null)
    })

    test('negotiated admin API versions', () => {
      const seen = broker.recorder.summary(CLIENT_ID)
      for (const [api, versions] of Object.entries(variant.versions)) assert.deepEqual(seen[api], versions, `${api}: ${JSON.stringify(seen)}`)
    })
  })
}
