import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  assertOffsets, assertSameRecords, CODEC_NAMES, compressibleTextRecords, findPython, fromWire, inCI, modernLibrdkafkaLibDir, runDriver,
  sampleRecords, skipUnlessInstalled, storedBatches, TestBroker, toWire, type ConsumedRecord, type TestRecord,
  type VersionSummary, type WireConsumed
} from '../src/index.js'

/**
 * confluent-kafka-python over librdkafka, twice: with Debian's librdkafka 2.0.2 and with a current librdkafka
 * built by scripts/build-librdkafka.sh into .build/librdkafka (loaded through LD_LIBRARY_PATH). The two speak
 * different protocol generations (Fetch v11 by topic name vs Fetch v16 by topic id, Metadata v4 vs v12), so
 * the same assertions run against both. Consumers use assign() with explicit offsets: of the dummy group.id that
 * confluent-kafka-python insists on, librdkafka only looks up the coordinator (FindCoordinator); it joins no
 * group and fetches or commits no offsets (asserted through the negotiated versions).
 */
const python = findPython(['confluent_kafka'])
const DRIVER = 'confluent_driver.py'

interface Variant {
  name: string
  env: Record<string, string>
  skip: string | false
  expectedLibVersion: () => string
  versions: VersionSummary
}

function modernVariant (): Variant {
  const built = existsSync(join(modernLibrdkafkaLibDir, 'librdkafka.so.1'))
  let skip: string | false = false
  if (python === null) skip = skipUnlessInstalled(false, 'python3 with confluent_kafka')
  else if (!built && !inCI) skip = `no modern librdkafka in ${modernLibrdkafkaLibDir} (run scripts/build-librdkafka.sh; in CI this fails instead)`
  return {
    name: 'current librdkafka from .build',
    env: { LD_LIBRARY_PATH: [modernLibrdkafkaLibDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') },
    skip,
    expectedLibVersion: () => {
      // build-librdkafka.sh leaves .built-from-kafka-javascript-<v> holding the librdkafka version it built.
      const prefix = join(modernLibrdkafkaLibDir, '..')
      const stamp = readdirSync(prefix).find((name) => name.startsWith('.built-from-kafka-javascript-'))
      assert.ok(stamp, `no build stamp in ${prefix}`)
      return readFileSync(join(prefix, stamp), 'utf8').trim()
    },
    versions: { Produce: [10], Fetch: [16], ListOffsets: [7], Metadata: [12], FindCoordinator: [2], ApiVersions: [3] }
  }
}

const variants: Variant[] = [
  {
    name: "Debian's librdkafka 2.0.2",
    env: {},
    skip: python === null ? skipUnlessInstalled(false, 'python3 with confluent_kafka') : false,
    expectedLibVersion: () => '2.0.2',
    versions: { Produce: [7], Fetch: [11], ListOffsets: [2], Metadata: [4], FindCoordinator: [2], ApiVersions: [3] }
  },
  modernVariant()
]

interface Report { error: string | null, code?: number, partition?: number, offset?: number, local?: boolean }

for (const variant of variants) {
  describe(`confluent-kafka-python, ${variant.name}`, { skip: variant.skip }, () => {
    let broker: TestBroker
    const drive = async <T = any>(request: object): Promise<T> => await runDriver<T>(python!, DRIVER, { bootstrap: broker.bootstrap, ...request }, { env: variant.env })

    async function produce (topic: string, records: TestRecord[], config: Record<string, unknown> = {}): Promise<Report[]> {
      const result = await drive<{ reports: Report[], undelivered: number }>({ op: 'produce', topic, partition: 0, records: records.map(toWire), config })
      assert.equal(result.undelivered, 0)
      return result.reports
    }
    async function consume (topic: string, request: { offset?: number | string, count?: number } = {}): Promise<ConsumedRecord[]> {
      const result = await drive<{ records: WireConsumed[], client_errors: string[] }>({ op: 'consume', topic, partition: 0, ...request })
      assert.deepEqual(result.client_errors, [])
      return result.records.map(fromWire)
    }

    before(async () => { broker = await TestBroker.start() })
    after(async () => { await broker?.close() })

    test('python3 with confluent_kafka is installed, and the expected librdkafka is loaded', async () => {
      assert.ok(python, 'no python3 that can import confluent_kafka')
      if (variant.env.LD_LIBRARY_PATH !== undefined) assert.ok(existsSync(join(modernLibrdkafkaLibDir, 'librdkafka.so.1')), `${modernLibrdkafkaLibDir} has no librdkafka (scripts/build-librdkafka.sh)`)
      const { libversion } = await runDriver<{ libversion: string }>(python!, DRIVER, { op: 'version' }, { env: variant.env })
      assert.equal(libversion, variant.expectedLibVersion())
    })

    for (const codec of CODEC_NAMES) {
      test(`compression ${codec}: produce (acks=all) and read back exactly, headers included`, async () => {
        const topic = `cfk-${codec}`
        const records = sampleRecords(24, topic)
        const reports = await produce(topic, records, { 'compression.type': codec, acks: 'all', 'linger.ms': 1000 })
        assert.deepEqual(reports, records.map((_, offset) => ({ error: null, partition: 0, offset })))
        const consumed = await consume(topic)
        assertOffsets(consumed, 0)
        assertSameRecords(consumed, records)
        assert.deepEqual(consumed.map((record) => record.headers ?? null), records.map((record) => record.headers ?? null))
      })

      test(`compression ${codec}: the broker stores ${codec} batches as the client sent them`, async () => {
        // Records that compress well one at a time (see compressibleTextRecords): on a loaded machine librdkafka
        // sometimes sends the first records of a burst on their own, and a lone small record of the sample set
        // goes uncompressed (seen in CI: 'none' + 'gzip' batches).
        const topic = `cfk-${codec}-stored`
        const records = compressibleTextRecords(24, topic).map(({ key, value }) => ({ key: Buffer.from(key), value: Buffer.from(value) }))
        const reports = await produce(topic, records, { 'compression.type': codec, acks: 'all', 'linger.ms': 1000 })
        assert.deepEqual(reports, records.map((_, offset) => ({ error: null, partition: 0, offset })))
        const batches = storedBatches(broker.dataDir, topic, 0)
        assert.ok(batches.every((batch) => batch.crcValid && batch.magic === 2))
        assert.equal(batches.reduce((sum, batch) => sum + batch.recordsCount, 0), 24)
        assert.deepEqual(batches.map((batch) => CODEC_NAMES[batch.codec]), batches.map(() => codec))
      })
    }

    test('assign() at an offset in the middle reads exactly the records from there', async () => {
      const records = sampleRecords(24, 'cfk-none')
      const consumed = await consume('cfk-none', { offset: 10, count: 5 })
      assertOffsets(consumed, 10)
      assertSameRecords(consumed, records.slice(10, 15))
    })

    test('acks=0 and acks=1 are accepted and every record is stored in order', async () => {
      const topic = 'cfk-acks'
      const fireAndForget = sampleRecords(6, `${topic}-0`)
      const leaderAck = sampleRecords(6, `${topic}-1`)
      const reports0 = await produce(topic, fireAndForget, { acks: 0 })
      assert.ok(reports0.every((report) => report.error === null), JSON.stringify(reports0))
      const reports1 = await produce(topic, leaderAck, { acks: 1 })
      assert.deepEqual(reports1, leaderAck.map((_, i) => ({ error: null, partition: 0, offset: 6 + i })))
      const consumed = await consume(topic)
      assertOffsets(consumed, 0)
      assertSameRecords(consumed, [...fireAndForget, ...leaderAck])
    })

    test('get_watermark_offsets and offsets_for_times (ListOffsets)', async () => {
      const topic = 'cfk-times'
      const timestamps = [1000, 2000, 2000, 3000, 5000]
      const records = timestamps.map((timestamp, i) => ({ ...sampleRecords(1, `${topic}-${i}`)[0]!, timestamp }))
      await produce(topic, records, { 'linger.ms': 0 })
      const consumed = await consume(topic)
      assert.deepEqual(consumed.map((record) => record.timestamp), timestamps)
      assert.deepEqual(await drive({ op: 'watermarks', topic }), { low: 0, high: 5 })
      const queries = [0, 1000, 1500, 2000, 2001, 3000, 4999, 5000, 5001]
      const { results } = await drive<{ results: Array<{ timestamp: number, offset: number, error: string | null }> }>({ op: 'offsets_for_times', topic, timestamps: queries })
      assert.deepEqual(results, queries.map((timestamp) => ({ timestamp, offset: [0, 0, 1, 1, 3, 3, 4, 4, -1][queries.indexOf(timestamp)], error: null })))
    })

    test('list_topics (Metadata) reports this broker and the topic', async () => {
      const metadata = await drive<any>({ op: 'metadata', topic: 'cfk-none' })
      assert.deepEqual(metadata.brokers, [{ id: 1, host: '127.0.0.1', port: broker.recorder.port }])
      assert.equal(metadata.controllerId, 1)
      assert.deepEqual(metadata.topics, { 'cfk-none': { error: null, partitions: { 0: { leader: 1, replicas: [1], isrs: [1], error: null } } } })
    })

    test(`negotiated API versions (${variant.name}); the dummy group.id costs one FindCoordinator, no group is joined`, () => {
      assert.deepEqual(broker.recorder.summary('rdkafka'), variant.versions)
    })

    describe('errors from the broker', () => {
      test('a record above message.max.bytes: delivery fails with MSG_SIZE_TOO_LARGE (broker error 10)', async () => {
        const limited = await TestBroker.start({ args: ['--set', 'message.max.bytes=10000'] })
        try {
          const big = { key: null, value: Buffer.alloc(20_000, 'b') }
          const small = sampleRecords(2, 'small')
          // librdkafka's own limit raised: the broker, not the client, refuses. One record per batch.
          const result = await runDriver<{ reports: Report[] }>(python!, DRIVER, {
            op: 'produce', bootstrap: limited.bootstrap, topic: 'big', partition: 0, records: [small[0]!, big, small[1]!].map(toWire),
            config: { 'message.max.bytes': 1_000_000, 'linger.ms': 0, 'batch.num.messages': 1 }
          }, { env: variant.env })
          assert.deepEqual(result.reports, [
            { error: null, partition: 0, offset: 0 },
            { error: 'MSG_SIZE_TOO_LARGE', code: 10 },
            { error: null, partition: 0, offset: 1 }
          ])
        } finally {
          await limited.close()
        }
      })

      test('an invalid topic name: TOPIC_EXCEPTION in metadata and in the delivery report', async () => {
        const reports = await produce('bad topic!', sampleRecords(1, 'x'), { 'message.timeout.ms': 5000 })
        assert.deepEqual(reports, [{ error: 'TOPIC_EXCEPTION', code: 17 }])
        const metadata = await drive<any>({ op: 'metadata', topic: 'bad topic!' })
        assert.deepEqual(metadata.topics, { 'bad topic!': { error: 'TOPIC_EXCEPTION', partitions: {} } })
      })

      test('auto.create.topics.enable=false: an unknown topic is UNKNOWN_TOPIC_OR_PART', async () => {
        const strict = await TestBroker.start({ args: ['--set', 'auto.create.topics.enable=false'] })
        try {
          const metadata = await runDriver<any>(python!, DRIVER, { op: 'metadata', bootstrap: strict.bootstrap, topic: 'missing' }, { env: variant.env })
          assert.deepEqual(metadata.topics, { missing: { error: 'UNKNOWN_TOPIC_OR_PART', partitions: {} } })
          const result = await runDriver<{ reports: Report[] }>(python!, DRIVER, {
            op: 'produce', bootstrap: strict.bootstrap, topic: 'missing', partition: 0, records: sampleRecords(1, 'x').map(toWire),
            config: { 'topic.metadata.propagation.max.ms': 500, 'message.timeout.ms': 5000 }
          }, { env: variant.env })
          assert.deepEqual(result.reports, [{ error: 'UNKNOWN_TOPIC_OR_PART', code: 3 }])
        } finally {
          await strict.close()
        }
      })
    })
  })
}
