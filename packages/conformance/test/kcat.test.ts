import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  assertOffsets, CODEC_NAMES, compressibleTextRecords, kcat, kcatConsume, kcatPath, run, skipUnlessInstalled, storedBatches, TestBroker,
  textRecords, uniqueTopic
} from '../src/index.js'

/**
 * kcat 1.7 with Debian's librdkafka 2.0.2: the command-line client people try first. Covers produce from stdin
 * with keys, consume from the beginning / from the end / with long polling, metadata (-L -J), offsets by
 * timestamp (-Q), every compression codec, and the broker's errors as kcat reports them.
 */
const lines = (records: Array<{ key: string, value: string }>): string => records.map(({ key, value }) => `${key}:${value}\n`).join('')
const text = (records: Array<{ key: Buffer | null, value: Buffer | null }>): Array<{ key: string | null, value: string | null }> =>
  records.map(({ key, value }) => ({ key: key?.toString('utf8') ?? null, value: value?.toString('utf8') ?? null }))

async function produce (bootstrap: string, topic: string, input: string, extra: string[] = []): Promise<void> {
  await kcat(['-P', '-b', bootstrap, '-t', topic, '-K:', ...extra], { input })
}

describe('kcat (librdkafka 2.0.2)', { skip: skipUnlessInstalled(kcatPath !== null, 'kcat') }, () => {
  let broker: TestBroker
  before(async () => { broker = await TestBroker.start({ args: ['--num-partitions', '3'] }) })
  after(async () => { await broker?.close() })

  test('kcat is installed', () => { assert.ok(kcatPath, 'kcat not found on PATH') })

  test('produces keyed lines from stdin (-K:) and consumes them from the beginning, exactly', async () => {
    const topic = uniqueTopic('kcat-keyed')
    const records = textRecords(20, topic)
    await produce(broker.bootstrap, topic, lines(records), ['-p', '0'])
    const consumed = await kcatConsume(broker.bootstrap, topic, { partition: 0, offset: 'beginning' })
    assertOffsets(consumed, 0)
    assert.deepEqual(text(consumed), records)
    for (const record of consumed) assert.ok(record.timestamp > Date.now() - 120_000 && record.timestamp <= Date.now(), `CreateTime ${record.timestamp}`)
  })

  test('keyed records without -p: one partition per key, per-partition order kept, contiguous offsets', async () => {
    const topic = uniqueTopic('kcat-partitioned')
    const records = Array.from({ length: 30 }, (_, i) => ({ key: `user-${i % 5}`, value: `event ${i}` }))
    await produce(broker.bootstrap, topic, lines(records))
    const consumed = await kcatConsume(broker.bootstrap, topic, {})
    assert.equal(consumed.length, 30)
    const partitionOfKey = new Map<string, number>()
    for (const record of consumed) {
      const key = record.key!.toString()
      assert.equal(partitionOfKey.get(key) ?? record.partition, record.partition, `key ${key} in two partitions`)
      partitionOfKey.set(key, record.partition)
    }
    for (const partition of [0, 1, 2]) {
      const inPartition = consumed.filter((record) => record.partition === partition)
      assertOffsets(inPartition, 0, `partition ${partition}`)
      assert.deepEqual(text(inPartition), records.filter((record) => partitionOfKey.get(record.key) === partition))
    }
  })

  test('consumes from the end (-o end, -o -2) and long-polls for records produced later', async () => {
    const topic = uniqueTopic('kcat-tail')
    const first = textRecords(5, `${topic}-a`)
    await produce(broker.bootstrap, topic, lines(first), ['-p', '2'])
    assert.deepEqual(await kcatConsume(broker.bootstrap, topic, { partition: 2, offset: 'end' }), [])
    const lastTwo = await kcatConsume(broker.bootstrap, topic, { partition: 2, offset: '-2' })
    assertOffsets(lastTwo, 3)
    assert.deepEqual(text(lastTwo), first.slice(3))

    // A consumer waiting at the log end (offset 5) receives records produced while its Fetch is parked.
    const waiting = kcatConsume(broker.bootstrap, topic, { partition: 2, offset: '5', count: 2, timeoutMs: 20_000 })
    await sleep(500)
    const later = textRecords(2, `${topic}-b`)
    await produce(broker.bootstrap, topic, lines(later), ['-p', '2'])
    const received = await waiting
    assertOffsets(received, 5)
    assert.deepEqual(text(received), later)
  })

  test('-L -J lists the broker and the partitions of a topic', async () => {
    const topic = uniqueTopic('kcat-metadata')
    await produce(broker.bootstrap, topic, 'k:v\n', ['-p', '1'])
    const { stdout } = await kcat(['-L', '-J', '-b', broker.bootstrap, '-t', topic])
    const metadata = JSON.parse(stdout.toString('utf8'))
    assert.deepEqual(metadata.brokers, [{ id: 1, name: broker.bootstrap }])
    assert.equal(metadata.controllerid, 1)
    assert.deepEqual(metadata.topics, [{
      topic,
      partitions: [0, 1, 2].map((partition) => ({ partition, leader: 1, replicas: [{ id: 1 }], isrs: [{ id: 1 }] }))
    }])
  })

  test('-Q finds offsets by timestamp (and -1/-2 = latest/earliest); -o s@<ts> starts at that offset', async () => {
    const topic = uniqueTopic('kcat-times')
    // kcat cannot set timestamps, so produce in three runs a few milliseconds apart and learn the CreateTimes.
    for (const run of ['a', 'b', 'c']) {
      await produce(broker.bootstrap, topic, lines(textRecords(3, `${topic}-${run}`)), ['-p', '1'])
      await sleep(25)
    }
    const stored = await kcatConsume(broker.bootstrap, topic, { partition: 1 })
    assertOffsets(stored, 0)
    assert.equal(stored.length, 9)
    const firstAtOrAfter = (timestamp: number): number => stored.find((record) => record.timestamp >= timestamp)?.offset ?? -1
    const maxTimestamp = Math.max(...stored.map((record) => record.timestamp))
    const queries = [0, ...new Set(stored.map((record) => record.timestamp)), maxTimestamp + 1]
    for (const timestamp of queries) {
      const { stdout } = await kcat(['-Q', '-J', '-b', broker.bootstrap, '-t', `${topic}:1:${timestamp}`])
      const answer = JSON.parse(stdout.toString('utf8'))
      assert.deepEqual(answer[topic]['1'], { partition: 1, offset: firstAtOrAfter(timestamp) }, `timestamp ${timestamp}`)
    }
    const latest = JSON.parse((await kcat(['-Q', '-J', '-b', broker.bootstrap, '-t', `${topic}:1:-1`])).stdout.toString('utf8'))
    assert.equal(latest[topic]['1'].offset, 9)
    const earliest = JSON.parse((await kcat(['-Q', '-J', '-b', broker.bootstrap, '-t', `${topic}:1:-2`])).stdout.toString('utf8'))
    assert.equal(earliest[topic]['1'].offset, 0)

    const secondRunStart = stored[3]!.timestamp
    const fromTimestamp = await kcatConsume(broker.bootstrap, topic, { partition: 1, offset: `s@${secondRunStart}` })
    assertOffsets(fromTimestamp, firstAtOrAfter(secondRunStart))
    assert.equal(fromTimestamp.length, 9 - firstAtOrAfter(secondRunStart))
  })

  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    test(`produces with -z ${codec} and reads the records back exactly`, async () => {
      const topic = `kcat-${codec}`
      await produce(broker.bootstrap, topic, lines(compressibleTextRecords(40, codec)), ['-p', '0', '-z', codec])
      const consumed = await kcatConsume(broker.bootstrap, topic, { partition: 0 })
      assertOffsets(consumed, 0)
      assert.deepEqual(text(consumed), compressibleTextRecords(40, codec))
    })

    // librdkafka silently falls back to uncompressed batches when it thinks the broker cannot take the codec, so
    // reading back alone proves nothing about compression: look at the batches the broker stored.
    test(`-z ${codec}: librdkafka really sends ${codec} batches and the broker stores them as sent`, () => {
      // kcat waits for acks=all, which the broker gives after fsync: the batches are in the segment file.
      const batches = storedBatches(broker.dataDir, `kcat-${codec}`, 0)
      assert.ok(batches.length > 0)
      assert.ok(batches.every((batch) => batch.crcValid && batch.magic === 2))
      assert.equal(batches.reduce((sum, batch) => sum + batch.recordsCount, 0), 40)
      assert.deepEqual(batches.map((batch) => CODEC_NAMES[batch.codec]), batches.map(() => codec))
    })
  }

  test('negotiated API versions (librdkafka 2.0.2)', () => {
    assert.deepEqual(broker.recorder.summary('rdkafka'), {
      Produce: [7],
      Fetch: [11],
      ListOffsets: [2],
      Metadata: [4],
      ApiVersions: [3]
    })
  })
})

