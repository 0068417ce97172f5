import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Admin, Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import { TestBroker } from '../../src/index.js'
import { InProcessBroker, uniqueName } from './txn-support.js'

/**
 * @platformatic/kafka: beginTransaction() → send → commit / abort, read back by its own consumer with
 * isolationLevel 1 (read_committed, its default) and 0 (read_uncommitted); and its idempotent producer with one
 * produce response dropped by the broker (fault hook): the retry must not duplicate.
 */
async function createTopics (bootstrap: string, topics: string[], partitions: number): Promise<void> {
  const admin = new Admin({ clientId: 'samsa-txn-admin', bootstrapBrokers: [bootstrap] })
  try {
    await admin.createTopics({ topics, partitions, replicas: 1 })
  } finally {
    await admin.close()
  }
}

async function readAll (bootstrap: string, topic: string, isolationLevel: 0 | 1, expected: number): Promise<string[]> {
  const consumer = new Consumer({ clientId: 'samsa-txn-reader', groupId: uniqueName('plt-reader'), bootstrapBrokers: [bootstrap], deserializers: stringDeserializers, isolationLevel, maxWaitTime: 100 })
  const seen: string[] = []
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest' })
    const timer = setTimeout(() => { void stream.close() }, 8000)
    for await (const message of stream) {
      seen.push(`${message.partition}:${message.value}`)
      if (seen.length >= expected) {
        clearTimeout(timer)
        setTimeout(() => { void stream.close() }, 300) // a little longer, to catch records that should not be there
      }
    }
  } finally {
    await consumer.close(true)
  }
  return seen.sort()
}

describe('@platformatic/kafka transactions', () => {
  let broker: TestBroker
  before(async () => { broker = await TestBroker.start({ args: ['--num-partitions', '2'] }) })
  after(async () => { await broker?.close() })

  test('commit, abort, commit: read_committed sees the committed records, read_uncommitted all of them', async () => {
    const topic = uniqueName('plt-txn')
    await createTopics(broker.bootstrap, [topic], 2)
    const producer = new Producer({ clientId: 'samsa-txn-plt', bootstrapBrokers: [broker.bootstrap], idempotent: true, transactionalId: uniqueName('plt-tid'), serializers: stringSerializers })
    try {
      const first = await producer.beginTransaction()
      await first.send({ messages: [{ topic, value: 'c1', partition: 0 }, { topic, value: 'c2', partition: 1 }] })
      await first.commit()
      const second = await producer.beginTransaction()
      await second.send({ messages: [{ topic, value: 'x1', partition: 0 }, { topic, value: 'x2', partition: 1 }] })
      await second.abort()
      const third = await producer.beginTransaction()
      await third.send({ messages: [{ topic, value: 'c3', partition: 1 }] })
      await third.commit()
    } finally {
      await producer.close()
    }
    assert.deepEqual(await readAll(broker.bootstrap, topic, 1, 3), ['0:c1', '1:c2', '1:c3'])
    assert.deepEqual(await readAll(broker.bootstrap, topic, 0, 5), ['0:c1', '0:x1', '1:c2', '1:c3', '1:x2'])
  })
})

describe('@platformatic/kafka idempotent producer', () => {
  let broker: InProcessBroker
  before(async () => { broker = await InProcessBroker.start() })
  after(async () => { await broker?.close() })

  test('a dropped produce response is retried without duplicating the records', async () => {
    const topic = uniqueName('plt-idem')
    await createTopics(broker.bootstrap, [topic], 1)
    const producer = new Producer({ clientId: 'samsa-idem-plt', bootstrapBrokers: [broker.bootstrap], idempotent: true, serializers: stringSerializers, retries: 5, retryDelay: 50 })
    const dropped = broker.dropProduceResponses(topic, 1)
    const offsets: bigint[] = []
    try {
      for (let i = 0; i < 5; i++) {
        const result = await producer.send({ messages: [{ topic, value: `idem-${i}-a`, partition: 0 }, { topic, value: `idem-${i}-b`, partition: 0 }] })
        offsets.push(result.offsets![0]!.offset)
      }
    } finally {
      await producer.close()
    }
    assert.equal(dropped(), 1)
    assert.deepEqual(offsets, [0n, 2n, 4n, 6n, 8n])
    assert.deepEqual(await readAll(broker.bootstrap, topic, 0, 10), Array.from({ length: 5 }, (_, i) => [`0:idem-${i}-a`, `0:idem-${i}-b`]).flat().sort())
  })
})
