import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, afterEach, describe, test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { CompressionTypes, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs'
import {
  assertOffsets, assertSameRecords, kcat, kcatPath, parseBinaryFormat, readPartition, storedBatches, TestBroker,
  type ConsumedRecord, type TestRecord
} from '../src/index.js'

/**
 * What a producer was told is durable must survive the broker process: a clean stop (SIGTERM), a crash right
 * after the acknowledgements (SIGKILL), and a crash in the middle of a stream of produce requests. Records are
 * written by kafkajs with acks=all (-1) and read back with @platformatic/kafka's fetch, byte for byte; stored
 * batches are checked against CRC-32C computed by the suite, and by librdkafka (kcat, check.crcs=true) when
 * installed.
 */
const PARTITIONS = 2

/** Records whose key is unique, so a record found in the log can be traced to exactly one send. */
function uniqueRecords (count: number, tag: string): TestRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    key: Buffer.from(`${tag}-${i}`),
    value: Buffer.concat([Buffer.from(`${tag}-${i}:`), randomBytes(40 + (i % 5) * 30)])
  }))
}

function kafkajsProducer (bootstrap: string): Producer {
  const kafka = new Kafka({ clientId: 'samsa-conformance-durability', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
  return kafka.producer({ idempotent: false, allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner })
}

interface Acked { partition: number, baseOffset: number, records: TestRecord[] }

async function send (producer: Producer, topic: string, partition: number, records: TestRecord[], compression = CompressionTypes.None): Promise<Acked> {
  const [result] = await producer.send({ topic, acks: -1, compression, messages: records.map(({ key, value }) => ({ key, value, partition })) })
  assert.equal(result!.errorCode, 0)
  return { partition, baseOffset: Number(result!.baseOffset), records }
}

async function readAll (broker: TestBroker, topic: string, partition: number): Promise<ConsumedRecord[]> {
  const read = await readPartition(broker.bootstrap, topic, partition, { timeoutMs: 30_000 })
  assertOffsets(read.records, 0, `partition ${partition}: offsets 0..high watermark without gaps`)
  assert.equal(read.records.length, read.highWatermark)
  return read.records
}

/** Every batch in the segment files has a valid CRC, and together they hold exactly `count` records. */
function assertStoredIntact (broker: TestBroker, topic: string, partition: number, count: number): void {
  const batches = storedBatches(broker.dataDir, topic, partition)
  assert.ok(batches.every((batch) => batch.crcValid && batch.magic === 2), `a stored batch of ${topic}-${partition} has a bad CRC`)
  assert.equal(batches.reduce((sum, batch) => sum + batch.recordsCount, 0), count, `records in the segment files of ${topic}-${partition}`)
}

/** librdkafka with CRC checking reads the whole partition without an error. */
async function assertKcatReadsCleanly (broker: TestBroker, topic: string, partition: number, expected: ConsumedRecord[]): Promise<void> {
  if (kcatPath === null) return // kcat's own tests fail in CI when it is missing
  const { stdout, stderr } = await kcat(['-C', '-b', broker.bootstrap, '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-X', 'check.crcs=true', '-f', '%p %o %T %K %S\\n%k%s\\n'])
  assert.doesNotMatch(stderr, /error|corrupt|crc/i)
  assertSameRecords(parseBinaryFormat(stdout), expected)
}

describe('durability across broker restarts', () => {
  const brokers: TestBroker[] = []
  const producers: Producer[] = []
  afterEach(async () => {
    for (const producer of producers.splice(0)) await producer.disconnect().catch(() => undefined)
  })
  after(async () => {
    for (const broker of brokers) await broker.close()
  })
  async function start (): Promise<TestBroker> {
    const broker = await TestBroker.start({ args: ['--num-partitions', String(PARTITIONS)] })
    brokers.push(broker)
    return broker
  }
  async function connect (broker: TestBroker): Promise<Producer> {
    const producer = kafkajsProducer(broker.bootstrap)
    producers.push(producer)
    await producer.connect()
    return producer
  }

  /** Produces `sends` × `perSend` records with acks=all, alternating partitions; returns what each partition got. */
  async function produceAcknowledged (broker: TestBroker, topic: string, sends: number, perSend: number): Promise<TestRecord[][]> {
    const producer = await connect(broker)
    const expected: TestRecord[][] = Array.from({ length: PARTITIONS }, () => [])
    for (let i = 0; i < sends; i++) {
      const partition = i % PARTITIONS
      const acked = await send(producer, topic, partition, uniqueRecords(perSend, `${topic}-${i}`), i % 3 === 2 ? CompressionTypes.GZIP : CompressionTypes.None)
      assert.equal(acked.baseOffset, expected[partition]!.length)
      expected[partition]!.push(...acked.records)
    }
    await producer.disconnect()
    return expected
  }

  async function assertExactly (broker: TestBroker, topic: string, expected: TestRecord[][]): Promise<void> {
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const stored = await readAll(broker, topic, partition)
      assertSameRecords(stored, expected[partition]!, `partition ${partition}`)
      assertStoredIntact(broker, topic, partition, expected[partition]!.length)
      await assertKcatReadsCleanly(broker, topic, partition, stored)
    }
  }

  test('SIGTERM: a clean stop keeps every acknowledged record; offsets continue after the restart', async () => {
    const broker = await start()
    const expected = await produceAcknowledged(broker, 'durable-term', 20, 100)
    assert.deepEqual(await broker.broker.stop(), { code: 0, signal: null })
    await broker.broker.restart()
    await assertExactly(broker, 'durable-term', expected)
    const producer = await connect(broker)
    const more = await send(producer, 'durable-term', 0, uniqueRecords(10, 'after-restart'))
    assert.equal(more.baseOffset, expected[0]!.length)
  })

  test('SIGKILL right after the acknowledgements: every acknowledged record is there, byte for byte', async () => {
    const broker = await start()
    const expected = await produceAcknowledged(broker, 'durable-kill', 20, 100)
    assert.deepEqual(await broker.broker.kill(), { code: null, signal: 'SIGKILL' })
    await broker.broker.restart()
    await assertExactly(broker, 'durable-kill', expected)
  })

  /**
   * Four concurrent senders (two per partition, one of them gzip), each with one request in flight at a time,
   * until `minAcks` more sends are acknowledged; then SIGKILL while requests are in flight.
   */
  async function streamUntilKilled (broker: TestBroker, topic: string, acknowledged: Acked[], sent: Map<string, TestRecord>, minAcks: number, round = 0): Promise<void> {
    let stop = false
    const target = acknowledged.length + minAcks
    const senders = Array.from({ length: 4 }, async (_, sender) => {
      const producer = await connect(broker)
      for (let i = 0; !stop; i++) {
        const records = uniqueRecords(25, `${topic}-${round}-${sender}-${i}`)
        for (const record of records) sent.set(record.key!.toString(), record)
        try {
          acknowledged.push(await send(producer, topic, sender % PARTITIONS, records, sender >= 2 ? CompressionTypes.GZIP : CompressionTypes.None))
        } catch {
          return // the broker is gone: this send was not acknowledged
        }
      }
    })
    const deadline = Date.now() + 10_000
    while (acknowledged.length < target && Date.now() < deadline) await sleep(10)
    assert.ok(acknowledged.length >= target, `only ${acknowledged.length} sends acknowledged in 10 s`)
    await broker.broker.kill() // while requests are in flight
    stop = true
    // A sender may still count an acknowledgement after kill() resolved: the broker wrote it before it died and the
    // client read it from its socket afterwards. Such acknowledgements are real, and are checked like the others.
    await Promise.all(senders)
  }

  /**
   * Every acknowledged send is in the log at the offsets the broker acknowledged, byte for byte; anything else is a
   * record that was sent (in flight at a kill), exactly once, unaltered; the segment files and kcat agree.
   */
  async function assertRecovered (broker: TestBroker, topic: string, acknowledged: Acked[], sent: Map<string, TestRecord>, t: TestContext): Promise<void> {
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const stored = await readAll(broker, topic, partition)
      for (const ack of acknowledged.filter((a) => a.partition === partition)) {
        assertSameRecords(stored.slice(ack.baseOffset, ack.baseOffset + ack.records.length), ack.records, `send acknowledged at ${partition}/${ack.baseOffset}`)
      }
      const seen = new Set<string>()
      for (const record of stored) {
        const key = record.key!.toString()
        assert.ok(!seen.has(key), `record ${key} stored twice`)
        seen.add(key)
        assertSameRecords([record], [sent.get(key) ?? { key: record.key, value: Buffer.from('<never sent>') }], `record at offset ${record.offset}`)
      }
      const ackedRecords = acknowledged.filter((a) => a.partition === partition).reduce((sum, a) => sum + a.records.length, 0)
      t.diagnostic(`partition ${partition}: ${ackedRecords} records acknowledged before SIGKILL, ${stored.length} recovered`)
      assertStoredIntact(broker, topic, partition, stored.length)
      await assertKcatReadsCleanly(broker, topic, partition, stored)
    }
  }

  test('SIGKILL in the middle of a produce stream: acknowledged records survive, the log recovers intact', async (t) => {
    const broker = await start()
    const topic = 'durable-stream'
    const acknowledged: Acked[] = []
    const sent = new Map<string, TestRecord>()
    await streamUntilKilled(broker, topic, acknowledged, sent, 150)
    await broker.broker.restart()
    await assertRecovered(broker, topic, acknowledged, sent, t)

    // The recovered log takes new records at its end, and survives one more clean restart unchanged.
    const producer = await connect(broker)
    const before = await readAll(broker, topic, 0)
    const more = await send(producer, topic, 0, uniqueRecords(10, 'after-recovery'))
    assert.equal(more.baseOffset, before.length)
    await producer.disconnect()
    await broker.broker.stop()
    await broker.broker.restart()
    assertSameRecords(await readAll(broker, topic, 0), [...before, ...more.records])
  })

  test('three SIGKILLs in a row, with 1 MiB journal files and 64 KiB segments: each restart replays and recovers, nothing acknowledged is lost', async (t) => {
    // Small journal files and segments make every round rotate and retire journal files and roll segments, so the
    // kills land across those transitions too, and each restart replays what the previous run left.
    const broker = await TestBroker.start({ args: ['--num-partitions', String(PARTITIONS), '--set', 'log.journal.file.bytes=1048576', '--set', 'log.segment.bytes=65536'] })
    brokers.push(broker)
    const topic = 'durable-kills'
    const acknowledged: Acked[] = []
    const sent = new Map<string, TestRecord>()
    for (let round = 0; round < 3; round++) {
      await streamUntilKilled(broker, topic, acknowledged, sent, 400, round) // about 1.5 MB: at least one rotation
      await broker.broker.restart()
      await assertRecovered(broker, topic, acknowledged, sent, t)
    }
    // Each start opens the next file number, and each round filled at least one file: 4 starts + 3 rotations.
    const numbers = readdirSync(join(broker.dataDir, '__log_journal')).map((name) => Number(/^(\d+)/.exec(name)?.[1] ?? 0))
    assert.ok(Math.max(...numbers) >= 7, `journal files numbered up to ${Math.max(...numbers)}`)
  })
})
