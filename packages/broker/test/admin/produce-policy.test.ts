import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BATCH_ATTRIBUTES, BATCH_CRC, BATCH_HEADER_SIZE, CompressionType, ErrorCode, IncrementalAlterConfigsApi, TimestampType, computeCrc, decodeRecordBatches, encodeRecordBatch } from '@samsa/protocol'
import { DEFAULT_CONFIG } from '../../src/index.js'
import { applyCompression } from '../../src/topics/produce-policy.js'
import { effectiveTopicConfig } from '../../src/topics/topic-configs.js'
import { createTopics, fetchPartition, produce, startAdminBroker } from './admin-helpers.js'

async function setConfig (client: Awaited<ReturnType<typeof startAdminBroker>>['client'], topic: string, name: string, value: string): Promise<void> {
  const response = await client.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: 2, resourceName: topic, configs: [{ name, configOperation: 0, value }] }], validateOnly: false })
  assert.equal(response.responses[0]!.errorCode, ErrorCode.NONE)
}

test('max.message.bytes is per topic and follows config changes', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'small', configs: { 'max.message.bytes': '500' } }, { name: 'default' }])
  const big = encodeRecordBatch([{ value: Buffer.alloc(800, 1) }])
  assert.equal((await produce(server.client, 'small', 0, Buffer.from(big))).errorCode, ErrorCode.MESSAGE_TOO_LARGE)
  assert.equal((await produce(server.client, 'default', 0, Buffer.from(big))).errorCode, ErrorCode.NONE)
  await setConfig(server.client, 'small', 'max.message.bytes', '2000')
  assert.equal((await produce(server.client, 'small', 0, Buffer.from(big))).errorCode, ErrorCode.NONE)
})

test('message.timestamp.type=LogAppendTime stamps batches with the broker clock and reports it', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'stamped', configs: { 'message.timestamp.type': 'LogAppendTime' } }, { name: 'created' }])
  const before = Date.now()
  const batch = encodeRecordBatch([{ value: 'a', timestamp: 1000 }, { value: 'b', timestamp: 2000 }])
  const stamped = await produce(server.client, 'stamped', 0, Buffer.from(batch))
  assert.equal(stamped.errorCode, ErrorCode.NONE)
  assert.ok(stamped.logAppendTimeMs >= before && stamped.logAppendTimeMs <= Date.now())
  const [fetched] = decodeRecordBatches((await fetchPartition(server.client, 'stamped', 0, 0)).records!)
  assert.equal(fetched!.timestampType, TimestampType.LogAppendTime)
  assert.equal(fetched!.maxTimestamp, stamped.logAppendTimeMs)
  assert.deepEqual(fetched!.records.map((record) => record.timestamp), [stamped.logAppendTimeMs, stamped.logAppendTimeMs])

  const created = await produce(server.client, 'created', 0, Buffer.from(batch))
  assert.equal(created.logAppendTimeMs, -1)
  const [kept] = decodeRecordBatches((await fetchPartition(server.client, 'created', 0, 0)).records!)
  assert.deepEqual(kept!.records.map((record) => record.timestamp), [1000, 2000])
})

test('message.timestamp.before/after.max.ms reject CreateTime batches outside the window', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'window', configs: { 'message.timestamp.before.max.ms': '60000', 'message.timestamp.after.max.ms': '60000' } }])
  const now = Date.now()
  const old = await produce(server.client, 'window', 0, encodeRecordBatch([{ value: 'old', timestamp: now - 3_600_000 }]))
  assert.equal(old.errorCode, ErrorCode.INVALID_TIMESTAMP)
  assert.match(old.errorMessage!, /message\.timestamp\.before\.max\.ms=60000/)
  const future = await produce(server.client, 'window', 0, encodeRecordBatch([{ value: 'future', timestamp: now + 3_600_000 }]))
  assert.equal(future.errorCode, ErrorCode.INVALID_TIMESTAMP)
  const fine = await produce(server.client, 'window', 0, encodeRecordBatch([{ value: 'now', timestamp: now }]))
  assert.deepEqual([fine.errorCode, fine.baseOffset], [ErrorCode.NONE, 0])
})

