import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Consumer } from 'kafkajs'
import type { TestBroker } from '../../src/index.js'
import { kafkajs, startGroupBroker, type Member, type Position } from './group-support.js'
import { runChurnScenario } from './churn.js'

/**
 * kafkajs 2.2.4 consumer.run with eachMessage: the churn scenario with in-process members (each its own client
 * and connections), kafkajs' own RoundRobinAssigner protocol, auto-commit after each batch and on disconnect.
 */
class KafkajsMember implements Member {
  readonly consumed: Position[] = []
  joined = false
  private constructor (readonly name: string, private readonly consumer: Consumer) {}

  static async start (bootstrap: string, name: string, groupId: string, topic: string): Promise<KafkajsMember> {
    const consumer = kafkajs(bootstrap, `samsa-groups-kafkajs-${name}`).consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 100, rebalanceTimeout: 10_000, maxWaitTimeInMs: 100 })
    const member = new KafkajsMember(name, consumer)
    consumer.on(consumer.events.GROUP_JOIN, () => { member.joined = true })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ partition, message }) => { member.consumed.push({ partition, offset: Number(message.offset) }) }
    })
    return member
  }

  async assigned (): Promise<void> {
    while (!this.joined) await sleep(20)
  }

  async stop (): Promise<void> {
    await this.consumer.disconnect()
  }
}

describe('consumer groups: kafkajs', () => {
  let broker: TestBroker
  before(async () => { broker = await startGroupBroker() })
  after(async () => { await broker?.close() })

  test('three members with joins and leaves mid-stream; commits survive a restart and the group resumes from them', async (t) => {
    const { generations, firstPhaseMs } = await runChurnScenario({
      broker, groupId: 'kjs-churn', topic: 'kjs-churn',
      start: async (name) => await KafkajsMember.start(broker.bootstrap, name, 'kjs-churn', 'kjs-churn'),
      assigned: async (m) => await (m as KafkajsMember).assigned()
    })
    t.diagnostic(`first phase ${firstPhaseMs} ms; generations ${JSON.stringify(generations)}; versions ${JSON.stringify(broker.recorder.summary(/kafkajs-/))}`)

  })
})
