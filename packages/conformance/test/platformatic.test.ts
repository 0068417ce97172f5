import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Admin, Consumer, Producer, ProduceAcks, type MessageToProduce } from '@platformatic/kafka'
import {
  assertOffsets, assertSameRecords, CODEC_NAMES, eventually, kcatConsume, kcatPath, readPartition, sampleRecords,
  skipUnlessInstalled, storedBatches, TestBroker, type TestRecord
} from '../src/index.js'

/**
 * @platformatic/kafka 1.35.0 speaks only flexible versions (Produce 7–11, Fetch 12–17, Metadata 9–12,
 * ListOffsets 5–9): it exercises the newest encodings, Fetch by topic id and ListOffsets v7 (max timestamp).
 * Its group consumer (consume()) needs consumer groups; the low-level Consumer.fetch needs none and is used here.
 */
const CLIENT_ID = 'samsa-conformance-platformatic'
const toMessage = (topic: string, record: TestRecord, partition: number): MessageToProduce => ({
  topic,
  partition,
  key: record.key as Buffer,
  value: record.value as Buffer,
  ...(record.headers !== undefined ? { headers: new Map(record.headers.map(([name, value]) => [Buffer.from(name), value])) } : {}),
  ...(record.timestamp !== undefined ? { timestamp: BigInt(record.timestamp) } : {})
})

/** The Kafka error name inside platformatic's (possibly aggregated) error, or undefined. */
function kafkaErrorName (error: unknown, name: string): string | undefined {
  const found = (error as { findBy?: (key: string, value: unknown) => { apiId?: string } | undefined }).findBy?.('apiId', name)
  return found?.apiId
}

