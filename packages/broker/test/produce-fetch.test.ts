import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, FetchApi, ListOffsetsApi, MetadataApi, ProduceApi, encodeRecordBatch, decodeRecordBatches, type RequestOf, type DeepPartial } from '@samsa/protocol'
import { RawClient, startBroker, type TestBroker } from './helpers.js'

async function setup (t: { after: (fn: () => unknown) => void }, overrides: Record<string, string> = {}): Promise<{ server: TestBroker, client: RawClient }> {
  const server = await startBroker(overrides)
  const client = await RawClient.connect(server.port)
  t.after(async () => { client.close(); await server.stop() })
  return { server, client }
}

function produce (client: RawClient, topic: string, partition: number, records: Buffer, acks = -1, version = 7) {
  return client.request(ProduceApi, version, { acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] })
}

function fetchBody (topic: string, offset: number, extra: DeepPartial<RequestOf<typeof FetchApi>> = {}): DeepPartial<RequestOf<typeof FetchApi>> {
  return { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, topics: [{ topic, topicId: '00000000-0000-0000-0000-000000000000', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }], ...extra }
}

test('produce assigns consecutive offsets and fetch returns the batches byte for byte', async (t) => {
  const { client } = await setup(t)
  const first = encodeRecordBatch([{ key: 'k1', value: 'v1' }, { key: 'k2', value: 'v2' }])
  const second = encodeRecordBatch([{ key: null, value: 'v3', headers: [{ key: 'h', value: 'x' }] }])
  const a = await produce(client, 'orders', 0, Buffer.from(first))
  assert.equal(a.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE)
  assert.equal(a.responses[0]!.partitionResponses[0]!.baseOffset, 0)
  const b = await produce(client, 'orders', 0, Buffer.from(second), 1)
  assert.equal(b.responses[0]!.partitionResponses[0]!.baseOffset, 2)

  const fetched = await client.request(FetchApi, 11, fetchBody('orders', 0))
  const partition = fetched.responses[0]!.partitions[0]!
  assert.equal(partition.errorCode, ErrorCode.NONE)
  assert.equal(partition.highWatermark, 3)
  const expected = Buffer.concat([first, second])
  // The broker patches only baseOffset and partitionLeaderEpoch (0), both outside the CRC.
  expected.writeInt32BE(0, 12)
  expected.writeBigInt64BE(2n, first.length)
  expected.writeInt32BE(0, first.length + 12)
  assert.deepEqual(partition.records, expected)
  assert.deepEqual(decodeRecordBatches(partition.records!.subarray(first.length))[0]!.records.map((r) => [r.offset, r.value?.toString()]), [[2, 'v3']])

  // Fetching offset 1 returns the whole batch that contains it (offsets 0-1) plus the next one.
  const middle = await client.request(FetchApi, 11, fetchBody('orders', 1))
  assert.deepEqual(middle.responses[0]!.partitions[0]!.records, expected)
})