test('compression.type: producer keeps bytes, a codec name recompresses, uncompressed decompresses', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [
    { name: 'as-sent', configs: { 'compression.type': 'producer' } },
    { name: 'to-gzip', configs: { 'compression.type': 'gzip' } },
    { name: 'to-zstd', configs: { 'compression.type': 'zstd' } },
    { name: 'to-plain', configs: { 'compression.type': 'uncompressed' } },
    { name: 'already-lz4', configs: { 'compression.type': 'lz4' } }
  ])
  const records = [
    { key: 'k1', value: 'v'.repeat(200), timestamp: 1111, headers: [{ key: 'h', value: 'x' }] },
    { key: null, value: null, timestamp: 1115 },
    { key: 'k3', value: 'third', timestamp: 1113 }
  ]
  const idempotent = { producerId: 42, producerEpoch: 3, baseSequence: 7 }
  const expectRecords = (batch: ReturnType<typeof decodeRecordBatches>[number], offset: number): void => {
    assert.deepEqual(batch.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null, r.headers.map((h) => `${h.key}=${h.value?.toString()}`)]), [
      [offset, 1111, 'k1', 'v'.repeat(200), ['h=x']], [offset + 1, 1115, null, null, []], [offset + 2, 1113, 'k3', 'third', []]
    ])
    assert.deepEqual([batch.producerId, batch.producerEpoch, batch.baseSequence, batch.maxTimestamp], [42, 3, 7, 1115])
  }

  const lz4 = encodeRecordBatch(records, { compression: CompressionType.Lz4, ...idempotent })
  for (const topic of ['as-sent', 'already-lz4']) {
    assert.equal((await produce(server.client, topic, 0, Buffer.from(lz4))).errorCode, ErrorCode.NONE)
    const stored = (await fetchPartition(server.client, topic, 0, 0)).records!
    assert.deepEqual(stored.subarray(16), lz4.subarray(16), `${topic}: bytes kept (only baseOffset/leader epoch patched)`)
  }
  for (const [topic, codec] of [['to-gzip', CompressionType.Gzip], ['to-zstd', CompressionType.Zstd], ['to-plain', CompressionType.None]] as const) {
    await produce(server.client, topic, 0, encodeRecordBatch([{ value: 'first' }]))
    const response = await produce(server.client, topic, 0, Buffer.from(lz4))
    assert.deepEqual([response.errorCode, response.baseOffset], [ErrorCode.NONE, 1], topic)
    const batches = decodeRecordBatches((await fetchPartition(server.client, topic, 0, 0)).records!)
    assert.deepEqual(batches.map((batch) => batch.compression), [codec, codec], `${topic}: stored with the topic's codec`)
    expectRecords(batches[1]!, 1)
  }
  // The transactional flag survives recompression (checked on the policy itself: a transactional produce needs a
  // transaction, which is not what this test is about).
  const transactional = encodeRecordBatch(records, { compression: CompressionType.Snappy, isTransactional: true, ...idempotent })
  const settings = { ...effectiveTopicConfig({ 'compression.type': 'gzip' }, DEFAULT_CONFIG) }
  const rebuilt = applyCompression(transactional, settings)
  assert.ok(rebuilt.ok)
  const [stored] = decodeRecordBatches(rebuilt.records)
  assert.deepEqual([stored!.isTransactional, stored!.compression], [true, CompressionType.Gzip])
  expectRecords(stored!, 0)
})

test('a recompressed batch must still fit max.message.bytes', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'tight', configs: { 'compression.type': 'uncompressed', 'max.message.bytes': '1000' } }])
  const compressible = encodeRecordBatch([{ value: Buffer.alloc(5000, 0x61) }], { compression: CompressionType.Gzip })
  assert.ok(compressible.length < 1000)
  const response = await produce(server.client, 'tight', 0, compressible)
  assert.equal(response.errorCode, ErrorCode.MESSAGE_TOO_LARGE)
  assert.match(response.errorMessage!, /after recompression/)
})

