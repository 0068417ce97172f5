import { setTimeout as sleep } from 'node:timers/promises'
import { Consumer, type MessagesStream } from '@platformatic/kafka'
import type { Member, Position } from '../group-support.js'

/**
 * A member of a consumer-protocol group on @platformatic/kafka (groupProtocol 'consumer': ConsumerGroupHeartbeat v1,
 * client-made member ids, OffsetCommit/OffsetFetch v9 with member epochs), consuming from the committed offsets
 * with autocommit. `live` lists the started members, so a test can sample what each client holds at one instant.
 */
export class PlatformaticMember implements Member {
  static readonly live = new Set<PlatformaticMember>()
  readonly consumed: Position[] = []
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined
  private constructor (readonly name: string, readonly consumer: Consumer) {}

  static async start (bootstrap: string, name: string, groupId: string, topic: string): Promise<PlatformaticMember> {
    const consumer = new Consumer({
      clientId: `samsa-kip848-platformatic-${name}`, bootstrapBrokers: [bootstrap], groupId, groupProtocol: 'consumer',
      maxWaitTime: 100, autocommit: true
    })
    const member = new PlatformaticMember(name, consumer)
    PlatformaticMember.live.add(member)
    member.stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: true, maxWaitTime: 100 })
    member.stream.on('data', (message) => { member.consumed.push({ partition: message.partition, offset: Number(message.offset) }) })
    member.stream.on('error', () => {})
    return member
  }

  /** Partitions this client holds right now, as "topic-partition". */
  held (): string[] {
    return (this.consumer.assignments ?? []).flatMap(({ topic, partitions }) => partitions.map((partition) => `${topic}-${partition}`))
  }

  async assigned (): Promise<void> {
    while (this.held().length === 0) await sleep(20)
  }

  async stop (): Promise<void> {
    await this.stream?.close()
    await this.consumer.close()
    PlatformaticMember.live.delete(this)
  }
}