describe('@platformatic/kafka 1.35.0', () => {
  let broker: TestBroker
  let producer: Producer
  let consumer: Consumer

  before(async () => {
    broker = await TestBroker.start({ args: ['--num-partitions', '2'] })
    producer = new Producer({ clientId: CLIENT_ID, bootstrapBrokers: [broker.bootstrap], autocreateTopics: true, retries: 0 })
    consumer = new Consumer({ clientId: CLIENT_ID, groupId: 'unused', bootstrapBrokers: [broker.bootstrap] })
  })
  after(async () => {
    await producer?.close()
    await consumer?.close()
    await broker?.close()
  })
  const read = async (topic: string, partition: number, fromOffset = 0): ReturnType<typeof readPartition> =>
    await readPartition(broker.bootstrap, topic, partition, { fromOffset, clientId: CLIENT_ID })

  const records = sampleRecords(24, 'plt')

  test('Producer.send (acks=all); Consumer.fetch (Fetch v17, topic id) reads the records back exactly, headers too', async () => {
    const result = await producer.send({ acks: ProduceAcks.ALL, messages: records.map((record) => toMessage('plt-main', record, 0)) })
    assert.deepEqual(result, { offsets: [{ topic: 'plt-main', partition: 0, offset: 0n }] })
    const fetched = await read('plt-main', 0)
    assert.equal(fetched.highWatermark, 24)
    assertOffsets(fetched.records, 0)
    assertSameRecords(fetched.records, records)
    assert.deepEqual(fetched.records.map((record) => record.headers), records.map((record) => record.headers ?? []))
  })

  test('kcat (librdkafka) reads the same bytes', { skip: skipUnlessInstalled(kcatPath !== null, 'kcat') }, async () => {
    assertSameRecords(await kcatConsume(broker.bootstrap, 'plt-main', { partition: 0 }), records)
  })

  test('acks=1 and acks=0', async () => {
    const leaderAck = sampleRecords(5, 'plt-acks1')
    const result = await producer.send({ acks: ProduceAcks.LEADER, messages: leaderAck.map((record) => toMessage('plt-main', record, 0)) })
    assert.deepEqual(result, { offsets: [{ topic: 'plt-main', partition: 0, offset: 24n }] })
    const noAck = sampleRecords(5, 'plt-acks0')
    await producer.send({ acks: ProduceAcks.NO_RESPONSE, messages: noAck.map((record) => toMessage('plt-main', record, 0)) })
    await eventually(async () => (await consumer.listOffsets({ topics: ['plt-main'] })).get('plt-main')![0] === 34n ? true : undefined, 10_000, 'acks=0 records')
    const fetched = await read('plt-main', 0, 24)
    assertOffsets(fetched.records, 24)
    assertSameRecords(fetched.records, [...leaderAck, ...noAck])
  })

  for (const codec of ['gzip', 'snappy', 'lz4'] as const) {
    test(`compression ${codec}: stored as ${codec} batches, read back exactly`, async () => {
      const topic = `plt-${codec}`
      const compressed = sampleRecords(18, topic)
      await producer.send({ acks: ProduceAcks.ALL, compression: codec, messages: compressed.map((record) => toMessage(topic, record, 1)) })
      const batches = storedBatches(broker.dataDir, topic, 1)
      assert.ok(batches.length > 0 && batches.every((batch) => batch.crcValid && batch.magic === 2))
      assert.deepEqual(batches.map((batch) => CODEC_NAMES[batch.codec]), batches.map(() => codec))
      const fetched = await read(topic, 1)
      assertOffsets(fetched.records, 0)
      assertSameRecords(fetched.records, compressed)
      assert.deepEqual(fetched.batches.map((batch) => CODEC_NAMES[batch.attributes & 7]), batches.map(() => codec))
    })
  }

  test('Admin.metadata (Metadata v12): this broker, topic id, partitions', async () => {
    const admin = new Admin({ clientId: CLIENT_ID, bootstrapBrokers: [broker.bootstrap] })
    try {
      const metadata = await admin.metadata({ topics: ['plt-main'] })
      assert.deepEqual([...metadata.brokers], [[1, { host: '127.0.0.1', port: broker.recorder.port, rack: null }]])
      assert.equal(metadata.controllerId, 1)
      const topic = metadata.topics.get('plt-main')!
      assert.match(topic.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      assert.notEqual(topic.id, '00000000-0000-0000-0000-000000000000')
      assert.equal(topic.partitionsCount, 2)
      assert.deepEqual(topic.partitions.map(({ leader, replicas, isr }) => ({ leader, replicas, isr })), [0, 1].map(() => ({ leader: 1, replicas: [1], isr: [1] })))
    } finally {
      await admin.close()
    }
  })

  test('ListOffsets v7: earliest, latest, by timestamp (non-monotonic timestamps) and max timestamp (-3)', async () => {
    const timestamps = [1000, 5000, 3000, 4000, 2000]
    const timed = timestamps.map((timestamp, i) => ({ ...sampleRecords(1, `plt-times-${i}`)[0]!, timestamp }))
    await producer.send({ acks: ProduceAcks.ALL, messages: timed.map((record) => toMessage('plt-times', record, 0)) })
    const at = async (timestamp: bigint): Promise<{ offset: bigint, timestamp: bigint } | undefined> =>
      (await consumer.listOffsetsWithTimestamps({ topics: ['plt-times'], partitions: { 'plt-times': [0] }, timestamp })).get('plt-times')!.get(0)
    assert.equal((await at(-2n))!.offset, 0n)
    assert.equal((await at(-1n))!.offset, 5n)
    // Earliest offset whose timestamp is >= the target, in log order.
    assert.deepEqual(await at(1000n), { offset: 0n, timestamp: 1000n })
    assert.deepEqual(await at(2000n), { offset: 1n, timestamp: 5000n })
    assert.deepEqual(await at(4500n), { offset: 1n, timestamp: 5000n })
    assert.deepEqual(await at(6000n), { offset: -1n, timestamp: -1n })
    // -3 (MAX_TIMESTAMP, KIP-734): the record holding the largest timestamp, inside a single batch.
    assert.deepEqual(await at(-3n), { offset: 1n, timestamp: 5000n })
  })

  test('Fetch returns the whole batch holding the fetch offset; the client skips the records before it', async () => {
    const batch = sampleRecords(10, 'plt-batch')
    await producer.send({ acks: ProduceAcks.ALL, messages: batch.map((record) => toMessage('plt-batch', record, 0)) })
    const fetched = await read('plt-batch', 0, 6)
    assert.equal(fetched.batches[0]!.firstOffset, 0)
    assertOffsets(fetched.records, 6)
    assertSameRecords(fetched.records, batch.slice(6))
  })

  test('Fetch long-polls: waits maxWaitTime when empty, answers as soon as a record arrives', async () => {
    await producer.send({ acks: ProduceAcks.ALL, messages: [toMessage('plt-poll', { key: null, value: Buffer.from('first') }, 0)] })
    const metadata = await consumer.metadata({ topics: ['plt-poll'] })
    const topicId = metadata.topics.get('plt-poll')!.id
    const fetchAt = async (offset: bigint, maxWaitTime: number): Promise<{ elapsed: number, values: string[] }> => {
      const started = Date.now()
      const response = await consumer.fetch({
        node: 1, maxWaitTime, minBytes: 1, topics: [{ topicId, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }]
      })
      const partition = response.responses[0]!.partitions[0]!
      assert.equal(partition.errorCode, 0)
      return { elapsed: Date.now() - started, values: (partition.records ?? []).flatMap((b) => b.records.map((r) => r.value?.toString() ?? '')) }
    }
    const empty = await fetchAt(1n, 400)
    assert.deepEqual(empty.values, [])
    assert.ok(empty.elapsed >= 350, `an empty fetch returned after ${empty.elapsed} ms, before maxWaitTime`)
    const parked = fetchAt(1n, 5000)
    await sleep(300)
    await producer.send({ acks: ProduceAcks.ALL, messages: [toMessage('plt-poll', { key: null, value: Buffer.from('second') }, 0)] })
    const woken = await parked
    assert.deepEqual(woken.values, ['second'])
    assert.ok(woken.elapsed < 3000, `the parked fetch answered after ${woken.elapsed} ms, not when the record arrived`)
  })

  test('negotiated API versions (@platformatic/kafka 1.35.0)', () => {
    assert.deepEqual(broker.recorder.summary(CLIENT_ID), { Produce: [11], Fetch: [17], ListOffsets: [7], Metadata: [12], ApiVersions: [3] })
  })

  describe('errors from the broker', () => {
    test('a record above message.max.bytes: MESSAGE_TOO_LARGE', async () => {
      const limited = await TestBroker.start({ args: ['--set', 'message.max.bytes=10000'] })
      const limitedProducer = new Producer({ clientId: CLIENT_ID, bootstrapBrokers: [limited.bootstrap], autocreateTopics: true, retries: 0 })
      try {
        await assert.rejects(
          limitedProducer.send({ acks: ProduceAcks.ALL, messages: [{ topic: 'big', partition: 0, value: Buffer.alloc(20_000, 'b') }] }),
          (error: Error) => { assert.equal(kafkaErrorName(error, 'MESSAGE_TOO_LARGE'), 'MESSAGE_TOO_LARGE', String(error)); return true })
        const result = await limitedProducer.send({ acks: ProduceAcks.ALL, messages: [{ topic: 'big', partition: 0, value: Buffer.from('small') }] })
        assert.deepEqual(result.offsets, [{ topic: 'big', partition: 0, offset: 0n }])
      } finally {
        await limitedProducer.close()
        await limited.close()
      }
    })

    test('an invalid topic name: INVALID_TOPIC_EXCEPTION', async () => {
      await assert.rejects(
        producer.send({ acks: ProduceAcks.ALL, messages: [{ topic: 'bad topic!', partition: 0, value: Buffer.from('x') }] }),
        (error: Error) => { assert.equal(kafkaErrorName(error, 'INVALID_TOPIC_EXCEPTION'), 'INVALID_TOPIC_EXCEPTION', String(error)); return true })
    })

    test('auto.create.topics.enable=false: UNKNOWN_TOPIC_OR_PARTITION', async () => {
      const strict = await TestBroker.start({ args: ['--set', 'auto.create.topics.enable=false'] })
      const strictProducer = new Producer({ clientId: CLIENT_ID, bootstrapBrokers: [strict.bootstrap], autocreateTopics: true, retries: 0 })
      try {
        await assert.rejects(
          strictProducer.send({ acks: ProduceAcks.ALL, messages: [{ topic: 'missing', partition: 0, value: Buffer.from('x') }] }),
          // platformatic turns Metadata error code 3 (UNKNOWN_TOPIC_OR_PARTITION, and only that code) into this UserError.
          (error: Error & { code?: string }) => { assert.deepEqual([error.code, error.message], ['PLT_KFK_USER', 'Unknown topic missing.']); return true })
      } finally {
        await strictProducer.close()
        await strict.close()
      }
    })
  })
})
