import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { SystemError, type KafkaProducer, type TopicPartition } from '../src/index.js'
import { deferred, eventually, startBroker, testManager, uniqueTopic, type TestBroker } from './helpers.js'

describe('handler concurrency, ordering, isolation and liveness', () => {
  let broker: TestBroker
  let manager: ReturnType<typeof testManager>
  let producer: KafkaProducer

  before(async () => {
    broker = await startBroker({ 'num.partitions': '3' })
    manager = testManager(broker)
    producer = manager.createProducer('main')
    await producer.connect()
  })
  after(async () => {
    await manager?.disconnectAll()
    await broker?.stop()
  })

  test('bounded concurrency over partitions, strict order within each partition, everything once', async () => {
    const topic = uniqueTopic('conc')
    for (let partition = 0; partition < 3; partition++) {
      await producer.send(topic, Array.from({ length: 30 }, (_, i) => ({ value: String(i), partition })))
    }
    const consumer = manager.createConsumer('conc', { groupId: uniqueTopic('g'), fromBeginning: true, concurrency: 3 })
    await consumer.connect()
    const seen = new Map<number, number[]>()
    let running = 0
    let maxRunning = 0
    consumer.registerHandler<number>(topic, async (value, context) => {
      running++
      maxRunning = Math.max(maxRunning, running)
      await sleep(2 + (value % 4))
      seen.set(context.partition, [...(seen.get(context.partition) ?? []), value])
      running--
    })
    await consumer.startWithHandlers()
    await eventually(() => [...seen.values()].flat().length === 90, 20_000, '90 records')
    await sleep(100)
    assert.equal([...seen.values()].flat().length, 90)
    for (let partition = 0; partition < 3; partition++) assert.deepEqual(seen.get(partition), Array.from({ length: 30 }, (_, i) => i))
    assert.equal(maxRunning, 3)
    await consumer.disconnect()
  })

  test("ordering 'key': parallel inside one partition, in order per key", async () => {
    const topic = uniqueTopic('keys')
    const keys = ['a', 'b', 'c', 'd']
    await producer.send(topic, Array.from({ length: 40 }, (_, i) => ({ key: keys[i % 4]!, value: String(i), partition: 0 })))
    const consumer = manager.createConsumer('keys', { groupId: uniqueTopic('g'), fromBeginning: true, concurrency: 4, ordering: 'key' })
    await consumer.connect()
    const perKey = new Map<string, number[]>()
    let running = 0
    let maxRunning = 0
    consumer.registerHandler<number>(topic, async (value, context) => {
      running++
      maxRunning = Math.max(maxRunning, running)
      await sleep(5)
      perKey.set(context.key!, [...(perKey.get(context.key!) ?? []), value])
      running--
    })
    await consumer.startWithHandlers()
    await eventually(() => [...perKey.values()].flat().length === 40, 20_000, '40 records')
    for (const [index, key] of keys.entries()) assert.deepEqual(perKey.get(key), Array.from({ length: 10 }, (_, i) => i * 4 + index))
    assert.equal(maxRunning, 4)
    await consumer.disconnect()
  })

  test('a failing handler does not stop other topics; its records are dead-lettered and committed', async () => {
    const bad = uniqueTopic('bad')
    const good = uniqueTopic('good')
    await producer.send(bad, [{ key: 'x', value: '1' }, { key: 'x', value: '2' }])
    await producer.send(good, [{ key: 'y', value: '1' }, { key: 'y', value: '2' }, { key: 'y', value: '3' }])
    const consumer = manager.createConsumer('isolation', { groupId: uniqueTopic('g'), fromBeginning: true, concurrency: 2 })
    await consumer.connect()
    const goodSeen: number[] = []
    const recovered: string[] = []
    consumer.on('recovered', (event: { topic: string, offset: string, recovery: { action: string, topic?: string } }) => { recovered.push(`${event.topic}@${event.offset}->${event.recovery.action}:${event.recovery.topic}`) })
    consumer.registerHandler<number>(bad, async () => { throw new SystemError('database is on fire') })
    consumer.registerHandler<number>(good, async (value) => { goodSeen.push(value) })
    await consumer.startWithHandlers()
    await eventually(() => goodSeen.length === 3 && recovered.length === 2, 15_000, 'good processed, bad recovered')
    assert.deepEqual(goodSeen, [1, 2, 3])
    assert.deepEqual(recovered.sort(), [`${bad}@0->dead-letter:${bad}-dlt`, `${bad}@1->dead-letter:${bad}-dlt`])
    const failures = await manager.registry.getSingleMetric('kafka_message_failures_total')!.get()
    // SystemError is not retryable: one try per record.
    assert.equal(failures.values.find((v) => v.labels.topic === bad && v.labels.error_type === 'system-error')?.value, 2)
    await consumer.disconnect()
  })

  test('a handler slower than the session timeout does not cost the membership (heartbeats run on their own)', async () => {
    const topic = uniqueTopic('slow')
    await producer.send(topic, [{ key: 'k', value: 'slow' }, { key: 'k', value: 'next' }])
    const consumer = manager.createConsumer('slow', { groupId: uniqueTopic('g'), fromBeginning: true, sessionTimeout: 1500, heartbeatInterval: 200, rebalanceTimeout: 3000 })
    await consumer.connect()
    const rebalances: Array<{ assigned: TopicPartition[], revoked: TopicPartition[] }> = []
    consumer.on('rebalance', (event) => rebalances.push(event))
    const started = deferred()
    const values: string[] = []
    consumer.registerHandler<string>(topic, async (value) => {
      if (value === 'slow') {
        started.resolve()
        await sleep(4000)
      }
      values.push(value)
    })
    await consumer.startWithHandlers()
    await started.promise
    const generation = consumer.raw.generationId
    await eventually(() => values.length === 2, 15_000, 'both records')
    assert.deepEqual(values, ['slow', 'next'])
    assert.equal(consumer.raw.generationId, generation)
    assert.equal(rebalances.length, 1)
    assert.deepEqual(rebalances[0]!.revoked, [])
    await consumer.disconnect()
  })

  test('two members split the partitions; every record is processed; leaving hands partitions back', async () => {
    const topic = uniqueTopic('split')
    const groupId = uniqueTopic('g')
    const processed = new Map<string, string>()
    const make = async (name: string) => {
      const consumer = manager.createConsumer(name, { groupId, fromBeginning: true, sessionTimeout: 6000, heartbeatInterval: 200, rebalanceTimeout: 6000 })
      await consumer.connect()
      consumer.registerHandler<string>(topic, async (value, context) => { processed.set(`${context.partition}:${context.offset}`, `${name}:${value}`) })
      await consumer.startWithHandlers()
      return consumer
    }
    await producer.send(topic, [0, 1, 2].map((partition) => ({ value: `before-${partition}`, partition })))
    const first = await make('member-1')
    await eventually(() => processed.size === 3, 10_000, 'first batch')
    const second = await make('member-2')
    await eventually(() => first.assignment().length + second.assignment().length === 3 && second.assignment().length > 0, 15_000, 'a split assignment')
    assert.deepEqual([first.assignment().length, second.assignment().length].sort(), [1, 2])
    await producer.send(topic, [0, 1, 2].map((partition) => ({ value: `after-${partition}`, partition })))
    await eventually(() => processed.size === 6, 10_000, 'second batch')
    const owners = new Set([...processed].filter(([, v]) => v.includes('after')).map(([, v]) => v.split(':')[0]))
    assert.deepEqual([...owners].sort(), ['member-1', 'member-2'])
    await second.disconnect()
    await eventually(() => first.assignment().length === 3, 15_000, 'partitions back to member-1')
    await first.disconnect()
  })
})