test('per-partition produce errors leave the rest of the request intact', async (t) => {
  const { client } = await setup(t, { 'message.max.bytes': '2000' })
  await client.request(MetadataApi, 4, { topics: [{ name: 'multi', topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: true })
  const corrupt = encodeRecordBatch([{ value: 'x' }])
  corrupt[corrupt.length - 1]! ^= 0xff
  const big = encodeRecordBatch([{ value: Buffer.alloc(3000, 1) }])
  const good = encodeRecordBatch([{ value: 'ok' }])
  const response = await client.request(ProduceApi, 9, {
    acks: 1,
    timeoutMs: 1000,
    topicData: [
      { name: 'multi', partitionData: [{ index: 0, records: corrupt }, { index: 1, records: good }] },
      { name: 'multi', partitionData: [{ index: 0, records: big }] },
      { name: 'bad/name', partitionData: [{ index: 0, records: good }] }
    ]
  })
  assert.deepEqual(response.responses.map((topic) => topic.partitionResponses.map((p) => p.errorCode)), [
    [ErrorCode.CORRUPT_MESSAGE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    [ErrorCode.MESSAGE_TOO_LARGE],
    [ErrorCode.INVALID_TOPIC_EXCEPTION]
  ])
  const ok = await produce(client, 'multi', 0, good)
  assert.equal(ok.responses[0]!.partitionResponses[0]!.baseOffset, 0, 'rejected batches consumed no offsets')
})

test('invalid acks and unknown topics without auto-creation are refused with Kafka error codes', async (t) => {
  const { client } = await setup(t, { 'auto.create.topics.enable': 'false' })
  const batch = encodeRecordBatch([{ value: 'x' }])
  const acks = await produce(client, 'a', 0, batch, 2)
  assert.equal(acks.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_REQUIRED_ACKS)
  // v0-2 are advertised (librdkafka <= 2.11 needs Produce v0 advertised to compress) but carry magic 0/1 message sets.
  const legacy = await produce(client, 'a', 0, batch, 1, 2)
  assert.equal(legacy.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.UNSUPPORTED_VERSION)
  const unknown = await produce(client, 'a', 0, batch)
  assert.equal(unknown.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const metadata = await client.request(MetadataApi, 9, { topics: [{ name: 'a', topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: true })
  assert.equal(metadata.topics[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
})

test('fetch long-polls until data arrives, and waits maxWaitMs when nothing comes', async (t) => {
  const { server, client } = await setup(t)
  await produce(client, 'poll', 0, encodeRecordBatch([{ value: 'first' }]))
  const started = Date.now()
  const idle = await client.request(FetchApi, 12, fetchBody('poll', 1, { maxWaitMs: 300, minBytes: 1 }))
  assert.ok(Date.now() - started >= 280, 'waited for maxWaitMs')
  assert.equal(idle.responses[0]!.partitions[0]!.records!.length, 0)

  const waiting = client.request(FetchApi, 12, fetchBody('poll', 1, { maxWaitMs: 10_000, minBytes: 1 }))
  await new Promise((resolve) => setTimeout(resolve, 100))
  const producer = await RawClient.connect(server.port)
  t.after(() => producer.close())
  const woke = Date.now()
  await produce(producer, 'poll', 0, encodeRecordBatch([{ value: 'second' }]))
  const answer = await waiting
  assert.ok(Date.now() - woke < 5000, 'answered soon after the append')
  assert.deepEqual(decodeRecordBatches(answer.responses[0]!.partitions[0]!.records!).flatMap((b) => b.records).map((r) => r.value?.toString()), ['second'])
})

test('fetch errors: out of range, unknown topic, unknown topic id (v13+)', async (t) => {
  const { client } = await setup(t)
  await produce(client, 'errs', 0, encodeRecordBatch([{ value: 'x' }]))
  const range = await client.request(FetchApi, 11, fetchBody('errs', 5))
  assert.equal(range.responses[0]!.partitions[0]!.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
  const unknown = await client.request(FetchApi, 11, fetchBody('nope', 0))
  assert.equal(unknown.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const byId = await client.request(FetchApi, 13, fetchBody('', 0, { topics: [{ topic: '', topicId: '11111111-2222-3333-4444-555555555555', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1000 }] }] }))
  assert.equal(byId.responses[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID)

  const metadata = await client.request(MetadataApi, 12, { topics: [{ name: 'errs', topicId: '00000000-0000-0000-0000-000000000000' }] })
  const topicId = metadata.topics[0]!.topicId
  const good = await client.request(FetchApi, 17, fetchBody('', 0, { topics: [{ topic: '', topicId, partitions: [{ partition: 0, currentLeaderEpoch: 0, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1000 }] }] }))
  assert.equal(good.responses[0]!.topicId, topicId)
  assert.equal(decodeRecordBatches(good.responses[0]!.partitions[0]!.records!).flatMap((b) => b.records).length, 1)
})

test('ListOffsets: earliest, latest, by timestamp and max timestamp', async (t) => {
  const { client } = await setup(t)
  await produce(client, 'times', 0, encodeRecordBatch([{ value: 'a', timestamp: 1000 }, { value: 'b', timestamp: 2000 }]))
  await produce(client, 'times', 0, encodeRecordBatch([{ value: 'c', timestamp: 5000 }]))
  await produce(client, 'times', 0, encodeRecordBatch([{ value: 'd', timestamp: 3000 }]))
  const ask = async (timestamp: number) => {
    const response = await client.request(ListOffsetsApi, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'times', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }] })
    const partition = response.topics[0]!.partitions[0]!
    return [partition.errorCode, partition.offset, partition.timestamp]
  }
  assert.deepEqual(await ask(-2), [0, 0, -1])
  assert.deepEqual(await ask(-1), [0, 4, -1])
  assert.deepEqual(await ask(-3), [0, 2, 5000])
  assert.deepEqual(await ask(4000), [0, 2, 5000])
  assert.deepEqual(await ask(1500), [0, 1, 2000], 'the exact record, not the start of its batch')
  assert.deepEqual(await ask(3000), [0, 2, 5000])
  assert.deepEqual(await ask(9000), [0, -1, -1])
  const v0 = await client.request(ListOffsetsApi, 0, { replicaId: -1, topics: [{ name: 'times', partitions: [{ partitionIndex: 0, timestamp: -1, maxNumOffsets: 1 }] }] })
  assert.deepEqual(v0.topics[0]!.partitions[0]!.oldStyleOffsets, [4])
})

test('data survives a broker restart on the same directory', async (t) => {
  const first = await startBroker()
  const client = await RawClient.connect(first.port)
  await produce(client, 'durable', 0, encodeRecordBatch([{ key: 'k', value: 'persisted' }]))
  client.close()
  await first.stop({ keepData: true })

  const second = await startBroker({}, first.dataDir)
  const again = await RawClient.connect(second.port)
  t.after(async () => { again.close(); await second.stop() })
  const fetched = await again.request(FetchApi, 11, fetchBody('durable', 0))
  assert.deepEqual(decodeRecordBatches(fetched.responses[0]!.partitions[0]!.records!).flatMap((b) => b.records).map((r) => r.value?.toString()), ['persisted'])
  const offsets = await again.request(ListOffsetsApi, 1, { replicaId: -1, topics: [{ name: 'durable', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] })
  assert.equal(offsets.topics[0]!.partitions[0]!.offset, 1)
})

test('fetch.max.bytes caps a response below the request\'s maxBytes; the first batch still goes whole', async (t) => {
  const { client } = await setup(t, { 'fetch.max.bytes': '2048', 'num.partitions': '3' })
  const batchOf = (tag: string): Buffer => Buffer.from(encodeRecordBatch([{ key: null, value: tag.repeat(1500) }])) // ~1.6 KB
  for (const partition of [0, 1, 2]) assert.equal((await produce(client, 'capped', partition, batchOf(String(partition)))).responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE)
  const one = batchOf('x').length
  const partitions = [0, 1, 2].map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }))
  const body = fetchBody('capped', 0, { maxBytes: 50 << 20, topics: [{ topic: 'capped', topicId: '00000000-0000-0000-0000-000000000000', partitions }] })
  const fetched = await client.request(FetchApi, 11, body)
  const sizes = fetched.responses[0]!.partitions.map((p) => p.records?.length ?? 0)
  assert.deepEqual(sizes, [one, 0, 0], 'one batch fits under 2048 bytes; the others wait for the next fetch')
  assert.deepEqual(fetched.responses[0]!.partitions.map((p) => [p.errorCode, p.highWatermark]), [[0, 1], [0, 1], [0, 1]])
  // A request asking for less than the cap gets what it asked for; a batch larger than both still goes whole.
  const small = await client.request(FetchApi, 11, fetchBody('capped', 0, { maxBytes: 1024 }))
  assert.equal(small.responses[0]!.partitions[0]!.records!.length, one)
})
