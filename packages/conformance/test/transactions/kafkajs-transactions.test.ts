import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs'
import { TestBroker } from '../../src/index.js'
import { InProcessBroker, uniqueName } from './txn-support.js'

/**
 * kafkajs 2.2.4: producer.transaction() with send + sendOffsets + commit, and abort; what a read_committed and a
 * read_uncommitted consumer group see; group offsets from sendOffsets visible (admin.fetchOffsets) only after the
 * commit; zombie fencing by a second producer with the same transactionalId; and an idempotent producer whose
 * produce response the broker drops once (fault hook) — the retry must not duplicate.
 */
function kafka (bootstrap: string, retries = 5): Kafka {
  return new Kafka({ clientId: 'samsa-txn-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries, initialRetryTime: 50 } })
}

async function consumeAll (client: Kafka, topic: string, expected: number, readUncommitted: boolean): Promise<string[]> {
  const consumer = client.consumer({ groupId: uniqueName('kjs-reader'), readUncommitted, maxWaitTimeInMs: 100 })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const seen: string[] = []
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 8000) // read_committed never reaches `expected` if aborted data leaked; stop anyway
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen.push(`${partition}:${message.value?.toString() ?? ''}`)
        if (seen.length >= expected) { clearTimeout(timer); setTimeout(resolve, 300) } // a little longer: catch extras
      }
    })
  })
  await consumer.disconnect()
  return seen.sort()
}

describe('kafkajs 2.2.4 transactions', () => {
  let broker: TestBroker
  let client: Kafka
  let admin: Admin
  let producer: Producer
  before(async () => {
    broker = await TestBroker.start({ args: ['--num-partitions', '2'] })
    client = kafka(broker.bootstrap)
    admin = client.admin()
    await admin.connect()
    producer = client.producer({ transactionalId: uniqueName('kjs-tid'), idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
  })
  after(async () => {
    await producer?.disconnect()
    await admin?.disconnect()
    await broker?.close()
  })

  test('commit with sendOffsets, then abort: consumers and committed group offsets see only the commit', async () => {
    const out = uniqueName('kjs-out')
    const source = uniqueName('kjs-src')
    const group = uniqueName('kjs-ctp-group')
    await admin.createTopics({ topics: [{ topic: out, numPartitions: 2 }, { topic: source, numPartitions: 1 }] })

    const committed = await producer.transaction()
    await committed.send({ topic: out, messages: [{ value: 'c1', partition: 0 }, { value: 'c2', partition: 1 }] })
    await committed.sendOffsets({ consumerGroupId: group, topics: [{ topic: source, partitions: [{ partition: 0, offset: '17' }] }] })
    const before = await admin.fetchOffsets({ groupId: group, topics: [source] })
    assert.equal(before[0]!.partitions[0]!.offset, '-1', 'offsets invisible before the commit')
    await committed.commit()
    const after = await admin.fetchOffsets({ groupId: group, topics: [source] })
    assert.equal(after[0]!.partitions[0]!.offset, '17')

    const aborted = await producer.transaction()
    await aborted.send({ topic: out, messages: [{ value: 'x1', partition: 0 }, { value: 'x2', partition: 1 }] })
    await aborted.sendOffsets({ consumerGroupId: group, topics: [{ topic: source, partitions: [{ partition: 0, offset: '99' }] }] })
    await aborted.abort()
    assert.equal((await admin.fetchOffsets({ groupId: group, topics: [source] }))[0]!.partitions[0]!.offset, '17', 'aborted offsets dropped')

    const last = await producer.transaction()
    await last.send({ topic: out, messages: [{ value: 'c3', partition: 0 }] })
    await last.commit()

    assert.deepEqual(await consumeAll(client, out, 3, false), ['0:c1', '0:c3', '1:c2'])
    assert.deepEqual(await consumeAll(client, out, 5, true), ['0:c1', '0:c3', '0:x1', '1:c2', '1:x2'])
  })

  test('a second producer with the same transactionalId fences the first; its open transaction is aborted', async () => {
    const out = uniqueName('kjs-fence')
    await admin.createTopics({ topics: [{ topic: out, numPartitions: 1 }] })
    const transactionalId = uniqueName('kjs-zombie')
    const zombie = kafka(broker.bootstrap, 1).producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
    await zombie.connect()
    const open = await zombie.transaction()
    await open.send({ topic: out, messages: [{ value: 'zombie', partition: 0 }] })
    const successor = kafka(broker.bootstrap).producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
    await successor.connect()
    const txn = await successor.transaction() // kafkajs sends InitProducerId here, not in connect()
    await assert.rejects(open.commit(), (error: { type?: string, name?: string }) => /FENCED|EPOCH/.test(`${error.type ?? ''} ${error.name ?? ''}`), 'the zombie cannot commit')
    await txn.send({ topic: out, messages: [{ value: 'successor', partition: 0 }] })
    await txn.commit()
    await zombie.disconnect().catch(() => {})
    await successor.disconnect()
    assert.deepEqual(await consumeAll(client, out, 1, false), ['0:successor'])
  })
})

describe('kafkajs 2.2.4 idempotent producer', () => {
  let broker: InProcessBroker
  before(async () => { broker = await InProcessBroker.start() })
  after(async () => { await broker?.close() })

  test('a dropped produce response is retried on a new connection without duplicating the records', async () => {
    const topic = uniqueName('kjs-idem')
    const client = kafka(broker.bootstrap)
    const admin = client.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    await admin.disconnect()
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const dropped = broker.dropProduceResponses(topic, 1)
    const results = []
    for (let i = 0; i < 5; i++) results.push(await producer.send({ topic, acks: -1, messages: [{ value: `idem-${i}-a`, partition: 0 }, { value: `idem-${i}-b`, partition: 0 }] }))
    await producer.disconnect()
    assert.equal(dropped(), 1)
    assert.deepEqual(results.map((r) => r[0]!.baseOffset), ['0', '2', '4', '6', '8'])
    assert.deepEqual(await consumeAll(client, topic, 10, false), Array.from({ length: 5 }, (_, i) => [`0:idem-${i}-a`, `0:idem-${i}-b`]).flat().sort())
  })
})
