import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { CreateTopicsApi, DeleteTopicsApi, ErrorCode, ZERO_UUID, encodeRecordBatch } from '@samsa/protocol'
import { createTopics, listOffset, metadata, produce, startAdminBroker } from './admin-helpers.js'

test('CreateTopics v7: partitions, configs with sources, topic id, and the topic is usable and persisted', async (t) => {
  const server = await startAdminBroker(t)
  const response = await createTopics(server.client, [{ name: 'orders', numPartitions: 3, configs: { 'retention.ms': '3600000', 'cleanup.policy': 'compact, delete' } }])
  const result = response.topics[0]!
  assert.equal(result.errorCode, ErrorCode.NONE)
  assert.equal(result.errorMessage, null)
  assert.equal(result.numPartitions, 3)
  assert.equal(result.replicationFactor, 1)
  assert.notEqual(result.topicId, ZERO_UUID)
  const configs = new Map(result.configs!.map((config) => [config.name, config]))
  assert.deepEqual({ ...configs.get('retention.ms') }, { name: 'retention.ms', value: '3600000', readOnly: false, configSource: 1, isSensitive: false })
  assert.equal(configs.get('cleanup.policy')!.value, 'compact,delete', 'normalized as Kafka prints lists')
  assert.equal(configs.get('segment.bytes')!.configSource, 5)
  assert.equal(configs.get('segment.bytes')!.value, '1073741824')

  const meta = await metadata(server.client, ['orders'])
  assert.equal(meta.topics[0]!.topicId, result.topicId)
  assert.equal(meta.topics[0]!.partitions.length, 3)
  const appended = await produce(server.client, 'orders', 2, encodeRecordBatch([{ key: 'k', value: 'x' }]))
  assert.equal(appended.errorCode, ErrorCode.NONE)

  await server.restart()
  const stored = JSON.parse(readFileSync(join(server.dataDir, 'topics.json'), 'utf8')) as { topics: Array<{ name: string, configs: Record<string, string> }> }
  assert.deepEqual(stored.topics.find((topic) => topic.name === 'orders')!.configs, { 'retention.ms': '3600000', 'cleanup.policy': 'compact,delete' })
  const again = await metadata(server.client, ['orders'])
  assert.equal(again.topics[0]!.topicId, result.topicId)
  assert.equal((await listOffset(server.client, 'orders', 2, -1)).offset, 1)
})

test('CreateTopics answers every version 0-7 with that version\'s layout', async (t) => {
  const server = await startAdminBroker(t)
  for (let version = 0; version <= 7; version++) {
    const response = await server.client.request(CreateTopicsApi, version, {
      topics: [{ name: `v${version}`, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{ name: 'max.message.bytes', value: '5000' }] }],
      timeoutMs: 1000
    })
    const result = response.topics[0]!
    assert.equal(result.errorCode, ErrorCode.NONE, `v${version}`)
    if (version >= 5) {
      assert.equal(result.numPartitions, 2)
      assert.equal(result.configs!.find((config) => config.name === 'max.message.bytes')!.value, '5000')
    }
    if (version >= 7) assert.notEqual(result.topicId, ZERO_UUID)
  }
  const meta = await metadata(server.client, null)
  assert.deepEqual(meta.topics.map((topic) => topic.name).sort(), ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7'])
})

test('CreateTopics -1 takes num.partitions and default.replication.factor', async (t) => {
  const server = await startAdminBroker(t, { 'num.partitions': '4', 'default.replication.factor': '3' })
  const response = await createTopics(server.client, [{ name: 'defaults', numPartitions: -1, replicationFactor: -1 }])
  assert.equal(response.topics[0]!.errorCode, ErrorCode.NONE)
  assert.equal(response.topics[0]!.numPartitions, 4)
  assert.equal(response.topics[0]!.replicationFactor, 3)
  const meta = await metadata(server.client, ['defaults'])
  assert.equal(meta.topics[0]!.partitions.length, 4)
  assert.deepEqual(meta.topics[0]!.partitions[0]!.replicaNodes, [1], 'one replica reported')
})

