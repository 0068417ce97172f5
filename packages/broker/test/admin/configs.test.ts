import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AlterConfigsApi, DescribeConfigsApi, ErrorCode, IncrementalAlterConfigsApi } from '@samsa/protocol'
import { createTopics, startAdminBroker, topicConfigs } from './admin-helpers.js'

const TOPIC = 2
const BROKER = 4
const [SET, DELETE, APPEND, SUBTRACT] = [0, 1, 2, 3]

test('DescribeConfigs for a topic: every Kafka topic key, sources, synonyms, types and documentation', async (t) => {
  const server = await startAdminBroker(t, { 'log.retention.hours': '24', 'compression.type': 'lz4' })
  await createTopics(server.client, [{ name: 'described', configs: { 'max.message.bytes': '2097152', 'cleanup.policy': 'compact' } }])
  const { result, byName } = await topicConfigs(server.client, 'described')
  assert.equal(result.errorCode, ErrorCode.NONE)
  for (const key of ['cleanup.policy', 'compression.type', 'delete.retention.ms', 'file.delete.delay.ms', 'flush.messages', 'flush.ms', 'index.interval.bytes',
    'max.compaction.lag.ms', 'max.message.bytes', 'message.timestamp.type', 'message.timestamp.before.max.ms', 'message.timestamp.after.max.ms',
    'min.cleanable.dirty.ratio', 'min.compaction.lag.ms', 'min.insync.replicas', 'preallocate', 'retention.bytes', 'retention.ms', 'segment.bytes',
    'segment.index.bytes', 'segment.jitter.ms', 'segment.ms', 'unclean.leader.election.enable']) {
    assert.ok(byName.has(key), `${key} is described`)
  }
  assert.deepEqual(result.configs.map((config) => config.name), [...result.configs.map((config) => config.name)].sort(), 'sorted by name')

  const override = byName.get('max.message.bytes')!
  assert.equal(override.value, '2097152')
  assert.equal(override.configSource, 1)
  assert.equal(override.readOnly, false)
  assert.equal(override.isSensitive, false)
  assert.equal(override.configType, 3)
  assert.deepEqual(override.synonyms, [
    { name: 'max.message.bytes', value: '2097152', source: 1 },
    { name: 'message.max.bytes', value: '1048588', source: 5 }
  ])
  assert.match(override.documentation!, /MESSAGE_TOO_LARGE/)

  const retention = byName.get('retention.ms')!
  assert.equal(retention.value, '86400000', 'from log.retention.hours=24')
  assert.equal(retention.configSource, 4, 'STATIC_BROKER_CONFIG')
  assert.equal(retention.configType, 5)
  assert.deepEqual(retention.synonyms, [
    { name: 'log.retention.hours', value: '24', source: 4 },
    { name: 'log.retention.hours', value: '168', source: 5 }
  ])
  assert.equal(byName.get('compression.type')!.value, 'lz4')
  assert.equal(byName.get('compression.type')!.configSource, 4)
  assert.deepEqual([byName.get('cleanup.policy')!.value, byName.get('cleanup.policy')!.configType], ['compact', 7])
  assert.deepEqual([byName.get('segment.bytes')!.value, byName.get('segment.bytes')!.configSource], ['1073741824', 5])
  assert.deepEqual([byName.get('flush.ms')!.value, byName.get('flush.ms')!.configSource, byName.get('flush.ms')!.synonyms], ['9223372036854775807', 5, []])
  assert.deepEqual([byName.get('min.cleanable.dirty.ratio')!.value, byName.get('min.cleanable.dirty.ratio')!.configType], ['0.5', 6])
  assert.equal(byName.get('message.timestamp.type')!.value, 'CreateTime')
  assert.equal(byName.get('preallocate')!.configType, 1)

  const filtered = await topicConfigs(server.client, 'described', 4, ['retention.ms', 'no.such.key', 'segment.ms'])
  assert.deepEqual(filtered.result.configs.map((config) => config.name), ['retention.ms', 'segment.ms'])
})

test('DescribeConfigs versions 0-4: isDefault in v0, synonyms only when asked, documentation only in v3+', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'versions', configs: { 'segment.ms': '60000' } }])
  const v0 = await server.client.request(DescribeConfigsApi, 0, { resources: [{ resourceType: TOPIC, resourceName: 'versions', configurationKeys: ['segment.ms', 'segment.bytes'] }] })
  assert.deepEqual(v0.results[0]!.configs.map((config) => [config.name, config.value, config.isDefault]), [['segment.bytes', '1073741824', true], ['segment.ms', '60000', false]])
  for (let version = 1; version <= 4; version++) {
    const plain = await server.client.request(DescribeConfigsApi, version, { resources: [{ resourceType: TOPIC, resourceName: 'versions', configurationKeys: ['segment.ms'] }], includeSynonyms: false, includeDocumentation: false })
    const config = plain.results[0]!.configs[0]!
    assert.deepEqual([config.value, config.configSource, config.synonyms], ['60000', 1, []], `v${version}`)
    if (version >= 3) assert.equal(config.documentation, null)
  }
})