test('a compacted topic refuses records without a key (INVALID_RECORD), compressed batches included', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'snapshots', configs: { 'cleanup.policy': 'compact' } }, { name: 'events' }])
  const keyless = encodeRecordBatch([{ key: 'k', value: 'a' }, { key: null, value: 'b' }], { compression: CompressionType.Gzip })
  const refused = await produce(server.client, 'snapshots', 0, Buffer.from(keyless))
  assert.equal(refused.errorCode, ErrorCode.INVALID_RECORD)
  assert.equal(refused.errorMessage, 'Compacted topic cannot accept message without key in topic partition snapshots-0.')
  assert.equal((await produce(server.client, 'snapshots', 0, Buffer.from(encodeRecordBatch([{ key: 'k', value: 'a' }])))).baseOffset, 0, 'nothing was appended')
  assert.equal((await produce(server.client, 'events', 0, Buffer.from(keyless))).errorCode, ErrorCode.NONE, 'delete-policy topics take keyless records')
})

/** A batch with a valid CRC around records that cannot be read (or a compressed payload that does not decompress). */
function malformedRecords (codec: CompressionType): Buffer {
  const batch = encodeRecordBatch([{ key: 'k', value: 'v'.repeat(50) }, { key: 'k2', value: 'w'.repeat(50) }])
  for (let i = BATCH_HEADER_SIZE; i < batch.length; i++) batch[i] = (i * 7919) & 0xff
  batch.writeInt16BE(codec, BATCH_ATTRIBUTES)
  batch.writeUInt32BE(computeCrc(batch, 0), BATCH_CRC)
  return batch
}

test('records that cannot be read: CORRUPT_MESSAGE for uncompressed batches everywhere, for compressed ones where the broker must read them', async (t) => {
  const server = await startAdminBroker(t)
  await createTopics(server.client, [{ name: 'table', configs: { 'cleanup.policy': 'compact' } }, { name: 'zipped', configs: { 'compression.type': 'gzip' } }, { name: 'opaque' }])
  // Uncompressed: the record layout is checked on every produce (validateProduceRecords), whatever the topic.
  for (const topic of ['table', 'zipped', 'opaque']) {
    assert.equal((await produce(server.client, topic, 0, malformedRecords(CompressionType.None))).errorCode, ErrorCode.CORRUPT_MESSAGE, `${topic}, uncompressed`)
  }
  for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    const compacted = await produce(server.client, 'table', 0, malformedRecords(codec))
    assert.equal(compacted.errorCode, ErrorCode.CORRUPT_MESSAGE, `compacted topic, codec ${codec}`)
    assert.match(compacted.errorMessage!, /^the records of a batch for table-0 cannot be read: /)
    // Already in the topic's codec, a gzip batch is kept as sent (no recompression, so nothing is read).
    const zipped = await produce(server.client, 'zipped', 0, malformedRecords(codec))
    assert.equal(zipped.errorCode, codec === CompressionType.Gzip ? ErrorCode.NONE : ErrorCode.CORRUPT_MESSAGE, `gzip topic, codec ${codec}`)
    // Elsewhere compressed records stay opaque on the produce path: stored as sent (docs/differences.md).
    assert.equal((await produce(server.client, 'opaque', 0, malformedRecords(codec))).errorCode, ErrorCode.NONE, `plain topic, codec ${codec}`)
  }
  assert.equal((await produce(server.client, 'table', 0, Buffer.from(encodeRecordBatch([{ key: 'k', value: 'a' }])))).baseOffset, 0, 'nothing refused was appended')
  assert.equal((await produce(server.client, 'zipped', 0, Buffer.from(encodeRecordBatch([{ key: 'k', value: 'a' }])))).baseOffset, 2, 'only the gzip batch (two records) was appended')
})
