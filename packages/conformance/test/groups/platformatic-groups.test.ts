import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Consumer, type MessagesStream } from '@platformatic/kafka'
import type { TestBroker } from '../../src/index.js'
import { runChurnScenario, startGroupBroker, type Member, type Position } from './group-support.js'

/**
 * @platformatic/kafka Consumer with the classic group protocol ("roundrobin", flexible JoinGroup/SyncGroup
 * versions): the churn scenario with in-process members, autocommit after each fetch and on close.
 */
class PlatformaticMember implements Member {
  readonly consumed: Position[] = []
  joined = false
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined
  private constructor (readonly name: string, private readonly consumer: Consumer) {}

  static async start (bootstrap: string, name: string, groupId: string, topic: string): Promise<PlatformaticMember> {
    const consumer = new Consumer({
      clientId: `samsa-groups-platformatic-${name}`, bootstrapBrokers: [bootstrap], groupId,
      sessionTimeout: 6000, heartbeatInterval: 100, rebalanceTimeout: 10_000, maxWaitTime: 100, autocommit: true
    })
    const member = new PlatformaticMember(name, consumer)
    consumer.on('consumer:group:join', () => { member.joined = true })
    member.stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: true, maxWaitTime: 100 })
    member.stream.on('data', (message) => { member.consumed.push({ partition: message.partition, offset: Number(message.offset) }) })
    member.stream.on('error', () => {})
    return member
  }

  async assigned (): Promise<void> {
    while (!this.joined) await sleep(20)
  }

  async stop (): Promise<void> {
    await this.stream?.close()
    await this.consumer.close()
  }
}

describe('consumer groups: @platformatic/kafka (classic protocol)', () => {
  let broker: TestBroker
  before(async () => { broker = await startGroupBroker() })
  after(async () => { await broker?.close() })

  test('three members with joins and leaves mid-stream; commits survive a restart and the group resumes from them', async (t) => {
    const { generations, firstPhaseMs } = await runChurnScenario({
      broker, groupId: 'plt-churn', topic: 'plt-churn',
      start: async (name) => await PlatformaticMember.start(broker.bootstrap, name, 'plt-churn', 'plt-churn'),
      assigned: async (m) => await (m as PlatformaticMember).assigned()
    })
    t.diagnostic(`first phase ${firstPhaseMs} ms; generations ${JSON.stringify(generations)}; versions ${JSON.stringify(broker.recorder.summary(/platformatic-/))}`)
  })
})
