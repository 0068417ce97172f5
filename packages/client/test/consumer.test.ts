import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import type { DatabaseEvent, EachMessagePayload, KafkaProducer, MessageContext } from '../src/index.js'
import { deferred, eventually, startBroker, testManager, uniqueTopic, type TestBroker } from './helpers.js'

interface User { id: string, email: string }

const userEvent = (op: 'c' | 'u' | 'd', id: string, email: string): DatabaseEvent<User> => ({
  before: op === 'c' ? null : { id, email: 'old@example.com' },
  after: { id, email },
  source: { version: '3.2.1.Final', connector: 'postgresql', name: 'auth', ts_ms: 1, db: 'auth', schema: 'public', table: 'users' },
  op,
  ts_ms: 2
})

async function committed (broker: TestBroker, groupId: string, topic: string): Promise<Record<number, string>> {
  const admin = new Admin({ clientId: 'offsets', bootstrapBrokers: [broker.bootstrap] })
  try {
    const [group] = await admin.listConsumerGroupOffsets({ groups: [groupId] })
    const out: Record<number, string> = {}
    for (const t of group?.topics ?? []) {
      if (t.name !== topic) continue
      for (const p of t.partitions) out[p.partitionIndex] = String(p.committedOffset)
    }
    return out
  } finally {
    await admin.close()
  }
}

describe('KafkaConsumer: topic registry and kafkajs-style API against samsa', () => {
  let broker: TestBroker
  let manager: ReturnType<typeof testManager>
  let producer: KafkaProducer

  before(async () => {
    broker = await startBroker()
    manager = testManager(broker)
    producer = manager.createProducer('main')
    await producer.connect()
  })
  after(async () => {
    await manager?.disconnectAll()
    await broker?.stop()
  })

  test('registerHandler<T> + startWithHandlers: parsed, typed messages per topic, in order, committed', async () => {
    const users = uniqueTopic('auth.public.users')
    const sessions = uniqueTopic('auth.public.sessions')
    await producer.send(users, [userEvent('c', 'u1', 'a@x'), userEvent('u', 'u1', 'b@x'), userEvent('d', 'u1', 'c@x')].map((e) => ({ key: 'u1', value: JSON.stringify(e) })))
    await producer.send(sessions, [{ key: 's1', value: 'not json' }])

    const consumer = manager.createConsumer('registry', { groupId: uniqueTopic('g'), sessionTimeout: 10_000, heartbeatInterval: 500, fromBeginning: true })
    await consumer.connect()
    assert.equal(consumer.isConnected(), true)
    const seen: Array<[string, string]> = []
    const done = deferred()
    consumer.registerHandler<DatabaseEvent<User>>(users, async (event, context: MessageContext) => {
      seen.push([event.op, event.after.email])
      assert.equal(context.attempt, 1)
      assert.equal(context.key, 'u1')
    })
    consumer.registerHandler<string>(sessions, async (raw) => {
      seen.push(['raw', raw])
      done.resolve()
    })
    assert.deepEqual(consumer.getRegisteredTopics(), [users, sessions])
    assert.equal(consumer.hasHandler(users), true)
    assert.equal(consumer.hasHandler('nope'), false)
    assert.equal(consumer.isRunningHandlers(), false)
    await consumer.startWithHandlers()
    assert.equal(consumer.isRunningHandlers(), true)
    await done.promise
    await eventually(() => seen.length === 4, 10_000, 'four messages')
    assert.deepEqual(seen.filter(([op]) => op !== 'raw'), [['c', 'a@x'], ['u', 'b@x'], ['d', 'c@x']])
    assert.deepEqual(seen.find(([op]) => op === 'raw'), ['raw', 'not json'])
    await eventually(async () => Object.values(await committed(broker, consumer.groupId, users)).includes('3'), 10_000, 'commit of offset 3')
    await consumer.disconnect()
    assert.equal(consumer.isConnected(), false)
    assert.equal(consumer.isRunningHandlers(), false)
    consumer.clearHandlers()
    assert.deepEqual(consumer.getRegisteredTopics(), [])
  })

  test('subscribe + run (kafkajs eachMessage payload) and runTyped', async () => {
    const topic = uniqueTopic('events')
    await producer.send(topic, [{ key: 'k', value: JSON.stringify({ n: 1 }), headers: { h: 'v' } }, { key: 'k', value: JSON.stringify({ n: 2 }) }])
    const consumer = manager.createConsumer('run', { groupId: uniqueTopic('g'), fromBeginning: false })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const payloads: EachMessagePayload[] = []
    await consumer.run({ eachMessage: async (payload) => { payloads.push(payload) } })
    await eventually(() => payloads.length === 2, 10_000, 'two payloads')
    assert.deepEqual(payloads.map((p) => [p.topic, p.message.offset, p.message.key?.toString(), p.message.value?.toString()]), [
      [topic, '0', 'k', '{"n":1}'], [topic, '1', 'k', '{"n":2}']
    ])
    assert.equal(payloads[0]!.message.headers.h?.toString(), 'v')
    await payloads[0]!.heartbeat()
    await consumer.stop()

    const typed = manager.createConsumer('typed', { groupId: uniqueTopic('g') })
    await typed.connect()
    await typed.subscribe({ topics: [topic], fromBeginning: true })
    const values: number[] = []
    await typed.runTyped<{ n: number }>(async (message, payload) => { values.push(message.n + Number(payload.message.offset) * 10) })
    await eventually(() => values.length === 2, 10_000, 'typed values')
    assert.deepEqual(values, [1, 12])
    await typed.disconnect()
    await consumer.disconnect()
  })

  test('misuse: no handler, no subscription, duplicate names, running twice', async () => {
    const consumer = manager.createConsumer('misuse', { groupId: uniqueTopic('g') })
    await assert.rejects(consumer.startWithHandlers(), { code: 'SAMSA_CLIENT_NO_HANDLER' })
    await assert.rejects(consumer.run(async () => {}), { code: 'SAMSA_CLIENT_NOT_CONNECTED' })
    await consumer.connect()
    await assert.rejects(consumer.run(async () => {}), { code: 'SAMSA_CLIENT_CONFIG' })
    assert.throws(() => manager.createConsumer('misuse', { groupId: 'x' }), { code: 'SAMSA_CLIENT_STATE' })
    assert.throws(() => manager.createConsumer('nogroup', { groupId: '' }), { code: 'SAMSA_CLIENT_CONFIG' })
    const topic = uniqueTopic('twice')
    await consumer.subscribe({ topic })
    await consumer.run(async () => {})
    await assert.rejects(consumer.run(async () => {}), { code: 'SAMSA_CLIENT_STATE' })
    assert.equal(manager.getConsumer('misuse'), consumer)
    await consumer.disconnect()
  })
})
