import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { DescribeProducersApi, ErrorCode, encodeRecordBatch } from '@samsa/protocol'
import { RawClient } from '../helpers.js'
import { TxnBroker, batch, createTopic, dataValues, fetchPartition, initProducerId, produce } from './txn-helpers.js'

async function setup (t: { after: (fn: () => unknown) => void }, options: Parameters<typeof TxnBroker.start>[0] = {}): Promise<TxnBroker> {
  const broker = await TxnBroker.start(options)
  t.after(async () => { await broker.stop() })
  await createTopic(broker.client, 'events')
  return broker
}

test('InitProducerId without a transactional id: fresh ids at epoch 0, never repeated after a restart (v0, v2, v4)', async (t) => {
  const broker = await setup(t)
  const seen = new Set<number>()
  for (const version of [0, 2, 4]) {
    const reply = await initProducerId(broker.client, null, { version })
    assert.equal(reply.errorCode, ErrorCode.NONE)
    assert.equal(reply.producerEpoch, 0)
    assert.ok(!seen.has(reply.producerId))
    seen.add(reply.producerId)
  }
  await broker.restart()
  const after = await initProducerId(broker.client, null)
  assert.ok(after.producerId > Math.max(...seen), `id ${after.producerId} after restart must exceed ${[...seen]}`)
})

test('duplicates are acknowledged with the original offsets and not appended again', async (t) => {
  const { client } = await setup(t)
  const { producerId } = await initProducerId(client, null)
  assert.deepEqual(await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 0, count: 2 })), { errorCode: ErrorCode.NONE, baseOffset: 0 })
  assert.deepEqual(await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 2, count: 3 })), { errorCode: ErrorCode.NONE, baseOffset: 2 })
  // Retries of both batches (same sequence range): success with the first offsets, log unchanged.
  assert.deepEqual(await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 2, count: 3 })), { errorCode: ErrorCode.NONE, baseOffset: 2 })
  assert.deepEqual(await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 0, count: 2 }), { acks: 1, version: 9 }), { errorCode: ErrorCode.NONE, baseOffset: 0 })
  const fetched = await fetchPartition(client, 'events', 0, 0, 0)
  assert.equal(fetched.highWatermark, 5)
  assert.deepEqual(dataValues(fetched.batches), ['v-0', 'v-1', 'v-2', 'v-3', 'v-4'])
  // The next sequence continues normally.
  assert.deepEqual(await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 5 })), { errorCode: ErrorCode.NONE, baseOffset: 5 })
})

test('sequence gaps → OUT_OF_ORDER_SEQUENCE_NUMBER; only the last 5 batches are remembered', async (t) => {
  const { client } = await setup(t)
  const { producerId } = await initProducerId(client, null)
  for (let seq = 0; seq < 6; seq++) assert.equal((await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: seq }))).errorCode, ErrorCode.NONE)
  assert.equal((await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 8 }))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
  // Batch 1 is still among the last five: a duplicate. Batch 0 is not: out of order, as in Kafka.
  assert.deepEqual(await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 1 })), { errorCode: ErrorCode.NONE, baseOffset: 1 })
  assert.equal((await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 0 }))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
  assert.equal((await fetchPartition(client, 'events', 0, 0, 0)).highWatermark, 6)
})

test('epochs: a newer epoch restarts at sequence 0, an older one → INVALID_PRODUCER_EPOCH; an unknown producer may start anywhere', async (t) => {
  const { client } = await setup(t)
  const { producerId } = await initProducerId(client, null)
  assert.equal((await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 0 }))).errorCode, ErrorCode.NONE)
  assert.equal((await produce(client, 'events', 0, batch({ producerId, epoch: 1, sequence: 3 }))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
  assert.equal((await produce(client, 'events', 0, batch({ producerId, epoch: 1, sequence: 0 }))).errorCode, ErrorCode.NONE)
  assert.equal((await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 1 }))).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH)
  // KIP-360: Kafka 2.5+ accepts any first sequence from a producer it has no state for (e.g. expired).
  assert.equal((await produce(client, 'events', 1, batch({ producerId, epoch: 0, sequence: 42 }))).errorCode, ErrorCode.NONE)
  assert.equal((await produce(client, 'events', 1, batch({ producerId, epoch: 0, sequence: 43 }))).errorCode, ErrorCode.NONE)
})

test('batches without a producer id are not tracked; a batch with a producer id but no sequence is invalid', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  assert.equal((await produce(client, 'events', 0, encodeRecordBatch([{ value: 'plain' }]))).errorCode, ErrorCode.NONE)
  assert.equal((await produce(client, 'events', 0, encodeRecordBatch([{ value: 'plain' }]))).errorCode, ErrorCode.NONE)
  const described = await client.request(DescribeProducersApi, 0, { topics: [{ name: 'events', partitionIndexes: [0] }] })
  assert.deepEqual(described.topics[0]!.partitions[0]!.activeProducers, [])
  assert.equal((await produce(client, 'events', 0, encodeRecordBatch([{ value: 'x' }], { producerId: 5, producerEpoch: 0, baseSequence: -1 }))).errorCode, ErrorCode.INVALID_RECORD)
})