test('DescribeConfigs errors and broker resources', async (t) => {
  const server = await startAdminBroker(t, { 'num.partitions': '6' })
  const response = await server.client.request(DescribeConfigsApi, 4, {
    resources: [
      { resourceType: TOPIC, resourceName: 'missing', configurationKeys: null },
      { resourceType: TOPIC, resourceName: 'bad/name', configurationKeys: null },
      { resourceType: BROKER, resourceName: '1', configurationKeys: ['num.partitions', 'log.retention.hours', 'log.retention.ms', 'replication.strict'] },
      { resourceType: BROKER, resourceName: '7', configurationKeys: null },
      { resourceType: BROKER, resourceName: '', configurationKeys: null },
      { resourceType: 3, resourceName: 'group', configurationKeys: null }
    ],
    includeSynonyms: true,
    includeDocumentation: true
  })
  const [missing, bad, broker, foreign, clusterDefault, group] = response.results
  assert.deepEqual([missing!.errorCode, missing!.errorMessage], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'missing' does not exist."])
  assert.equal(bad!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION)
  assert.equal(broker!.errorCode, ErrorCode.NONE)
  assert.deepEqual(broker!.configs.map((config) => [config.name, config.value, config.configSource, config.readOnly]), [
    ['log.retention.hours', '168', 5, true],
    ['log.retention.ms', null, 5, true],
    ['num.partitions', '6', 4, true],
    ['replication.strict', 'false', 5, true]
  ])
  assert.deepEqual(broker!.configs[2]!.synonyms, [{ name: 'num.partitions', value: '6', source: 4 }, { name: 'num.partitions', value: '1', source: 5 }])
  assert.deepEqual([foreign!.errorCode, foreign!.errorMessage], [ErrorCode.INVALID_REQUEST, 'Unexpected broker id, expected 1, but received 7'])
  assert.deepEqual([clusterDefault!.errorCode, clusterDefault!.configs], [ErrorCode.NONE, []])
  assert.equal(group!.errorCode, ErrorCode.INVALID_REQUEST)
})

test('AlterConfigs replaces the whole override set; invalid entries change nothing; validateOnly; persisted', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'alter', configs: { 'retention.ms': '1000', 'segment.ms': '60000' } }])
  for (let version = 0; version <= 2; version++) {
    const response = await server.client.request(AlterConfigsApi, version, {
      resources: [{ resourceType: TOPIC, resourceName: 'alter', configs: [{ name: 'retention.ms', value: String(2000 + version) }, { name: 'cleanup.policy', value: 'compact,delete' }, { name: 'flush.ms', value: null }] }],
      validateOnly: false
    })
    assert.deepEqual(response.responses, [{ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: TOPIC, resourceName: 'alter' }], `v${version}`)
  }
  let { byName } = await topicConfigs(server.client, 'alter')
  assert.deepEqual([byName.get('retention.ms')!.value, byName.get('retention.ms')!.configSource], ['2002', 1])
  assert.deepEqual([byName.get('segment.ms')!.value, byName.get('segment.ms')!.configSource], ['604800000', 5], 'left out → back to the default')
  assert.equal(byName.get('cleanup.policy')!.value, 'compact,delete')

  const bad = await server.client.request(AlterConfigsApi, 1, {
    resources: [
      { resourceType: TOPIC, resourceName: 'alter', configs: [{ name: 'retention.ms', value: '5' }, { name: 'segment.bytes', value: 'big' }] },
      { resourceType: TOPIC, resourceName: 'missing', configs: [] },
      { resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.retention.ms', value: '5' }] },
      { resourceType: BROKER, resourceName: '1', configs: [] }
    ],
    validateOnly: false
  })
  assert.deepEqual(bad.responses.map((r) => [r.errorCode, r.errorMessage]), [
    [ErrorCode.INVALID_CONFIG, 'Invalid value big for configuration segment.bytes: Not a number of type INT'],
    [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'missing' does not exist."],
    [ErrorCode.INVALID_REQUEST, 'Duplicate resource.'],
    [ErrorCode.INVALID_REQUEST, 'Duplicate resource.']
  ])
  const broker = await server.client.request(AlterConfigsApi, 2, { resources: [{ resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.retention.ms', value: '5' }] }], validateOnly: false })
  assert.equal(broker.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG)
  assert.match(broker.responses[0]!.errorMessage!, /no dynamic broker configs.*server\.properties/)

  const dry = await server.client.request(AlterConfigsApi, 2, { resources: [{ resourceType: TOPIC, resourceName: 'alter', configs: [{ name: 'retention.ms', value: '7' }] }], validateOnly: true })
  assert.equal(dry.responses[0]!.errorCode, ErrorCode.NONE)
  ;({ byName } = await topicConfigs(server.client, 'alter'))
  assert.equal(byName.get('retention.ms')!.value, '2002', 'neither the invalid nor the validateOnly request changed anything')

  await server.restart()
  ;({ byName } = await topicConfigs(server.client, 'alter'))
  assert.deepEqual([byName.get('retention.ms')!.value, byName.get('cleanup.policy')!.value], ['2002', 'compact,delete'])
})

test('IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT; all-or-nothing per resource', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'inc', configs: { 'retention.ms': '1000', 'segment.ms': '60000' } }])
  const alter = async (configs: Array<{ name: string, configOperation: number, value: string | null }>, version = 1, validateOnly = false) =>
    (await server.client.request(IncrementalAlterConfigsApi, version, { resources: [{ resourceType: TOPIC, resourceName: 'inc', configs }], validateOnly })).responses[0]!

  assert.equal((await alter([{ name: 'retention.ms', configOperation: SET, value: '5000' }, { name: 'segment.ms', configOperation: DELETE, value: null }], 0)).errorCode, ErrorCode.NONE)
  let { byName } = await topicConfigs(server.client, 'inc')
  assert.deepEqual([byName.get('retention.ms')!.value, byName.get('segment.ms')!.value, byName.get('segment.ms')!.configSource], ['5000', '604800000', 5])

  assert.equal((await alter([{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }])).errorCode, ErrorCode.NONE)
  ;({ byName } = await topicConfigs(server.client, 'inc'))
  assert.equal(byName.get('cleanup.policy')!.value, 'delete,compact', 'appended to the effective default')
  assert.equal((await alter([{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact,delete' }])).errorCode, ErrorCode.NONE)
  ;({ byName } = await topicConfigs(server.client, 'inc'))
  assert.equal(byName.get('cleanup.policy')!.value, 'delete,compact', 'no duplicates')
  assert.equal((await alter([{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }])).errorCode, ErrorCode.NONE)
  ;({ byName } = await topicConfigs(server.client, 'inc'))
  assert.equal(byName.get('cleanup.policy')!.value, 'compact')

  const failures = [
    [[{ name: 'retention.ms', configOperation: APPEND, value: '1' }], ErrorCode.INVALID_CONFIG, 'Config value append is not allowed for config key: retention.ms'],
    [[{ name: 'retention.ms', configOperation: SUBTRACT, value: '1' }], ErrorCode.INVALID_CONFIG, 'Config value subtract is not allowed for config key: retention.ms'],
    [[{ name: 'bogus', configOperation: SET, value: '1' }], ErrorCode.INVALID_CONFIG, 'Unknown topic config name: bogus'],
    [[{ name: 'bogus', configOperation: DELETE, value: null }], ErrorCode.INVALID_CONFIG, 'Unknown topic config name: bogus'],
    [[{ name: 'retention.ms', configOperation: 9, value: '1' }], ErrorCode.INVALID_REQUEST, 'Unknown operation type 9 for config key: retention.ms'],
    [[{ name: 'retention.ms', configOperation: SET, value: '1' }, { name: 'retention.ms', configOperation: SET, value: '2' }], ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys: retention.ms'],
    [[{ name: 'retention.ms', configOperation: SET, value: '1' }, { name: 'min.compaction.lag.ms', configOperation: SET, value: '100' }, { name: 'max.compaction.lag.ms', configOperation: SET, value: '10' }], ErrorCode.INVALID_CONFIG, 'conflict topic config setting min.compaction.lag.ms (100) > max.compaction.lag.ms (10)'],
    [[{ name: 'retention.ms', configOperation: SET, value: null }], ErrorCode.INVALID_CONFIG, 'Null value not supported for topic config: retention.ms'],
    [[{ name: 'cleanup.policy', configOperation: APPEND, value: 'forever' }], ErrorCode.INVALID_CONFIG, 'Invalid value compact,forever for configuration cleanup.policy: String must be one of: compact, delete']
  ] as const
  for (const [configs, code, message] of failures) {
    const response = await alter([...configs])
    assert.deepEqual([response.errorCode, response.errorMessage], [code, message])
  }
  assert.equal((await alter([{ name: 'retention.ms', configOperation: SET, value: '42' }], 1, true)).errorCode, ErrorCode.NONE)
  ;({ byName } = await topicConfigs(server.client, 'inc'))
  assert.equal(byName.get('retention.ms')!.value, '5000', 'failed and validateOnly requests changed nothing')

  const broker = await server.client.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.retention.ms', configOperation: SET, value: '1' }] }], validateOnly: false })
  assert.equal(broker.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG)
  await server.restart()
  ;({ byName } = await topicConfigs(server.client, 'inc'))
  assert.deepEqual([byName.get('retention.ms')!.value, byName.get('cleanup.policy')!.value], ['5000', 'compact'])
})
