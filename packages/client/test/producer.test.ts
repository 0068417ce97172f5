import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Consumer } from '@platformatic/kafka'
import { javaKeyPartition, readTopic, timeWindowPartitioner, type KafkaProducer } from '../src/index.js'
import { startBroker, testManager, uniqueTopic, type TestBroker } from './helpers.js'

describe('KafkaProducer against samsa', () => {
  let broker: TestBroker
  let manager: ReturnType<typeof testManager>
  let producer: KafkaProducer
  let reader: Consumer<Buffer, Buffer, Buffer, Buffer>

  before(async () => {
    broker = await startBroker({ 'num.partitions': '6' })
    manager = testManager(broker)
    producer = manager.createProducer('main', { maxInFlightRequests: 1, idempotent: true })
    await producer.connect()
    reader = new Consumer({ clientId: 'reader', groupId: 'unused', bootstrapBrokers: [broker.bootstrap] })
  })
  after(async () => {
    await reader?.close()
    await manager?.disconnectAll()
    await broker?.stop()
  })

  test('send(topic, messages) → RecordMetadata per partition; keys land where the Java client puts them', async () => {
    const topic = uniqueTopic('orders')
    const keys = ['21', 'foobar', 'abc', '0', '1', '100:48069', 'a-little-bit-long-string']
    const metadata = await producer.send(topic, keys.map((key, i) => ({ key, value: JSON.stringify({ i }), headers: { source: 'test', bin: Buffer.from([1, 2]) } })))
    const expected = new Map<number, number>()
    for (const key of keys) {
      const partition = javaKeyPartition(Buffer.from(key), 6)
      expected.set(partition, (expected.get(partition) ?? 0) + 1)
    }
    assert.deepEqual(metadata.map((m) => m.partition).sort(), [...expected.keys()].sort())
    for (const entry of metadata) assert.deepEqual(entry, { topicName: topic, partition: entry.partition, errorCode: 0, baseOffset: '0', offset: '0', timestamp: '-1' })
    const records = await readTopic(reader, topic)
    assert.equal(records.length, keys.length)
    for (const record of records) {
      const key = record.key!.toString()
      assert.equal(record.partition, javaKeyPartition(Buffer.from(key), 6), `key ${key}`)
      assert.equal(record.headers.source!.toString(), 'test')
      assert.deepEqual([...record.headers.bin!], [1, 2])
      assert.ok(record.headers.traceparent === undefined, 'no traceparent without a tracer provider')
    }
    // A second send to the same key gets the next offset.
    const [second] = await producer.send(topic, [{ key: 'foobar', value: 'again' }])
    assert.equal(second!.baseOffset, String(expected.get(javaKeyPartition(Buffer.from('foobar'), 6))))
  })

  test('null keys are sticky: one send of many small records goes to a single partition', async () => {
    const topic = uniqueTopic('sticky')
    const metadata = await producer.send(topic, Array.from({ length: 50 }, (_, i) => ({ value: `v${i}` })))
    assert.equal(metadata.length, 1)
    const records = await readTopic(reader, topic)
    assert.equal(new Set(records.map((r) => r.partition)).size, 1)
    assert.deepEqual(records.map((r) => r.value!.toString()), Array.from({ length: 50 }, (_, i) => `v${i}`))
  })

  test('explicit partition, timestamp, null value (tombstone)', async () => {
    const topic = uniqueTopic('explicit')
    await producer.send(topic, [{ key: 'k', value: null, partition: 4, timestamp: 1_700_000_000_123 }])
    const [record] = await readTopic(reader, topic, { partitions: [4] })
    assert.equal(record!.value, null)
    assert.equal(record!.timestamp, 1_700_000_000_123n)
  })

  test('a custom partitioner (time windows) decides where records go', async () => {
    const topic = uniqueTopic('windows')
    const custom = manager.createProducer('windows', { partitioner: timeWindowPartitioner({ windowMs: 1000 }) })
    await custom.connect()
    try {
      await custom.send(topic, [0, 999, 1000, 2500, 6000].map((timestamp) => ({ key: 'same-key', value: String(timestamp), timestamp })))
      const records = await readTopic(reader, topic)
      const byValue = Object.fromEntries(records.map((r) => [r.value!.toString(), r.partition]))
      assert.deepEqual(byValue, { 0: 0, 999: 0, 1000: 1, 2500: 2, 6000: 0 })
    } finally {
      await custom.disconnect()
    }
  })

  test('sendBatch over two topics; metrics count produced messages and send durations', async () => {
    const [a, b] = [uniqueTopic('batch-a'), uniqueTopic('batch-b')]
    const result = await producer.sendBatch({ topicMessages: [{ topic: a, messages: [{ key: 'x', value: '1' }, { key: 'x', value: '2' }] }, { topic: b, messages: [{ key: 'y', value: '3' }] }] })
    assert.deepEqual(result.map((r) => [r.topicName, r.baseOffset]), [[a, '0'], [b, '0']])
    const counter = await manager.registry.getSingleMetric('kafka_messages_total')!.get()
    assert.equal(counter.values.find((v) => v.labels.topic === a && v.labels.status === 'produced')?.value, 2)
    assert.equal(counter.values.find((v) => v.labels.topic === b && v.labels.status === 'produced')?.value, 1)
    const histogram = await manager.registry.getSingleMetric('kafka_producer_send_duration_seconds')!.get()
    assert.equal(histogram.values.find((v) => v.labels.topic === a && (v as { metricName?: string }).metricName === 'kafka_producer_send_duration_seconds_count')?.value, 1)
  })

  test('regression: concurrent sends of an idempotent producer to one partition all land, in order, once', async () => {
    // @platformatic/kafka 1.35 reuses sequence numbers across concurrent idempotent sends (OUT_OF_ORDER_SEQUENCE_NUMBER);
    // the SDK serializes and merges them. 40 concurrent calls of 25 records each, all to partition 2.
    const topic = uniqueTopic('concurrent')
    const calls = Array.from({ length: 40 }, (_, c) => producer.send(topic, Array.from({ length: 25 }, (_, i) => ({ key: 'k', value: `${c}:${i}`, partition: 2 }))))
    const results = await Promise.all(calls)
    const bases = results.map(([metadata]) => Number(metadata!.baseOffset)).sort((a, b) => a - b)
    assert.deepEqual(bases, Array.from({ length: 40 }, (_, c) => c * 25))
    const records = await readTopic(reader, topic, { partitions: [2] })
    assert.equal(records.length, 1000)
    for (const [c, [metadata]] of results.entries()) {
      const base = Number(metadata!.baseOffset)
      assert.deepEqual(records.slice(base, base + 25).map((r) => r.value!.toString()), Array.from({ length: 25 }, (_, i) => `${c}:${i}`))
    }
  })

  test('send before connect and bad payloads fail with stable codes', async () => {
    const idle = manager.createProducer('idle')
    await assert.rejects(idle.send('x', [{ value: 'v' }]), { code: 'SAMSA_CLIENT_NOT_CONNECTED' })
    await assert.rejects(producer.send('x', [{ value: 42 as unknown as string }]), { code: 'SAMSA_CLIENT_SERIALIZATION' })
    assert.throws(() => manager.createProducer('main'), { code: 'SAMSA_CLIENT_STATE' })
    assert.equal(manager.getProducer('main'), producer)
    assert.equal(manager.getProducer('nope'), undefined)
    assert.equal(producer.isConnected(), true)
  })
})
