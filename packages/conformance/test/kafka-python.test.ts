import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  assertOffsets, assertSameRecords, CODEC_NAMES, findPython, fromWire, runDriver, sampleRecords, skipUnlessInstalled,
  storedBatches, TestBroker, toWire, type ConsumedRecord, type TestRecord, type WireConsumed
} from '../src/index.js'

/**
 * kafka-python 2.0.2 (Debian python3-kafka), pure Python, with api_version left to auto-detection: it sends
 * ApiVersions v0 and infers a broker release from the advertised ranges (here 2.5: DescribeAcls v2 is advertised,
 * the newest release kafka-python 2.0.2 knows), then uses old non-flexible versions. Consumers run without a group (group_id=None,
 * assign(), seek_to_beginning()/seek()).
 */
const python = findPython(['kafka'])
const DRIVER = 'kafka_python_driver.py'

interface Report { error: string | null, errno?: number | null, partition?: number, offset?: number, local?: boolean }
interface ProduceResult { reports: Report[], apiVersion: number[] }

describe('kafka-python 2.0.2', { skip: python === null ? skipUnlessInstalled(false, 'python3 with kafka (python3-kafka)') : false }, () => {
  let broker: TestBroker
  const drive = async <T = any>(request: object, target = broker): Promise<T> => await runDriver<T>(python!, DRIVER, { bootstrap: target.bootstrap, ...request })

  async function produce (topic: string, records: TestRecord[], config: Record<string, unknown> = {}): Promise<ProduceResult> {
    return await drive<ProduceResult>({ op: 'produce', topic, partition: 0, records: records.map(toWire), config })
  }
  async function consume (topic: string, request: { offset?: number | string, count?: number } = {}): Promise<ConsumedRecord[]> {
    const result = await drive<{ records: WireConsumed[], apiVersion: number[] }>({ op: 'consume', topic, partition: 0, ...request })
    assert.deepEqual(result.apiVersion, [2, 5, 0])
    return result.records.map(fromWire)
  }

  before(async () => { broker = await TestBroker.start() })
  after(async () => { await broker?.close() })

  test('python3 with kafka-python is installed', () => { assert.ok(python, 'no python3 that can import kafka') })

  test('auto-detects the broker as 2.5, produces (acks=all) and reads back exactly after seek_to_beginning', async () => {
    const topic = 'kp-plain'
    const records = sampleRecords(18, topic)
    const result = await produce(topic, records, { acks: 'all' })
    assert.deepEqual(result.apiVersion, [2, 5, 0])
    assert.deepEqual(result.reports, records.map((_, offset) => ({ error: null, partition: 0, offset })))
    const consumed = await consume(topic, { offset: 'beginning' })
    assertOffsets(consumed, 0)
    assertSameRecords(consumed, records)
    assert.deepEqual(consumed.map((record) => record.headers), records.map((record) => record.headers ?? []))
  })

  test('seek() to an offset in the middle reads exactly the records from there', async () => {
    const records = sampleRecords(18, 'kp-plain')
    const consumed = await consume('kp-plain', { offset: 7, count: 4 })
    assertOffsets(consumed, 7)
    assertSameRecords(consumed, records.slice(7, 11))
  })

  test('gzip: produce, read back exactly, and the broker stored gzip batches', async () => {
    const topic = 'kp-gzip'
    const records = sampleRecords(18, topic)
    const result = await produce(topic, records, { acks: 'all', compression_type: 'gzip' })
    assert.deepEqual(result.reports, records.map((_, offset) => ({ error: null, partition: 0, offset })))
    const consumed = await consume(topic)
    assertOffsets(consumed, 0)
    assertSameRecords(consumed, records)
    const batches = storedBatches(broker.dataDir, topic, 0)
    assert.ok(batches.length > 0 && batches.every((batch) => batch.crcValid && batch.magic === 2))
    assert.deepEqual(batches.map((batch) => CODEC_NAMES[batch.codec]), batches.map(() => 'gzip'))
  })

  test('acks=0 and acks=1', async () => {
    const topic = 'kp-acks'
    const noAck = sampleRecords(4, `${topic}-0`)
    const leaderAck = sampleRecords(4, `${topic}-1`)
    const result0 = await produce(topic, noAck, { acks: 0 })
    assert.ok(result0.reports.every((report) => report.error === null), JSON.stringify(result0.reports))
    const result1 = await produce(topic, leaderAck, { acks: 1 })
    assert.deepEqual(result1.reports, leaderAck.map((_, i) => ({ error: null, partition: 0, offset: 4 + i })))
    const consumed = await consume(topic)
    assertOffsets(consumed, 0)
    assertSameRecords(consumed, [...noAck, ...leaderAck])
  })

  test('beginning_offsets, end_offsets and offsets_for_times', async () => {
    const topic = 'kp-times'
    const timestamps = [1000, 2000, 2000, 3000, 5000]
    await produce(topic, timestamps.map((timestamp, i) => ({ ...sampleRecords(1, `${topic}-${i}`)[0]!, timestamp })))
    const queries = [0, 1500, 2000, 2001, 5000, 5001]
    const offsets = await drive({ op: 'offsets', topic, timestamps: queries })
    assert.deepEqual(offsets, {
      beginning: 0,
      end: 5,
      byTimestamp: [
        { timestamp: 0, offset: 0, foundTimestamp: 1000 },
        { timestamp: 1500, offset: 1, foundTimestamp: 2000 },
        { timestamp: 2000, offset: 1, foundTimestamp: 2000 },
        { timestamp: 2001, offset: 3, foundTimestamp: 3000 },
        { timestamp: 5000, offset: 4, foundTimestamp: 5000 },
        { timestamp: 5001, offset: null, foundTimestamp: null }
      ]
    })
  })

  test('negotiated API versions (kafka-python 2.0.2, detected as broker 2.5)', () => {
    assert.deepEqual(broker.recorder.summary(/^kafka-python/), { Produce: [7], Fetch: [4], ListOffsets: [1], Metadata: [0, 1], ApiVersions: [0] })
  })

  describe('errors from the broker', () => {
    test('a record above message.max.bytes: MessageSizeTooLargeError with errno 10 from the broker', async () => {
      const limited = await TestBroker.start({ args: ['--set', 'message.max.bytes=10000'] })
      try {
        // max_request_size raised so kafka-python's local check passes and the broker decides.
        const result = await drive<ProduceResult>({
          op: 'produce', topic: 'big', partition: 0, records: [{ key: null, value: Buffer.alloc(20_000, 'b') }].map(toWire), config: { max_request_size: 1_000_000 }
        }, limited)
        assert.deepEqual(result.reports, [{ error: 'MessageSizeTooLargeError', errno: 10 }])
      } finally {
        await limited.close()
      }
    })

    test('an invalid topic name: Metadata answers error 17 (InvalidTopicError); send() times out waiting for it', async () => {
      assert.deepEqual(await drive({ op: 'metadata', topics: ['bad topic!'] }), { topics: [{ topic: 'bad topic!', errorCode: 17, partitions: 0 }] })
      // kafka-python 2.0.2 does not surface topic errors from metadata to send(); it waits max_block_ms, as with Kafka.
      const result = await produce('bad topic!', sampleRecords(1, 'x'), { max_block_ms: 1000 })
      assert.deepEqual(result.reports, [{ error: 'KafkaTimeoutError', errno: null, local: true }])
    })

    test('auto.create.topics.enable=false: Metadata answers error 3 (UnknownTopicOrPartitionError)', async () => {
      const strict = await TestBroker.start({ args: ['--set', 'auto.create.topics.enable=false'] })
      try {
        assert.deepEqual(await drive({ op: 'metadata', topics: ['missing'] }, strict), { topics: [{ topic: 'missing', errorCode: 3, partitions: 0 }] })
        const result = await drive<ProduceResult>({ op: 'produce', topic: 'missing', partition: 0, records: sampleRecords(1, 'x').map(toWire), config: { max_block_ms: 1000 } }, strict)
        assert.deepEqual(result.reports, [{ error: 'KafkaTimeoutError', errno: null, local: true }])
      } finally {
        await strict.close()
      }
    })
  })
})