test('CreateTopics failures: Kafka error codes and messages, and a failing topic is not created', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'exists' }, { name: 'a.b' }])
  const response = await createTopics(server.client, [
    { name: 'exists' },
    { name: 'bad/name' },
    { name: '' },
    { name: 'a_b' },
    { name: 'twice' },
    { name: 'twice' },
    { name: 'zero', numPartitions: 0 },
    { name: 'negative', numPartitions: -2 },
    { name: 'rf0', replicationFactor: 0 },
    { name: 'assigned', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] },
    { name: 'badkey', configs: { 'no.such.config': '1' } },
    { name: 'badvalue', configs: { 'retention.ms': 'soon' } },
    { name: 'range', configs: { 'min.cleanable.dirty.ratio': '1.5' } },
    { name: 'enum', configs: { 'cleanup.policy': 'compact,forever' } },
    { name: 'nullvalue', configs: { 'retention.ms': null } },
    { name: 'lags', configs: { 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' } },
    { name: 'tiered', configs: { 'remote.storage.enable': 'true' } },
    { name: 'fine', configs: { 'segment.ms': '60000' } }
  ])
  const byName = response.topics.map((topic) => [topic.name, topic.errorCode, topic.errorMessage])
  assert.deepEqual(byName, [
    ['exists', ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'exists' already exists."],
    ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION, 'topic name "bad/name" contains characters other than ASCII alphanumerics, \'.\', \'_\' and \'-\''],
    ['', ErrorCode.INVALID_TOPIC_EXCEPTION, 'topic name is empty'],
    ['a_b', ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic 'a_b' collides with existing topic: a.b"],
    ['twice', ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.'],
    ['twice', ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.'],
    ['zero', ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.'],
    ['negative', ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.'],
    ['rf0', ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.'],
    ['assigned', ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'samsa is a single broker and does not take explicit replica assignments: give numPartitions and replicationFactor (or -1 for the broker defaults) instead.'],
    ['badkey', ErrorCode.INVALID_CONFIG, 'Unknown topic config name: no.such.config'],
    ['badvalue', ErrorCode.INVALID_CONFIG, 'Invalid value soon for configuration retention.ms: Not a number of type LONG'],
    ['range', ErrorCode.INVALID_CONFIG, 'Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1.0'],
    ['enum', ErrorCode.INVALID_CONFIG, 'Invalid value compact,forever for configuration cleanup.policy: String must be one of: compact, delete'],
    ['nullvalue', ErrorCode.INVALID_CONFIG, 'Null value not supported for topic config: retention.ms'],
    ['lags', ErrorCode.INVALID_CONFIG, 'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)'],
    ['tiered', ErrorCode.INVALID_CONFIG, 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage (remote.storage.enable).'],
    ['fine', ErrorCode.NONE, null]
  ])
  for (const failed of response.topics.filter((topic) => topic.errorCode !== ErrorCode.NONE)) {
    assert.equal(failed.numPartitions, -1)
    assert.equal(failed.topicId, ZERO_UUID)
  }
  const meta = await metadata(server.client, null)
  assert.deepEqual(meta.topics.map((topic) => topic.name).sort(), ['a.b', 'exists', 'fine'])
  assert.deepEqual(readdirSync(server.dataDir).filter((name) => name.startsWith('zero') || name.startsWith('badkey')), [], 'no directories for failed topics')
})

test('CreateTopics validateOnly checks everything and creates nothing', async (t) => {
  const server = await startAdminBroker(t)
  const response = await createTopics(server.client, [{ name: 'dry', numPartitions: 6, configs: { 'retention.bytes': '1000' } }, { name: 'dry-bad', configs: { 'segment.bytes': '1' } }], { validateOnly: true })
  assert.equal(response.topics[0]!.errorCode, ErrorCode.NONE)
  assert.equal(response.topics[0]!.numPartitions, 6)
  assert.equal(response.topics[0]!.topicId, ZERO_UUID)
  assert.equal(response.topics[0]!.configs!.find((config) => config.name === 'retention.bytes')!.value, '1000')
  assert.equal(response.topics[1]!.errorCode, ErrorCode.INVALID_CONFIG)
  assert.equal(response.topics[1]!.errorMessage, 'Invalid value 1 for configuration segment.bytes: Value must be at least 14')
  const meta = await metadata(server.client, null)
  assert.equal(meta.topics.length, 0)
  assert.ok(!existsSync(join(server.dataDir, 'dry-0')))
})

test('replication factor 3 / min.insync.replicas 2 are accepted, recorded, reported as one replica, warned once per topic', async (t) => {
  const server = await startAdminBroker(t)
  const response = await createTopics(server.client, [{ name: 'replicated', numPartitions: 2, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } }])
  assert.equal(response.topics[0]!.errorCode, ErrorCode.NONE)
  assert.equal(response.topics[0]!.replicationFactor, 3)
  const meta = await metadata(server.client, ['replicated'])
  assert.deepEqual(meta.topics[0]!.partitions.map((partition) => partition.replicaNodes), [[1], [1]])
  const warnings = server.lines.filter((line) => line.startsWith('WARN') && line.includes('replicated'))
  assert.equal(warnings.length, 1)
  assert.match(warnings[0]!, /replication factor 3 and min\.insync\.replicas 2 are recorded; this single node keeps one copy/)
  const stored = JSON.parse(readFileSync(join(server.dataDir, 'topics.json'), 'utf8')) as { topics: Array<{ name: string, replicationFactor: number }> }
  assert.equal(stored.topics[0]!.replicationFactor, 3)
  const appended = await produce(server.client, 'replicated', 0, encodeRecordBatch([{ value: 'durable' }]), -1)
  assert.equal(appended.errorCode, ErrorCode.NONE, 'acks=all is served: durability comes from fsync')
})

test('replication.strict=true rejects replication factor > 1 like a one-broker Kafka, and min.insync.replicas > 1 fails acks=all', async (t) => {
  const server = await startAdminBroker(t, { 'replication.strict': 'true' })
  const response = await createTopics(server.client, [{ name: 'r3', replicationFactor: 3 }, { name: 'r1', replicationFactor: 1, configs: { 'min.insync.replicas': '2' } }])
  assert.equal(response.topics[0]!.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR)
  assert.match(response.topics[0]!.errorMessage!, /^Unable to replicate the partition 3 time\(s\): The target replication factor of 3 cannot be reached because only 1 broker\(s\) are registered/)
  assert.equal(response.topics[1]!.errorCode, ErrorCode.NONE)
  const all = await produce(server.client, 'r1', 0, encodeRecordBatch([{ value: 'x' }]), -1)
  assert.equal(all.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS)
  assert.match(all.errorMessage!, /insufficient to satisfy the min\.isr requirement of 2/)
  const one = await produce(server.client, 'r1', 0, encodeRecordBatch([{ value: 'x' }]), 1)
  assert.equal(one.errorCode, ErrorCode.NONE)
  assert.equal(one.baseOffset, 0, 'the refused acks=all produce appended nothing')
})

test('replication.strict=true with default.replication.factor=3: -1 and auto-creation are refused', async (t) => {
  const server = await startAdminBroker(t, { 'replication.strict': 'true', 'default.replication.factor': '3' })
  const response = await createTopics(server.client, [{ name: 'd', replicationFactor: -1 }])
  assert.equal(response.topics[0]!.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR)
  const produced = await produce(server.client, 'auto', 0, encodeRecordBatch([{ value: 'x' }]), 1)
  assert.equal(produced.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
})

test('DeleteTopics by name (v0-5) and by id (v6) removes topics and their data; the name can be reused', async (t) => {
  const server = await startAdminBroker(t)
  const created = await createTopics(server.client, [{ name: 'gone', numPartitions: 2 }, { name: 'by-id' }, { name: 'old' }])
  const byIdTopicId = created.topics[1]!.topicId
  await produce(server.client, 'gone', 1, encodeRecordBatch([{ value: 'x' }, { value: 'y' }]))
  assert.ok(existsSync(join(server.dataDir, 'gone-1')))

  const v1 = await server.client.request(DeleteTopicsApi, 1, { topicNames: ['gone', 'missing', 'gone'], timeoutMs: 1000 })
  assert.deepEqual(v1.responses.map((r) => [r.name, r.errorCode]), [['gone', ErrorCode.NONE], ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
  assert.ok(!existsSync(join(server.dataDir, 'gone-0')))
  assert.ok(!existsSync(join(server.dataDir, 'gone-1')))

  const v5 = await server.client.request(DeleteTopicsApi, 5, { topicNames: ['old'], timeoutMs: 1000 })
  assert.deepEqual(v5.responses.map((r) => [r.name, r.errorCode, r.errorMessage]), [['old', ErrorCode.NONE, null]])

  const unknownId = '0123e456-e89b-42d3-a456-426614174000'
  const v6 = await server.client.request(DeleteTopicsApi, 6, {
    topics: [{ name: null, topicId: byIdTopicId }, { name: null, topicId: unknownId }, { name: 'x', topicId: byIdTopicId }, { name: 'nope', topicId: ZERO_UUID }],
    timeoutMs: 1000
  })
  assert.deepEqual(v6.responses.map((r) => [r.name, r.topicId, r.errorCode]), [
    ['by-id', byIdTopicId, ErrorCode.NONE],
    [null, unknownId, ErrorCode.UNKNOWN_TOPIC_ID],
    ['x', byIdTopicId, ErrorCode.INVALID_REQUEST],
    ['nope', ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]
  ])
  assert.equal(v6.responses[2]!.errorMessage, 'You may not specify both topic name and topic id.')
  assert.equal((await metadata(server.client, null)).topics.length, 0)

  const again = await createTopics(server.client, [{ name: 'gone', numPartitions: 2 }])
  assert.equal(again.topics[0]!.errorCode, ErrorCode.NONE)
  assert.notEqual(again.topics[0]!.topicId, created.topics[0]!.topicId)
  assert.equal((await listOffset(server.client, 'gone', 1, -1)).offset, 0, 'the recreated topic starts empty')
  await server.restart()
  assert.deepEqual((await metadata(server.client, null)).topics.map((topic) => topic.name), ['gone'])
})

test('DeleteTopics with delete.topic.enable=false answers TOPIC_DELETION_DISABLED', async (t) => {
  const server = await startAdminBroker(t, { 'delete.topic.enable': 'false' })
  await createTopics(server.client, [{ name: 'kept' }])
  const response = await server.client.request(DeleteTopicsApi, 4, { topicNames: ['kept'], timeoutMs: 1000 })
  assert.equal(response.responses[0]!.errorCode, ErrorCode.TOPIC_DELETION_DISABLED)
  assert.equal((await metadata(server.client, ['kept'])).topics[0]!.errorCode, ErrorCode.NONE)
})
