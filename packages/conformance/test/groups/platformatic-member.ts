import { setTimeout as sleep } from 'node:timers/promises'
import { Consumer, type MessagesStream } from '@platformatic/kafka'
import type { Member, Position } from './group-support.js'

/**
 * A member of a classic-protocol group on @platformatic/kafka (only the "roundrobin" assignor, flexible
 * JoinGroup/SyncGroup versions), consuming from the committed offsets with autocommit after each fetch and on close.
 */
export class PlatformaticMember implements Member {
  readonly consumed: Position[] = []
  joined = false
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined
  private constructor (readonly name: string, private readonly consumer: Consumer) {}

  /** The client id is `${clientIdPrefix}${name}`, so a test can pick its clients' requests out of the recorder. */
  static async start (bootstrap: string, name: string, groupId: string, topic: string, clientIdPrefix: string): Promise<PlatformaticMember> {
    const consumer = new Consumer({
      clientId: `${clientIdPrefix}${name}`, bootstrapBrokers: [bootstrap], groupId,
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
