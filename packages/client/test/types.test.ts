import assert from 'node:assert/strict'
import { test } from 'node:test'
import { z } from 'zod'
import { KafkaManager, defineTopics, topic, topicMap, type DatabaseEvent, type KafkaConsumer, type KafkaProducer, type MessageOf, type TopicMapOf } from '../src/index.js'

/*
 * Compile-time checks: this file is compiled by `tsc -b`, and every `@ts-expect-error` below must be an error,
 * or the build fails. The runtime part only checks that the descriptors behave as their types say.
 */

const OrderCreated = topic('orders.created').schema(z.object({ orderId: z.string(), amount: z.number() })).key((m) => m.orderId)
const UserDeleted = topic('users.deleted').type<{ userId: string }>()
const registry = defineTopics(OrderCreated, UserDeleted)

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
const assertType = <T extends true>(_: T): void => {}

assertType<Equals<MessageOf<typeof OrderCreated>, { orderId: string, amount: number }>>(true)
assertType<Equals<TopicMapOf<[typeof OrderCreated, typeof UserDeleted]>, { 'orders.created': { orderId: string, amount: number }, 'users.deleted': { userId: string } }>>(true)
assertType<Equals<typeof OrderCreated.name, 'orders.created'>>(true)

// @ts-expect-error the key function only sees the message type
topic('x').schema(z.object({ id: z.string() })).key((m) => m.missing)

function producerChecks (producer: KafkaProducer): void {
  const typed = producer.typed(registry)
  void typed.send('orders.created', { orderId: 'o-1', amount: 1 })
  void typed.send('users.deleted', [{ userId: 'u-1' }, { userId: 'u-2' }])
  // @ts-expect-error unknown topic name
  void typed.send('orders.creatd', { orderId: 'o-1', amount: 1 })
  // @ts-expect-error wrong message type for the topic
  void typed.send('users.deleted', { orderId: 'o-1', amount: 1 })
  // @ts-expect-error missing field
  void typed.send('orders.created', { orderId: 'o-1' })
  void producer.publish(OrderCreated, { orderId: 'o-1', amount: 2 })
  // @ts-expect-error amount must be a number
  void producer.publish(OrderCreated, { orderId: 'o-1', amount: '2' })
  // The reference API stays loose: strings and Buffers.
  void producer.send('anything', [{ key: 'k', value: 'v', headers: { a: 'b' } }])
  // @ts-expect-error send() takes serialized values, not objects (use publish)
  void producer.send('anything', [{ value: { not: 'serialized' } }])
}

function consumerChecks (consumer: KafkaConsumer): void {
  consumer.typed(registry).handle('orders.created', async (order) => {
    const amount: number = order.amount
    void amount
    // @ts-expect-error no such field on OrderCreated
    void order.userId
  })
  // @ts-expect-error unknown topic
  consumer.typed(registry).handle('nope', async () => {})
  consumer.handle(UserDeleted, async (event, context) => { void event.userId; void context.partition })
  consumer.registerHandler<DatabaseEvent<{ id: string, email: string }>>('auth.public.users', async (event) => {
    const email: string = event.after.email
    void email
    // @ts-expect-error before may be null
    void event.before.email
    // @ts-expect-error op is c | u | d | r
    if (event.op === 'x') return
  })
}

interface Topics { 'audit.log': { actor: string, action: string } }
function mapStyleChecks (producer: KafkaProducer): void {
  const typed = producer.typed(topicMap<Topics>())
  void typed.send('audit.log', { actor: 'a', action: 'b' })
  // @ts-expect-error action is missing
  void typed.send('audit.log', { actor: 'a' })
}

test('typed descriptors encode, key and validate at runtime as their types promise', () => {
  void [producerChecks, consumerChecks, mapStyleChecks, KafkaManager]
  assert.deepEqual(registry.names(), ['orders.created', 'users.deleted'])
  const encoded = OrderCreated.encode({ orderId: 'o-9', amount: 3 })
  assert.deepEqual({ ...encoded, value: encoded.value.toString() }, { key: 'o-9', value: '{"orderId":"o-9","amount":3}', headers: {} })
  assert.deepEqual(OrderCreated.decode(Buffer.from('{"orderId":"o-9","amount":3,"extra":1}')), { orderId: 'o-9', amount: 3 })
  assert.throws(() => OrderCreated.decode(Buffer.from('{"orderId":1}')), { code: 'SAMSA_CLIENT_VALIDATION' })
  assert.throws(() => OrderCreated.decode(Buffer.from('not json')), { code: 'SAMSA_CLIENT_VALIDATION' })
  assert.deepEqual(UserDeleted.decode(Buffer.from('{"userId":"u"}')), { userId: 'u' })
  assert.equal(topicMap<Topics>().get('audit.log').name, 'audit.log')
  assert.throws(() => defineTopics(OrderCreated, OrderCreated), { code: 'SAMSA_CLIENT_CONFIG' })
})
