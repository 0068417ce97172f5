import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { KafkaConsumer, KafkaProducer, TopicPartition } from '../src/index.js'
import { eventually, startBroker, testManager, uniqueTopic, type TestBroker } from './helpers.js'

type Protocol = 'classic' | 'consumer'

/** Every handler run, as `partition:offset`, with who ran it and the value. */
interface Run { key: string, partition: number, value: number, member: string }

function duplicates (runs: Run[]): string[] {
  const seen = new Set<string>()
  const twice: string[] = []
  for (const { key } of runs) {
    if (seen.has(key)) twice.push(key)
    seen.add(key)
  }
  return twice
}

function valuesByPartition (runs: Run[]): Map<number, number[]> {
  const out = new Map<number, number[]>()
  for (const run of runs) out.set(run.partition, [...(out.get(run.partition) ?? []), run.value])
  return out
}

async function produce (producer: KafkaProducer, topic: string, partitions: number, from: number, count: number): Promise<void> {
  for (let partition = 0; partition < partitions; partition++) {
    await producer.send(topic, Array.from({ length: count }, (_, i) => ({ value: String(from + i), partition })))
  }
}

describe('group protocols: KIP-848 consumer groups and commits before revocation', () => {
  let broker: TestBroker
  let manager: ReturnType<typeof testManager>
  let producer: KafkaProducer

  before(async () => {
    broker = await startBroker({ 'num.partitions': '6', 'group.consumer.heartbeat.interval.ms': '250', 'group.consumer.session.timeout.ms': '6000' })
    manager = testManager(broker)
    producer = manager.createProducer('main')
    await producer.connect()
  })
  after(async () => {
    await manager?.disconnectAll()
    await broker?.stop()
  })

  const member = async (name: string, groupId: string, topic: string, groupProtocol: Protocol, runs: Run[], options: { delayMs?: number, autoCommitInterval?: number } = {}): Promise<KafkaConsumer> => {
    const consumer = manager.createConsumer(name, {
      groupId,
      groupProtocol,
      fromBeginning: true,
      sessionTimeout: 6000,
      heartbeatInterval: 200,
      rebalanceTimeout: 6000,
      autoCommitInterval: options.autoCommitInterval ?? 0
    })
    await consumer.connect()
    consumer.registerHandler<number>(topic, async (value, context) => {
      if (options.delayMs !== undefined) await sleep(options.delayMs)
      runs.push({ key: `${context.partition}:${context.offset}`, partition: context.partition, value, member: name })
    })
    await consumer.startWithHandlers()
    return consumer
  }

  test("groupProtocol 'consumer': two members split 6 partitions, each record once and in order; one leaves, the other resumes from the commits", async () => {
    const topic = uniqueTopic('kip848')
    const groupId = uniqueTopic('g')
    const runs: Run[] = []
    await produce(producer, topic, 6, 0, 20)
    const first = await member('kip848-a', groupId, topic, 'consumer', runs, { delayMs: 2 })
    const second = await member('kip848-b', groupId, topic, 'consumer', runs, { delayMs: 2 })
    const revokedFromFirst: TopicPartition[] = []
    first.on('rebalance', ({ revoked }: { revoked: TopicPartition[] }) => revokedFromFirst.push(...revoked))
    await eventually(() => first.assignment().length === 3 && second.assignment().length === 3, 15_000, 'a 3/3 split')
    const owned = [...first.assignment(), ...second.assignment()].map((tp) => tp.partition).sort()
    // KIP-848 members have a member id but no classic generation.
    for (const c of [first, second]) {
      assert.equal(typeof c.raw.memberId, 'string')
      assert.equal(c.raw.generationId, 0)
    }
    assert.deepEqual(owned, [0, 1, 2, 3, 4, 5])
    await eventually(() => runs.length >= 120, 15_000, '120 records')
    await produce(producer, topic, 6, 20, 10)
    await eventually(() => runs.length >= 180, 15_000, '180 records')
    assert.deepEqual(new Set(runs.slice(120).map((r) => r.member)), new Set(['kip848-a', 'kip848-b']), 'both members handle new records')

    await second.disconnect()
    await eventually(() => first.assignment().length === 6, 15_000, 'all partitions back to the first member')
    await produce(producer, topic, 6, 30, 10)
    await eventually(() => runs.length >= 240, 15_000, '240 records')
    await sleep(300)
    assert.deepEqual(duplicates(runs), [], 'no record handled twice')
    assert.equal(runs.length, 240)
    for (const [partition, values] of valuesByPartition(runs)) assert.deepEqual(values, Array.from({ length: 40 }, (_, i) => i), `partition ${partition} in order`)
    assert.ok(runs.slice(180).every((r) => r.member === 'kip848-a'))
    await first.disconnect()
  })

  for (const protocol of ['classic', 'consumer'] as const) {
    test(`${protocol}: a member joining mid-stream; nothing finished before the rebalance is handled again`, async () => {
      const topic = uniqueTopic(`mid-${protocol}`)
      const groupId = uniqueTopic('g')
      const runs: Run[] = []
      await produce(producer, topic, 6, 0, 25)
      // Commits only every minute: without the commit before revocation, the new member would redo all of it.
      const options = { delayMs: 15, autoCommitInterval: 60_000 }
      const first = await member(`mid-${protocol}-a`, groupId, topic, protocol, runs, options)
      const revoked: TopicPartition[] = []
      first.on('rebalance', (event: { revoked: TopicPartition[] }) => revoked.push(...event.revoked))
      await eventually(() => runs.length >= 20, 15_000, 'the first member under way')
      const second = await member(`mid-${protocol}-b`, groupId, topic, protocol, runs, options)
      await eventually(() => runs.length >= 150, 30_000, '150 records')
      await sleep(300)
      assert.ok(revoked.length > 0, 'the first member gave partitions up')
      assert.ok(runs.some((r) => r.member === second.name), 'the second member took over partitions')
      assert.deepEqual(duplicates(runs), [], 'no record handled twice')
      assert.equal(runs.length, 150)
      for (const [partition, values] of valuesByPartition(runs)) assert.deepEqual(values, Array.from({ length: 25 }, (_, i) => i), `partition ${partition} in order`)
      await second.disconnect()
      await first.disconnect()
    })
  }
})