test('a partition filled from empty by producers without an id is not replayed at its first fetch', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  for (let i = 0; i < 3; i++) assert.equal((await produce(client, 'events', 0, encodeRecordBatch([{ value: `plain ${i}` }]))).errorCode, ErrorCode.NONE)
  const log = broker.broker.context.topics.get('events')!.partitions[0]!
  const reads: number[] = []
  const read = log.read.bind(log)
  log.read = (offset, maxBytes, firstMustFit) => { reads.push(offset); return read(offset, maxBytes, firstMustFit) }
  const fetched = await fetchPartition(client, 'events', 0, 0, 1)
  assert.equal(fetched.errorCode, ErrorCode.NONE)
  assert.deepEqual(dataValues(fetched.batches), ['plain 0', 'plain 1', 'plain 2'])
  assert.deepEqual(reads, [0], 'one read, for the records sent; no replay of the log for its producer state')
})

test('producer state survives a restart: from the snapshot, and by replaying the log when the snapshot is gone', async (t) => {
  const broker = await setup(t)
  const { producerId } = await initProducerId(broker.client, null)
  for (let seq = 0; seq < 3; seq++) await produce(broker.client, 'events', 0, batch({ producerId, epoch: 0, sequence: seq }))
  await broker.restart()
  assert.deepEqual(await produce(broker.client, 'events', 0, batch({ producerId, epoch: 0, sequence: 2 })), { errorCode: ErrorCode.NONE, baseOffset: 2 })
  assert.equal((await produce(broker.client, 'events', 0, batch({ producerId, epoch: 0, sequence: 9 }))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
  await broker.broker.stop()
  rmSync(join(broker.dataDir, 'events-0', 'producer-state.snapshot'))
  await broker.restart().catch(() => {}) // client already closed by the stop above
  assert.deepEqual(await produce(broker.client, 'events', 0, batch({ producerId, epoch: 0, sequence: 1 })), { errorCode: ErrorCode.NONE, baseOffset: 1 })
  assert.deepEqual(await produce(broker.client, 'events', 0, batch({ producerId, epoch: 0, sequence: 3 })), { errorCode: ErrorCode.NONE, baseOffset: 3 })
})

test('idle producers expire after producer.id.expiration.ms and then count as unknown', async (t) => {
  const broker = await setup(t, { producerState: { producerIdExpirationMs: 60_000 } })
  const { client } = broker
  const { producerId } = await initProducerId(client, null)
  await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 0 }))
  const describe = async (): Promise<number[]> => (await client.request(DescribeProducersApi, 0, { topics: [{ name: 'events', partitionIndexes: [0] }] }))
    .topics[0]!.partitions[0]!.activeProducers.map((p) => p.producerId)
  broker.context.producers.expireProducers(Date.now() + 30_000)
  assert.deepEqual(await describe(), [producerId])
  broker.context.producers.expireProducers(Date.now() + 61_000)
  assert.deepEqual(await describe(), [])
  // Forgotten: a "retry" of batch 0 is now a new write, as in Kafka after expiration.
  assert.deepEqual(await produce(client, 'events', 0, batch({ producerId, epoch: 0, sequence: 0 })), { errorCode: ErrorCode.NONE, baseOffset: 1 })
})

test('a dropped produce response (fault hook) and the client\'s retry on a new connection leave one copy', async (t) => {
  const broker = await setup(t)
  const { producerId } = await initProducerId(broker.client, null)
  let drops = 1
  broker.context.faults.dropProduceResponse = (topic) => topic === 'events' && drops-- > 0
  const first = broker.client
  first.send((await import('@samsa/protocol')).ProduceApi, 7, { acks: -1, timeoutMs: 5000, topicData: [{ name: 'events', partitionData: [{ index: 0, records: batch({ producerId, epoch: 0, sequence: 0, count: 4 }) }] }] })
  await first.closed // the broker closed the connection instead of answering
  const retry = await RawClient.connect(broker.port)
  t.after(() => retry.close())
  assert.deepEqual(await produce(retry, 'events', 0, batch({ producerId, epoch: 0, sequence: 0, count: 4 })), { errorCode: ErrorCode.NONE, baseOffset: 0 })
  const fetched = await fetchPartition(retry, 'events', 0, 0, 0)
  assert.deepEqual(dataValues(fetched.batches), ['v-0', 'v-1', 'v-2', 'v-3'])
})

test('DescribeProducers reports id, epoch, last sequence and timestamp', async (t) => {
  const { client } = await setup(t)
  const { producerId } = await initProducerId(client, null)
  await produce(client, 'events', 1, batch({ producerId, epoch: 0, sequence: 0, count: 3 }))
  const described = await client.request(DescribeProducersApi, 0, { topics: [{ name: 'events', partitionIndexes: [1, 7] }, { name: 'nope', partitionIndexes: [0] }] })
  const [known, missing] = described.topics[0]!.partitions
  assert.equal(known!.errorCode, ErrorCode.NONE)
  assert.equal(known!.activeProducers.length, 1)
  const producer = known!.activeProducers[0]!
  assert.deepEqual([producer.producerId, producer.producerEpoch, producer.lastSequence, producer.currentTxnStartOffset], [producerId, 0, 2, -1])
  assert.ok(producer.lastTimestamp > Date.now() - 60_000)
  assert.equal(missing!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  assert.equal(described.topics[1]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
})
