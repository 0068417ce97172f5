import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { assertSameRecords, kafkaErrorType, readPartition, sampleRecords, TestBroker } from '../src/index.js'

/**
 * A disk that refuses writes, seen through kafkajs 2.2.4: the broker's write-ahead journal file is made immutable
 * (`chattr +i`, ext4), so the next journal write fails with EPERM inside the broker process — no fault hooks. The
 * produce gets KAFKA_STORAGE_ERROR, later produces too, the connection and the broker keep serving, and what was
 * acknowledged before reads back unchanged.
 */
const JOURNAL_DIR = '__log_journal'
const chattrWorks = spawnSync('chattr', ['-V'], { encoding: 'utf8' }).error === undefined

describe('storage failure seen by kafkajs 2.2.4', { skip: chattrWorks ? false : 'chattr not available' }, () => {
  let broker: TestBroker
  let producer: Producer
  let frozen: string | null = null

  before(async () => {
    broker = await TestBroker.start()
    const kafka = new Kafka({ clientId: 'samsa-storage-failure', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } })
    producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: true })
    await producer.connect()
  })
  after(async () => {
    if (frozen !== null) execFileSync('chattr', ['-i', frozen])
    await producer?.disconnect()
    await broker?.close()
  })

  test('KAFKA_STORAGE_ERROR on a failed journal write; the broker keeps serving and keeps acknowledged data', async (t) => {
    const kept = sampleRecords(5, 'disk')
    const sent = await producer.send({ topic: 'disk', acks: -1, messages: kept.map((record) => ({ key: record.key, value: record.value, partition: 0 })) })
    assert.equal(sent[0]?.errorCode, 0)

    const dir = join(broker.dataDir, JOURNAL_DIR)
    const active = readdirSync(dir).filter((name) => name.endsWith('.wal')).sort().pop()
    assert.ok(active !== undefined, 'the broker has a journal file')
    try {
      execFileSync('chattr', ['+i', join(dir, active)])
    } catch (error) {
      t.skip(`chattr +i refused here: ${(error as Error).message.split('\n')[0]}`)
      return
    }
    frozen = join(dir, active)

    for (const value of ['refused', 'refused again']) {
      const failed = await producer.send({ topic: 'disk', acks: -1, messages: [{ value, partition: 0 }] }).then(() => null, (error: unknown) => error)
      assert.equal(kafkaErrorType(failed), 'KAFKA_STORAGE_ERROR', `"${value}": ${String(failed)}`)
    }

    // Same broker, other requests: metadata still answers, and the acknowledged records read back as sent.
    const read = await readPartition(broker.bootstrap, 'disk', 0)
    assertSameRecords(read.records.slice(0, kept.length), kept)
  })
})
