import { test } from 'node:test'
import assert from 'node:assert/strict'
import { CreatePartitionsApi, DeleteRecordsApi, DescribeLogDirsApi, ErrorCode, encodeRecordBatch } from '@samsa/protocol'
import { createTopics, fetchPartition, listOffset, metadata, produce, startAdminBroker } from './admin-helpers.js'

test('CreatePartitions: increase only, Kafka messages for equal and lower counts, validateOnly, assignments refused', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'grow', numPartitions: 2 }, { name: 'dry', numPartitions: 1 }])
  for (let version = 0; version <= 3; version++) {
    const response = await server.client.request(CreatePartitionsApi, version, {
      topics: [{ name: 'grow', count: 3 + version, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false
    })
    assert.deepEqual(response.results.map((r) => [r.name, r.errorCode, r.errorMessage]), [['grow', ErrorCode.NONE, null]], `v${version}`)
  }
  const response = await server.client.request(CreatePartitionsApi, 3, {
    topics: [
      { name: 'grow', count: 6, assignments: null },
      { name: 'missing', count: 2, assignments: null },
      { name: 'dry', count: 5, assignments: null },
      { name: 'twice', count: 2, assignments: null },
      { name: 'twice', count: 3, assignments: null }
    ],
    timeoutMs: 1000,
    validateOnly: true
  })
  assert.deepEqual(response.results.map((r) => [r.name, r.errorCode, r.errorMessage]), [
    ['grow', ErrorCode.INVALID_PARTITIONS, 'Topic already has 6 partitions.'],
    ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'missing' does not exist."],
    ['dry', ErrorCode.NONE, null],
    ['twice', ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.'],
    ['twice', ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.']
  ])
  const lower = await server.client.request(CreatePartitionsApi, 2, { topics: [{ name: 'grow', count: 4, assignments: null }, { name: 'dry', count: 2, assignments: [{ brokerIds: [1] }] }], timeoutMs: 1000, validateOnly: false })
  assert.deepEqual(lower.results.map((r) => [r.errorCode, r.errorMessage]), [
    [ErrorCode.INVALID_PARTITIONS, 'Topic currently has 6 partitions, which is higher than the requested 4.'],
    [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'samsa is a single broker and does not take explicit replica assignments: give numPartitions and replicationFactor (or -1 for the broker defaults) instead.']
  ])
  const meta = await metadata(server.client, ['grow', 'dry'])
  assert.deepEqual(meta.topics.map((topic) => topic.partitions.length), [6, 1], 'validateOnly and failures changed nothing')
  const appended = await produce(server.client, 'grow', 5, encodeRecordBatch([{ value: 'new partition' }]))
  assert.equal(appended.errorCode, ErrorCode.NONE)
  await server.restart()
  assert.equal((await metadata(server.client, ['grow'])).topics[0]!.partitions.length, 6)
  assert.equal((await listOffset(server.client, 'grow', 5, -1)).offset, 1)
})

test('DeleteRecords moves the log start offset; -1 is the high watermark; errors per partition', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'trim', numPartitions: 3 }, { name: 'compacted', configs: { 'cleanup.policy': 'compact' } }])
  for (let i = 0; i < 5; i++) await produce(server.client, 'trim', 0, encodeRecordBatch([{ value: `a${i}` }, { value: `b${i}` }]))
  await produce(server.client, 'trim', 1, encodeRecordBatch([{ value: 'only' }]))
  for (let version = 0; version <= 2; version++) {
    const response = await server.client.request(DeleteRecordsApi, version, { topics: [{ name: 'trim', partitions: [{ partitionIndex: 0, offset: 3 + version }] }], timeoutMs: 1000 })
    assert.deepEqual(response.topics[0]!.partitions, [{ partitionIndex: 0, lowWatermark: 3 + version, errorCode: ErrorCode.NONE }], `v${version}`)
  }
  const response = await server.client.request(DeleteRecordsApi, 2, {
    topics: [
      { name: 'trim', partitions: [{ partitionIndex: 0, offset: 2 }, { partitionIndex: 1, offset: -1 }, { partitionIndex: 2, offset: 1 }, { partitionIndex: 7, offset: 0 }] },
      { name: 'compacted', partitions: [{ partitionIndex: 0, offset: 0 }] },
      { name: 'nope', partitions: [{ partitionIndex: 0, offset: 0 }] }
    ],
    timeoutMs: 1000
  })
  assert.deepEqual(response.topics.map((topic) => topic.partitions.map((p) => [p.partitionIndex, p.lowWatermark, p.errorCode])), [
    [[0, 5, ErrorCode.NONE], [1, 1, ErrorCode.NONE], [2, -1, ErrorCode.OFFSET_OUT_OF_RANGE], [7, -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
    [[0, -1, ErrorCode.POLICY_VIOLATION]],
    [[0, -1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]
  ])
  const negative = await server.client.request(DeleteRecordsApi, 1, { topics: [{ name: 'trim', partitions: [{ partitionIndex: 0, offset: -5 }, { partitionIndex: 0, offset: 11 }] }], timeoutMs: 1000 })
  assert.deepEqual(negative.topics[0]!.partitions.map((p) => p.errorCode), [ErrorCode.OFFSET_OUT_OF_RANGE, ErrorCode.OFFSET_OUT_OF_RANGE])

  assert.equal((await listOffset(server.client, 'trim', 0, -2)).offset, 5, 'ListOffsets earliest is the new log start')
  assert.equal((await listOffset(server.client, 'trim', 0, -1)).offset, 10)
  const fetched = await fetchPartition(server.client, 'trim', 0, 5)
  assert.equal(fetched.errorCode, ErrorCode.NONE)
  assert.equal(fetched.logStartOffset, 5)
  const below = await fetchPartition(server.client, 'trim', 0, 0)
  assert.equal(below.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
})

test('DescribeLogDirs: one log dir with per-partition sizes (v0-4)', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'sized', numPartitions: 2 }, { name: 'other' }])
  const batch = encodeRecordBatch([{ value: Buffer.alloc(1000, 7) }])
  await produce(server.client, 'sized', 1, Buffer.from(batch))
  for (let version = 0; version <= 4; version++) {
    const response = await server.client.request(DescribeLogDirsApi, version, { topics: [{ topic: 'sized', partitions: [0, 1, 9] }, { topic: 'missing', partitions: [0] }] })
    assert.equal(response.results.length, 1)
    const dir = response.results[0]!
    assert.equal(dir.errorCode, ErrorCode.NONE)
    assert.equal(dir.logDir, server.dataDir)
    assert.deepEqual(dir.topics, [{ name: 'sized', partitions: [{ partitionIndex: 0, partitionSize: 0, offsetLag: 0, isFutureKey: false }, { partitionIndex: 1, partitionSize: batch.length, offsetLag: 0, isFutureKey: false }] }])
    if (version >= 4) {
      assert.ok(dir.totalBytes > 0)
      assert.ok(dir.usableBytes > 0 && dir.usableBytes <= dir.totalBytes)
    }
  }
  const all = await server.client.request(DescribeLogDirsApi, 2, { topics: null })
  assert.deepEqual(all.results[0]!.topics.map((topic) => [topic.name, topic.partitions.length]).sort(), [['other', 1], ['sized', 2]])
})
