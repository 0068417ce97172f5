import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { z } from 'zod'
import {
  BusinessRuleError, DLT_HEADERS, DeadLetterQueue, HEALTHCARE_HEADERS, RETRY_HEADERS, REPLAYED_FROM_HEADER, TransientError,
  readNumber, topic as defineTopic, type KafkaProducer, type TopicPartition
} from '../src/index.js'
import { eventually, startBroker, testManager, uniqueTopic, type TestBroker } from './helpers.js'

describe('retries, retry topics, dead letters and replay against samsa', () => {
  let broker: TestBroker
  let manager: ReturnType<typeof testManager>
  let producer: KafkaProducer
  let dlq: DeadLetterQueue

  before(async () => {
    broker = await startBroker({ 'num.partitions': '2' })
    manager = testManager(broker)
    producer = manager.createProducer('main')
    await producer.connect()
    dlq = new DeadLetterQueue(manager)
  })
  after(async () => {
    await dlq?.close()
    await manager?.disconnectAll()
    await broker?.stop()
  })

  test('transient errors are retried in-process with backoff; success on the third try sends nothing anywhere', async () => {
    const topic = uniqueTopic('flaky')
    await producer.send(topic, [{ key: 'k', value: '"payload"' }])
    const consumer = manager.createConsumer('flaky', { groupId: uniqueTopic('g'), fromBeginning: true, retry: { attempts: 3, backoff: { initialMs: 40, multiplier: 2, jitter: 0 } } })
    await consumer.connect()
    const tries: Array<{ attempt: number, at: number }> = []
    consumer.registerHandler<string>(topic, async (_value, context) => {
      tries.push({ attempt: context.attempt, at: Date.now() })
      if (context.attempt < 3) throw new TransientError('upstream timed out')
    })
    await consumer.startWithHandlers()
    await eventually(() => tries.length === 3, 10_000, 'three tries')
    assert.deepEqual(tries.map((t) => t.attempt), [1, 2, 3])
    assert.ok(tries[1]!.at - tries[0]!.at >= 38 && tries[2]!.at - tries[1]!.at >= 78, 'backoff of 40 then 80 ms (timers may fire a millisecond early)')
    await consumer.disconnect()
    assert.deepEqual(await dlq.list(topic), [])
    const failures = await manager.registry.getSingleMetric('kafka_message_failures_total')!.get()
    assert.equal(failures.values.find((v) => v.labels.topic === topic)?.value, 2)
    assert.equal(failures.values.find((v) => v.labels.topic === topic)?.labels.error_type, 'transient-error')
  })

  test('a business-rule error skips retries and lands in <topic>-dlt with Spring-compatible headers', async () => {
    const topic = uniqueTopic('rules')
    const [sent] = await producer.send(topic, [{ key: 'order-7', value: '{"amount":-5}', headers: { 'x-request-id': 'r-1' }, timestamp: 1_700_000_000_000 }])
    const groupId = uniqueTopic('g')
    const consumer = manager.createConsumer('rules', { groupId, fromBeginning: true, retry: { attempts: 5, backoff: { initialMs: 10 } } })
    await consumer.connect()
    let calls = 0
    consumer.registerHandler<{ amount: number }>(topic, async (order) => {
      calls++
      if (order.amount < 0) throw new BusinessRuleError('amount must be positive')
    })
    await consumer.startWithHandlers()
    const [letter] = await eventually(async () => { const l = await dlq.list(topic); return l.length === 1 ? l : undefined }, 10_000, 'a dead letter')
    await consumer.disconnect()
    assert.equal(calls, 1)
    assert.equal(letter!.topic, `${topic}-dlt`)
    assert.equal(letter!.partition, sent!.partition, 'same partition number as the original')
    assert.equal(letter!.key!.toString(), 'order-7')
    assert.equal(letter!.value!.toString(), '{"amount":-5}')
    const h = letter!.headers
    assert.equal(h[DLT_HEADERS.originalTopic]!.toString(), topic)
    assert.equal(h[DLT_HEADERS.originalPartition]!.toString('hex'), sent!.partition.toString(16).padStart(8, '0'))
    assert.equal(h[DLT_HEADERS.originalOffset]!.toString('hex'), '0000000000000000')
    assert.equal(h[DLT_HEADERS.originalTimestamp]!.readBigInt64BE(0), 1_700_000_000_000n)
    assert.equal(h[DLT_HEADERS.originalTimestampType]!.toString(), 'CreateTime')
    assert.equal(h[DLT_HEADERS.originalConsumerGroup]!.toString(), groupId)
    assert.equal(h[DLT_HEADERS.exceptionFqcn]!.toString(), 'BusinessRuleError')
    assert.equal(h[DLT_HEADERS.exceptionMessage]!.toString(), 'amount must be positive')
    assert.match(h[DLT_HEADERS.exceptionStacktrace]!.toString(), /^BusinessRuleError: amount must be positive\n {4}at /)
    assert.equal(h[RETRY_HEADERS.attempts]!.readInt32BE(0), 1)
    assert.equal(h[HEALTHCARE_HEADERS.errorType]!.toString(), 'business-rule')
    assert.equal(h[HEALTHCARE_HEADERS.attemptCount]!.toString(), '1')
    assert.equal(h['x-request-id']!.toString(), 'r-1', 'application headers are kept')
    assert.deepEqual({ ...letter, headers: undefined, stacktrace: undefined, timestamp: undefined }, {
      topic: `${topic}-dlt`, partition: sent!.partition, offset: '0', key: letter!.key, value: letter!.value, headers: undefined, timestamp: undefined, stacktrace: undefined,
      originalTopic: topic, originalPartition: sent!.partition, originalOffset: '0', originalTimestamp: '1700000000000', consumerGroup: groupId,
      errorType: 'business-rule', exceptionClass: 'BusinessRuleError', exceptionMessage: 'amount must be positive', attempts: 1
    })
  })

  test('retry topics: <topic>-retry-0 and -retry-1 wait for their due time with the partition paused, then the DLT', async () => {
    const topic = uniqueTopic('payments')
    await producer.send(topic, [{ key: 'p-1', value: '"charge"', partition: 1 }])
    const consumer = manager.createConsumer('payments', {
      groupId: uniqueTopic('g'), fromBeginning: true,
      retry: { attempts: 2, backoff: { initialMs: 20, jitter: 0 }, topics: [400, 800] }
    })
    await consumer.connect()
    const deliveries: Array<{ topic: string, attempt: number, at: number, due?: number, paused: Array<TopicPartition & { reasons: string[] }> }> = []
    const pausedWhileWaiting: string[] = []
    consumer.registerHandler<string>(topic, async (_value, context) => {
      const due = context.headers[RETRY_HEADERS.backoffTimestamp]
      deliveries.push({ topic: context.topic, attempt: context.attempt, at: Date.now(), ...(due !== undefined ? { due: Number(readNumber(due, 'biginteger')) } : {}), paused: consumer.paused() })
      throw new TransientError('gateway unavailable')
    })
    const probe = setInterval(() => { for (const p of consumer.paused()) pausedWhileWaiting.push(`${p.topic}/${p.partition}`) }, 20)
    await consumer.startWithHandlers()
    const [letter] = await eventually(async () => { const l = await dlq.list(topic); return l.length === 1 ? l : undefined }, 15_000, 'the dead letter')
    clearInterval(probe)
    await consumer.disconnect()
    // Main topic: 2 in-process tries; each retry topic: 1 try.
    assert.deepEqual(deliveries.map((d) => d.attempt), [1, 2, 3, 4])
    assert.equal(deliveries[2]!.due !== undefined && deliveries[2]!.at >= deliveries[2]!.due, true, 'retry-0 not before its due time')
    assert.equal(deliveries[3]!.due !== undefined && deliveries[3]!.at >= deliveries[3]!.due, true, 'retry-1 not before its due time')
    assert.ok(deliveries[2]!.due! - deliveries[1]!.at >= 390 && deliveries[3]!.due! - deliveries[2]!.at >= 790, 'due = forward time + stage delay')
    assert.ok(pausedWhileWaiting.includes(`${topic}-retry-0/1`), 'retry-0 partition paused while waiting')
    assert.ok(pausedWhileWaiting.includes(`${topic}-retry-1/1`), 'retry-1 partition paused while waiting')
    assert.equal(letter!.originalTopic, topic, 'the original coordinates name the main topic')
    assert.equal(letter!.originalPartition, 1)
    assert.equal(letter!.attempts, 4)
    assert.equal(letter!.errorType, 'transient-error')
    const retries = await manager.registry.getSingleMetric('kafka_retry_messages_total')!.get()
    assert.deepEqual(retries.values.filter((v) => v.labels.topic === topic).map((v) => [v.labels.retry_topic, v.value]), [[`${topic}-retry-0`, 1], [`${topic}-retry-1`, 1]])
    const dead = await manager.registry.getSingleMetric('kafka_dlq_messages_total')!.get()
    assert.equal(dead.values.find((v) => v.labels.topic === topic)?.value, 1)
  })

  test('typed descriptor with a zod schema: invalid messages are dead-lettered as schema-validation, valid ones handled', async () => {
    const OrderCreated = z.object({ orderId: z.string(), amount: z.number().positive() })
    const orders = defineTopic(uniqueTopic('orders.created')).schema(OrderCreated).key((m) => m.orderId).version(2)
    await producer.publish(orders, [{ orderId: 'o-1', amount: 10 }, { orderId: 'o-2', amount: 20 }])
    await assert.rejects(producer.publish(orders, { orderId: 'o-3', amount: -1 }), { code: 'SAMSA_CLIENT_VALIDATION' })
    await producer.send(orders.name, [{ key: 'o-4', value: JSON.stringify({ orderId: 'o-4' }) }, { key: 'o-5', value: '{broken' }])
    const consumer = manager.createConsumer('orders', { groupId: uniqueTopic('g'), fromBeginning: true })
    await consumer.connect()
    const handled: Array<{ orderId: string, amount: number, version: string | undefined }> = []
    consumer.handle(orders, async (order, context) => { handled.push({ ...order, version: context.headers['schema-version']?.toString() }) })
    await consumer.startWithHandlers()
    const letters = await eventually(async () => { const l = await dlq.list(orders.name); return l.length === 2 ? l : undefined }, 10_000, 'two dead letters')
    await consumer.disconnect()
    assert.deepEqual(handled.sort((a, b) => a.orderId.localeCompare(b.orderId)), [{ orderId: 'o-1', amount: 10, version: '2' }, { orderId: 'o-2', amount: 20, version: '2' }])
    assert.deepEqual(letters.map((l) => [l.key!.toString(), l.errorType, l.exceptionClass, l.attempts]).sort(), [
      ['o-4', 'schema-validation', 'ValidationError', 1], ['o-5', 'schema-validation', 'ValidationError', 1]
    ])
  })

  test('DLQ API: list with a filter, inspect one, replay to the original topic where a fixed handler takes it', async () => {
    const topic = uniqueTopic('claims')
    await producer.send(topic, [
      { key: 'c-1', value: '{"kind":"rule"}', headers: { tenant: 'acme' } },
      { key: 'c-2', value: '{"kind":"crash"}' },
      { key: 'c-3', value: '{"kind":"rule"}' }
    ].map((m) => ({ ...m, partition: 0 })))
    let fixed = false
    const processed: string[] = []
    const consumer = manager.createConsumer('claims', { groupId: uniqueTopic('g'), fromBeginning: true, retry: { attempts: 1 } })
    await consumer.connect()
    consumer.registerHandler<{ kind: string }>(topic, async (claim, context) => {
      if (!fixed && claim.kind === 'rule') throw new BusinessRuleError(`claim ${context.key} breaks a rule`)
      if (!fixed) throw new Error('null pointer')
      processed.push(`${context.key}:${context.headers[REPLAYED_FROM_HEADER]?.toString() ?? ''}:${context.headers.tenant?.toString() ?? ''}`)
    })
    await consumer.startWithHandlers()
    await eventually(async () => (await dlq.list(topic)).length === 3, 10_000, 'three dead letters')
    const rules = await dlq.list(topic, { filter: (l) => l.errorType === 'business-rule' })
    assert.deepEqual(rules.map((l) => [l.key!.toString(), l.offset, l.exceptionMessage]), [['c-1', '0', 'claim c-1 breaks a rule'], ['c-3', '2', 'claim c-3 breaks a rule']])
    const system = await dlq.list(`${topic}-dlt`, { filter: (l) => l.errorType === 'system-error' })
    assert.deepEqual(system.map((l) => [l.key!.toString(), l.exceptionClass, l.exceptionMessage]), [['c-2', 'Error', 'null pointer']])
    const inspected = await dlq.inspect(topic, 0, 1)
    assert.equal(inspected?.key?.toString(), 'c-2')
    assert.equal(await dlq.inspect(topic, 0, 99), undefined)
    assert.equal((await dlq.list(topic, { limit: 2 })).length, 2)

    fixed = true
    const { replayed, results } = await dlq.replay(topic, { filter: (l) => l.errorType === 'business-rule' })
    assert.deepEqual(replayed.map((l) => l.key!.toString()), ['c-1', 'c-3'])
    assert.deepEqual(results.map((r) => r.topicName), [topic, topic])
    await eventually(() => processed.length === 2, 10_000, 'replayed claims processed')
    assert.deepEqual(processed.sort(), [`c-1:${topic}-dlt/0/0:acme`, `c-3:${topic}-dlt/0/2:`])
    assert.equal((await dlq.list(topic)).length, 3, 'the DLT is a log: replay does not remove letters')
    await consumer.disconnect()
  })
})