describe('kcat: errors from the broker', { skip: skipUnlessInstalled(kcatPath !== null, 'kcat') }, () => {
  test('a record larger than message.max.bytes fails with "Broker: Message size too large"', async () => {
    const broker = await TestBroker.start({ args: ['--set', 'message.max.bytes=10000'] })
    try {
      // The client's own limit is raised, so the broker (not librdkafka's local check) is the one refusing.
      const result = await run(kcatPath!, ['-P', '-b', broker.bootstrap, '-t', 'big', '-p', '0', '-X', 'message.max.bytes=1000000'], { input: 'x'.repeat(20_000) + '\n' })
      assert.notEqual(result.code, 0)
      assert.match(result.stderr, /Delivery failed for message: Broker: Message size too large/)
      await produce(broker.bootstrap, 'big', 'small:record\n', ['-p', '0'])
      const stored = await kcatConsume(broker.bootstrap, 'big', { partition: 0 })
      assert.deepEqual(text(stored), [{ key: 'small', value: 'record' }])
      assert.equal(stored[0]!.offset, 0)
    } finally {
      await broker.close()
    }
  })

  test('an invalid topic name is reported as "Broker: Invalid topic"', async () => {
    const broker = await TestBroker.start()
    try {
      const produced = await run(kcatPath!, ['-P', '-b', broker.bootstrap, '-t', 'bad topic!', '-p', '0'], { input: 'x\n' })
      assert.notEqual(produced.code, 0)
      assert.match(produced.stderr, /Delivery failed for message: Broker: Invalid topic/)
      const { stdout } = await kcat(['-L', '-J', '-b', broker.bootstrap, '-t', 'bad topic!'])
      assert.deepEqual(JSON.parse(stdout.toString('utf8')).topics, [{ topic: 'bad topic!', error: 'Broker: Invalid topic', partitions: [] }])
    } finally {
      await broker.close()
    }
  })

  test('with auto.create.topics.enable=false an unknown topic is "Broker: Unknown topic or partition"', async () => {
    const broker = await TestBroker.start({ args: ['--set', 'auto.create.topics.enable=false'] })
    try {
      const { stdout } = await kcat(['-L', '-J', '-b', broker.bootstrap, '-t', 'missing'])
      assert.deepEqual(JSON.parse(stdout.toString('utf8')).topics, [{ topic: 'missing', error: 'Broker: Unknown topic or partition', partitions: [] }])
      const consumed = await run(kcatPath!, ['-C', '-b', broker.bootstrap, '-t', 'missing', '-p', '0', '-e'])
      assert.notEqual(consumed.code, 0)
      assert.match(consumed.stderr, /Topic missing error: Broker: Unknown topic or partition/)
      const produced = await run(kcatPath!, ['-P', '-b', broker.bootstrap, '-t', 'missing', '-p', '0', '-X', 'topic.metadata.propagation.max.ms=500', '-X', 'message.timeout.ms=3000'], { input: 'x\n', timeoutMs: 20_000 })
      assert.notEqual(produced.code, 0)
      assert.match(produced.stderr, /Delivery failed for message: (Broker: Unknown topic or partition|Local: Unknown topic)/)
    } finally {
      await broker.close()
    }
  })
})

