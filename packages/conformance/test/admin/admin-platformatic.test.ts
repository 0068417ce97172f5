import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka'
import { TestBroker } from '../../src/index.js'
import { Source, produceWithKafkajs } from './admin-support.js'

/**
 * @platformatic/kafka 1.35 Admin, which speaks the newest (flexible) versions: CreateTopics v7 (topic id and
 * configs in the reply), DeleteTopics v6, CreatePartitions v3, DescribeConfigs v4 (documentation, types),
 * AlterConfigs v2, IncrementalAlterConfigs v1 (SET/DELETE/APPEND/SUBTRACT), DeleteRecords v2, DescribeLogDirs v4
 * and ListOffsets.
 */
const CLIENT_ID = 'samsa-admin-platformatic'

/** The Kafka error names inside platformatic's (possibly aggregated) error. */
function kafkaErrors (error: unknown): string[] {
  const found: string[] = []
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return
    const apiId = (value as { apiId?: unknown }).apiId
    if (typeof apiId === 'string') found.push(apiId)
    for (const nested of (value as { errors?: unknown[] }).errors ?? []) visit(nested)
  }
  visit(error)
  return found
}

describe('@platformatic/kafka Admin', () => {
  let broker: TestBroker
  let admin: Admin

  before(async () => {
    broker = await TestBroker.start()
    admin = new Admin({ clientId: CLIENT_ID, bootstrapBrokers: [broker.bootstrap], retries: 0 })
  })
  after(async () => {
    await admin?.close()
    await broker?.close()
  })

  test('createTopics v7 returns id, partitions, replicas and the resulting configuration', async () => {
    const created = await admin.createTopics({ topics: ['pf.orders'], partitions: 12, replicas: 3, configs: [{ name: 'retention.ms', value: '604800000' }, { name: 'max.message.bytes', value: '524288' }] })
    assert.equal(created.length, 1)
    assert.equal(created[0]!.name, 'pf.orders')
    assert.match(created[0]!.id, /^[0-9a-f-]{36}$/)
    assert.deepEqual([created[0]!.partitions, created[0]!.replicas], [12, 3])
    assert.equal(created[0]!.configuration['max.message.bytes'], '524288')
    assert.equal(created[0]!.configuration['segment.bytes'], '1073741824')
    await assert.rejects(admin.createTopics({ topics: ['pf.orders'], partitions: 1, replicas: 1 }), (error) => {
      assert.deepEqual(kafkaErrors(error).filter((name) => name !== 'UNKNOWN'), ['TOPIC_ALREADY_EXISTS'])
      return true
    })
  })

  test('describeConfigs v4 with synonyms and documentation', async () => {
    const [described] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'pf.orders', configurationKeys: ['max.message.bytes', 'cleanup.policy'] }], includeSynonyms: true, includeDocumentation: true })
    const configs = new Map(described!.configs.map((config) => [config.name, config]))
    const max = configs.get('max.message.bytes')!
    assert.deepEqual([max.value, max.configSource, max.readOnly, max.isSensitive, max.configType], ['524288', Source.TOPIC_CONFIG, false, false, 3])
    assert.match(max.documentation ?? '', /MESSAGE_TOO_LARGE/)
    const policy = configs.get('cleanup.policy')!
    assert.deepEqual([policy.value, policy.configSource, policy.configType], ['delete', Source.DEFAULT_CONFIG, 7])
    assert.deepEqual(policy.synonyms, [{ name: 'log.cleanup.policy', value: 'delete', source: Source.DEFAULT_CONFIG }])
  })

  test('incrementalAlterConfigs: SET, APPEND, SUBTRACT, DELETE; a bad key fails the whole resource', async () => {
    const alter = async (configs: Array<{ name: string, configOperation: number, value?: string | null }>): Promise<void> => {
      await admin.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'pf.orders', configs: configs as never }] })
    }
    const values = async (): Promise<Record<string, string | null>> => {
      const [described] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'pf.orders', configurationKeys: ['cleanup.policy', 'retention.ms', 'max.message.bytes'] }] })
      return Object.fromEntries(described!.configs.map((config) => [config.name, config.value ?? null]))
    }
    await alter([{ name: 'cleanup.policy', configOperation: IncrementalAlterConfigOperationTypes.APPEND, value: 'compact' }, { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '86400000' }])
    assert.deepEqual(await values(), { 'cleanup.policy': 'delete,compact', 'max.message.bytes': '524288', 'retention.ms': '86400000' })
    await alter([{ name: 'cleanup.policy', configOperation: IncrementalAlterConfigOperationTypes.SUBTRACT, value: 'delete' }, { name: 'max.message.bytes', configOperation: IncrementalAlterConfigOperationTypes.DELETE, value: null }])
    assert.deepEqual(await values(), { 'cleanup.policy': 'compact', 'max.message.bytes': '1048588', 'retention.ms': '86400000' })
    await assert.rejects(alter([{ name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '1' }, { name: 'retention.ms.typo', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '1' }]), (error) => {
      assert.deepEqual(kafkaErrors(error).filter((name) => name !== 'UNKNOWN'), ['INVALID_CONFIG'])
      return true
    })
    assert.equal((await values())['retention.ms'], '86400000', 'nothing of the failed request was applied')
    await alter([{ name: 'cleanup.policy', configOperation: IncrementalAlterConfigOperationTypes.SET, value: 'delete' }])
  })

  test('alterConfigs v2 replaces the override set', async () => {
    await admin.alterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'pf.orders', configs: [{ name: 'segment.ms', value: '3600000' }] }] })
    const [described] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'pf.orders', configurationKeys: ['segment.ms', 'retention.ms', 'cleanup.policy'] }] })
    assert.deepEqual(described!.configs.map((config) => [config.name, config.value, config.configSource]), [
      ['cleanup.policy', 'delete', Source.DEFAULT_CONFIG],
      ['retention.ms', '604800000', Source.DEFAULT_CONFIG],
      ['segment.ms', '3600000', Source.TOPIC_CONFIG]
    ])
  })

  test('createPartitions v3, deleteRecords v2, listOffsets and describeLogDirs v4', async () => {
    await admin.createPartitions({ topics: [{ name: 'pf.orders', count: 16, assignments: [] }] })
    await assert.rejects(admin.createPartitions({ topics: [{ name: 'pf.orders', count: 16, assignments: [] }] }), (error) => {
      assert.deepEqual(kafkaErrors(error).filter((name) => name !== 'UNKNOWN'), ['INVALID_PARTITIONS'])
      return true
    })
    await produceWithKafkajs(broker.bootstrap, 'pf.orders', 15, 8, 1_700_000_000_000)
    const deleted = await admin.deleteRecords({ topics: [{ name: 'pf.orders', partitions: [{ partition: 15, offset: 5n }] }] })
    assert.deepEqual(deleted, [{ name: 'pf.orders', partitions: [{ partition: 15, lowWatermark: 5n }] }])
    const listed = await admin.listOffsets({ topics: [{ name: 'pf.orders', partitions: [{ partitionIndex: 15, timestamp: -2n }, { partitionIndex: 0, timestamp: -1n }] }] })
    const partitions = listed[0]!.partitions.map((p) => [p.partitionIndex, p.offset])
    assert.deepEqual(partitions.sort((a, b) => Number(a[0]) - Number(b[0])), [[0, 0n], [15, 5n]])
    const dirs = await admin.describeLogDirs({ topics: [{ name: 'pf.orders', partitions: [14, 15] }] })
    assert.equal(dirs.length, 1)
    assert.equal(dirs[0]!.results[0]!.logDir, broker.dataDir)
    const sizes = new Map(dirs[0]!.results[0]!.topics[0]!.partitions.map((p) => [p.partitionIndex, p.partitionSize]))
    assert.equal(sizes.get(14), 0n)
    assert.ok(sizes.get(15)! > 0n)
  })

  test('deleteTopics v6', async () => {
    await admin.deleteTopics({ topics: ['pf.orders'] })
    assert.deepEqual((await admin.listTopics()).filter((name) => name.startsWith('pf.')), [])
  })

  test('admin API versions on the wire', () => {
    const seen = broker.recorder.summary(CLIENT_ID)
    assert.deepEqual(
      Object.fromEntries(['CreateTopics', 'DeleteTopics', 'DeleteRecords', 'DescribeConfigs', 'AlterConfigs', 'DescribeLogDirs', 'CreatePartitions', 'IncrementalAlterConfigs'].map((api) => [api, seen[api]])),
      { CreateTopics: [7], DeleteTopics: [6], DeleteRecords: [2], DescribeConfigs: [4], AlterConfigs: [2], DescribeLogDirs: [4], CreatePartitions: [3], IncrementalAlterConfigs: [1] }
    )
  })
})
