import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Consumer } from 'kafkajs'
import type { TestBroker } from '../../../src/index.js'
import { committedOffsets, connectAdminAndProducer, createTopic, kafkajs, PARTITIONS, produceRound, waitForCoverage, type Member, type Position } from '../group-support.js'
import { startConsumerGroupBroker } from './consumer-support.js'
import { PlatformaticMember } from './platformatic-kip848-member.js'

/**
 * One group id used by both protocols, as Kafka allows: while consumer-protocol members are in the group a classic
 * JoinGroup (kafkajs) is refused with INCONSISTENT_GROUP_PROTOCOL (samsa does not run mixed groups); once the group
 * is empty it becomes a classic group and kafkajs resumes from the committed offsets, and once that one is empty
 * the consumer protocol takes it back, again from the committed offsets.
 */
class KafkajsMember implements Member {
  readonly consumed: Position[] = []
  joined = false
  crash: string | null = null
  private constructor (readonly name: string, private readonly consumer: Consumer) {}

  static async start (bootstrap: string, name: string, groupId: string, topic: string): Promise<KafkajsMember> {
    const consumer = kafkajs(bootstrap, `samsa-kip848-kafkajs-${name}`).consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 100, maxWaitTimeInMs: 100, retry: { retries: 0 } })
    const member = new KafkajsMember(name, consumer)
    consumer.on(consumer.events.GROUP_JOIN, () => { member.joined = true })
    consumer.on(consumer.events.CRASH, (event) => { member.crash = (event.payload.error as { type?: string }).type ?? event.payload.error.message })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ partition, message }) => { member.consumed.push({ partition, offset: Number(message.offset) }) } })
    return member
  }

  async settled (): Promise<void> {
    while (!this.joined && this.crash === null) await sleep(20)
  }

  async stop (): Promise<void> {
    await this.consumer.disconnect()
  }
}

describe('consumer groups: one group id, both protocols', () => {
  let broker: TestBroker
  before(async () => { broker = await startConsumerGroupBroker() })
  after(async () => { await broker?.close() })

  test('classic members are refused while consumer-protocol members are in; empty groups switch protocol and keep their offsets', async () => {
    const topic = 'mixed-kip848'
    const group = 'mixed-kip848'
    const { admin, producer } = await connectAdminAndProducer(broker.bootstrap, 'samsa-kip848-mixed-orchestrator')
    try {
      await createTopic(admin, topic)
      const first = await produceRound(producer, topic, 5, 'first')
      const modern = await PlatformaticMember.start(broker.bootstrap, 'modern', group, topic)
      await waitForCoverage(first, [modern])

      const refused = await KafkajsMember.start(broker.bootstrap, 'refused', group, topic)
      await refused.settled()
      assert.equal(refused.crash, 'INCONSISTENT_GROUP_PROTOCOL')
      await refused.stop().catch(() => {})
      await modern.stop()
      const ends = new Array<number>(PARTITIONS).fill(0)
      for (const { partition, offset } of first) ends[partition] = Math.max(ends[partition]!, offset + 1)
      assert.deepEqual(await committedOffsets(admin, group, topic), ends)

      // Empty: a classic member converts the group and starts from the committed offsets.
      const second = await produceRound(producer, topic, 3, 'second')
      const classic = await KafkajsMember.start(broker.bootstrap, 'classic', group, topic)
      await waitForCoverage(second, [classic])
      await sleep(200)
      assert.deepEqual(classic.consumed.filter(({ partition, offset }) => offset < ends[partition]!), [], 'kafkajs resumed from the commits')
      await classic.stop()
      assert.match(broker.broker.stderr, new RegExp(`group ${group}: empty consumer group converted to a classic group`))

      // Empty again: the consumer protocol takes it back.
      for (const { partition, offset } of second) ends[partition] = Math.max(ends[partition]!, offset + 1)
      const third = await produceRound(producer, topic, 3, 'third')
      const back = await PlatformaticMember.start(broker.bootstrap, 'back', group, topic)
      await waitForCoverage(third, [back])
      await sleep(200)
      assert.deepEqual(back.consumed.filter(({ partition, offset }) => offset < ends[partition]!), [], 'the consumer protocol resumed from the commits')
      await back.stop()
      assert.match(broker.broker.stderr, new RegExp(`group ${group}: empty classic group converted to a consumer group`))
    } finally {
      await producer.disconnect()
      await admin.disconnect()
    }
  })
})