describe('kcat: responses capped by fetch.max.bytes', { skip: skipUnlessInstalled(kcatPath !== null, 'kcat') }, () => {
  let broker: TestBroker
  before(async () => { broker = await TestBroker.start({ args: ['--num-partitions', '3', '--set', 'fetch.max.bytes=16384'] }) })
  after(async () => { await broker?.close() })

  test('a topic many times the cap is read back whole and in order, one small response after another', async () => {
    const topic = uniqueTopic('kcat-capped')
    // ~600 KB of ~1 KB records in batches of up to 16 records per partition (-X batch.num.messages): ~40 responses.
    const records = Array.from({ length: 600 }, (_, i) => ({ key: `k${i}`, value: `record ${i} ` + 'abcdefghij'.repeat(100) }))
    await produce(broker.bootstrap, topic, lines(records), ['-X', 'batch.num.messages=16'])
    const consumed = await kcatConsume(broker.bootstrap, topic, {})
    assert.equal(consumed.length, 600)
    for (const partition of [0, 1, 2]) assertOffsets(consumed.filter((record) => record.partition === partition), 0, `partition ${partition}`)
    const byKey = new Map(text(consumed).map((record) => [record.key, record.value]))
    assert.deepEqual(records.map((record) => byKey.get(record.key)), records.map((record) => record.value))
  })
})
