import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { CompressionTypes, Kafka, logLevel, Partitioners, type Admin, type Message, type Producer } from 'kafkajs'
import {
  assertOffsets, assertSameRecords, CODEC_NAMES, eventually, kafkaErrorType, kcatConsume, kcatPath, readPartition, sampleRecords,
  skipUnlessInstalled, storedBatches, TestBroker, type TestRecord
} from '../src/index.js'

/**
 * kafkajs 2.2.4: producer (acks all / leader / none, GZIP) and admin (fetchTopicMetadata, fetchTopicOffsets,
 * fetchTopicOffsetsByTimestamp). kafkajs has no consumer without a consumer group, so what it writes is read back
 * by other clients: @platformatic/kafka's low-level fetch (bytes and headers) and kcat (bytes).
 */
const toMessage = (record: TestRecord, partition: number): Message => ({
  key: record.key,
  value: record.value,
  partition,
  ...(record.headers !== undefined ? { headers: Object.fromEntries(record.headers) } : {}),
  ...(record.timestamp !== undefined ? { timestamp: String(record.timestamp) } : {})
})

function client (bootstrap: string): Kafka {
  return new Kafka({ clientId: 'samsa-conformance-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
}

describe('kafkajs 2.2.4', () => {
  let broker: TestBroker
  let producer: Producer
  let admin: Admin

  before(async () => {
    broker = await TestBroker.start({ args: ['--num-partitions', '2'] })
    const kafka = client(broker.bootstrap)
    producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner })
    admin = kafka.admin()
    await producer.connect()
    await admin.connect()
  })
  after(async () => {
    await producer?.disconnect()
    await admin?.disconnect()
    await broker?.close()
  })

  const records = sampleRecords(24, 'kjs')

  test('producer.send with acks=-1: offsets from 0, data readable byte for byte (platformatic fetch, headers too)', async () => {
    const result = await producer.send({ topic: 'kjs-main', acks: -1, messages: records.map((record) => toMessage(record, 0)) })
    assert.deepEqual(result, [{ topicName: 'kjs-main', partition: 0, errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' }])
    const read = await readPartition(broker.bootstrap, 'kjs-main', 0)
    assert.equal(read.highWatermark, 24)
    assertOffsets(read.records, 0)
    assertSameRecords(read.records, records)
    assert.deepEqual(read.records.map((record) => record.headers), records.map((record) => record.headers ?? []))
  })

  test('the same records read back byte for byte by kcat (librdkafka)', { skip: skipUnlessInstalled(kcatPath !== null, 'kcat') }, async () => {
    const consumed = await kcatConsume(broker.bootstrap, 'kjs-main', { partition: 0 })
    assertOffsets(consumed, 0)
    assertSameRecords(consumed, records)
  })

  test('acks=1 continues at the log end offset; acks=0 records arrive too', async () => {
    const leaderAck = sampleRecords(6, 'kjs-acks1')
    const result = await producer.send({ topic: 'kjs-main', acks: 1, messages: leaderAck.map((record) => toMessage(record, 0)) })
    assert.deepEqual(result.map(({ partition, errorCode, baseOffset }) => ({ partition, errorCode, baseOffset })), [{ partition: 0, errorCode: 0, baseOffset: '24' }])
    const noAck = sampleRecords(6, 'kjs-acks0')
    await producer.send({ topic: 'kjs-main', acks: 0, messages: noAck.map((record) => toMessage(record, 0)) })
    // acks=0 has no response to wait for: poll the log end.
    await eventually(async () => (await admin.fetchTopicOffsets('kjs-main')).find((p) => p.partition === 0)!.high === '36' ? true : undefined, 10_000, 'acks=0 records')
    const read = await readPartition(broker.bootstrap, 'kjs-main', 0, { fromOffset: 24 })
    assertOffsets(read.records, 24)
    assertSameRecords(read.records, [...leaderAck, ...noAck])
  })

  test('compression GZIP: stored as gzip batches, read back byte for byte', async () => {
    const gzipRecords = sampleRecords(18, 'kjs-gzip')
    await producer.send({ topic: 'kjs-gzip', acks: -1, compression: CompressionTypes.GZIP, messages: gzipRecords.map((record) => toMessage(record, 1)) })
    const batches = storedBatches(broker.dataDir, 'kjs-gzip', 1)
    assert.ok(batches.length > 0 && batches.every((batch) => batch.crcValid && batch.magic === 2))
    assert.deepEqual(batches.map((batch) => CODEC_NAMES[batch.codec]), batches.map(() => 'gzip'))
    const read = await readPartition(broker.bootstrap, 'kjs-gzip', 1)
    assertOffsets(read.records, 0)
    assertSameRecords(read.records, gzipRecords)
    if (kcatPath !== null) assertSameRecords(await kcatConsume(broker.bootstrap, 'kjs-gzip', { partition: 1 }), gzipRecords)
  })

  test('admin.fetchTopicMetadata', async () => {
    const metadata = await admin.fetchTopicMetadata({ topics: ['kjs-main'] })
    assert.deepEqual(metadata, {
      topics: [{
        name: 'kjs-main',
        partitions: [0, 1].map((partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 1, replicas: [1], isr: [1], offlineReplicas: [] }))
      }]
    })
  })

  test('admin.fetchTopicOffsets', async () => {
    const offsets = await admin.fetchTopicOffsets('kjs-main')
    assert.deepEqual(offsets.sort((a, b) => a.partition - b.partition), [
      { partition: 0, offset: '36', high: '36', low: '0' },
      { partition: 1, offset: '0', high: '0', low: '0' }
    ])
  })

  test('admin.fetchTopicOffsetsByTimestamp', async () => {
    const timestamps = [1000, 2000, 2000, 3000, 5000]
    const timed = timestamps.map((timestamp, i) => ({ ...sampleRecords(1, `kjs-times-${i}`)[0]!, timestamp }))
    await producer.send({ topic: 'kjs-times', acks: -1, messages: timed.map((record) => toMessage(record, 0)) })
    const read = await readPartition(broker.bootstrap, 'kjs-times', 0)
    assert.deepEqual(read.records.map((record) => record.timestamp), timestamps)
    const at = async (timestamp: number): Promise<string> => (await admin.fetchTopicOffsetsByTimestamp('kjs-times', timestamp)).find((p) => p.partition === 0)!.offset
    assert.equal(await at(0), '0')
    assert.equal(await at(1500), '1')
    assert.equal(await at(2000), '1')
    assert.equal(await at(2001), '3')
    assert.equal(await at(5000), '4')
    // No record at or after the timestamp: the broker answers -1, which kafkajs replaces with the high watermark.
    assert.equal(await at(5001), '5')
  })

  test('negotiated API versions (kafkajs 2.2.4)', () => {
    assert.deepEqual(broker.recorder.summary('samsa-conformance-kafkajs'), { Produce: [7], ListOffsets: [3], Metadata: [6], ApiVersions: [2] })
  })

  describe('errors from the broker', () => {
    test('a record above message.max.bytes: MESSAGE_TOO_LARGE', async () => {
      const limited = await TestBroker.start({ args: ['--set', 'message.max.bytes=10000'] })
      const limitedProducer = client(limited.bootstrap).producer({ idempotent: false, createPartitioner: Partitioners.DefaultPartitioner })
      try {
        await limitedProducer.connect()
        await assert.rejects(
          limitedProducer.send({ topic: 'big', acks: -1, messages: [{ value: Buffer.alloc(20_000, 'b'), partition: 0 }] }),
          (error: Error) => { assert.equal(kafkaErrorType(error), 'MESSAGE_TOO_LARGE'); return true })
        const result = await limitedProducer.send({ topic: 'big', acks: -1, messages: [{ value: 'small', partition: 0 }] })
        assert.equal(result[0]!.baseOffset, '0')
      } finally {
        await limitedProducer.disconnect()
        await limited.close()
      }
    })

    test('an invalid topic name: INVALID_TOPIC_EXCEPTION', async () => {
      await assert.rejects(
        producer.send({ topic: 'bad topic!', acks: -1, messages: [{ value: 'x', partition: 0 }] }),
        (error: Error) => { assert.equal(kafkaErrorType(error), 'INVALID_TOPIC_EXCEPTION'); return true })
    })

    test('auto.create.topics.enable=false: UNKNOWN_TOPIC_OR_PARTITION', async () => {
      const strict = await TestBroker.start({ args: ['--set', 'auto.create.topics.enable=false'] })
      const kafka = client(strict.bootstrap)
      const strictProducer = kafka.producer({ idempotent: false, createPartitioner: Partitioners.DefaultPartitioner })
      const strictAdmin = kafka.admin()
      try {
        await strictProducer.connect()
        await strictAdmin.connect()
        await assert.rejects(
          strictProducer.send({ topic: 'missing', acks: -1, messages: [{ value: 'x', partition: 0 }] }),
          (error: Error) => { assert.equal(kafkaErrorType(error), 'UNKNOWN_TOPIC_OR_PARTITION'); return true })
        await assert.rejects(
          strictAdmin.fetchTopicMetadata({ topics: ['missing'] }),
          (error: Error) => { assert.equal(kafkaErrorType(error), 'UNKNOWN_TOPIC_OR_PARTITION'); return true })
      } finally {
        await strictProducer.disconnect()
        await strictAdmin.disconnect()
        await strict.close()
      }
    })
  })
})
