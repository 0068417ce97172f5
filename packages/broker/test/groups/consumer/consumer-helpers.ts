import assert from 'node:assert/strict'
import { ConsumerGroupDescribeApi, ConsumerGroupHeartbeatApi, ErrorCode, errorName, type ResponseOf } from '@samsa/protocol'
import type { RawClient, TestBroker } from '../../helpers.js'
import { connect, startGroupBroker } from '../group-helpers.js'
import { ConsumerGroup } from '../../../src/groups/consumer/index.js'

/**
 * A raw KIP-848 member for exact protocol tests: it remembers its member id and epoch, and what it owns as a
 * client. A well-behaved member (the default) adopts each assignment it receives at once — giving up revoked
 * partitions before its next heartbeat reports what it owns — which is what real clients do after their
 * revocation callbacks.
 */
export type HeartbeatResponse = ResponseOf<typeof ConsumerGroupHeartbeatApi>

/** Fast sessions for tests: 100 ms heartbeats, 2 s sessions. */
export const FAST_CONSUMER: Record<string, string> = {
  'group.consumer.heartbeat.interval.ms': '100',
  'group.consumer.session.timeout.ms': '2000'
}

export async function startConsumerBroker (t: { after: (fn: () => unknown) => void }, overrides: Record<string, string> = {}, dataDir?: string): Promise<TestBroker> {
  return await startGroupBroker(t, { ...FAST_CONSUMER, ...overrides }, dataDir)
}

export function topicId (server: TestBroker, name: string): string {
  return server.broker.context.topics.get(name)!.id
}

export interface MemberOptions {
  groupId: string
  topics?: string[] | null
  regex?: string | null
  instanceId?: string | null
  serverAssignor?: string | null
  rebalanceTimeoutMs?: number
  version?: number
  /** v1 members make up their id; v0 members get one from the broker. */
  memberId?: string
}

export class Kip848Member {
  memberId: string
  epoch = 0
  /** topic id → partitions this client owns */
  owned = new Map<string, Set<number>>()
  last: HeartbeatResponse | null = null
  /** The latest assignment received and not yet adopted. */
  received: Map<string, Set<number>> | null = null
  private constructor (readonly client: RawClient, readonly options: MemberOptions) {
    this.memberId = options.memberId ?? (options.version === 0 ? '' : `member-${Math.random().toString(36).slice(2, 12)}`)
  }

  static async connect (t: { after: (fn: () => unknown) => void }, server: TestBroker, options: MemberOptions): Promise<Kip848Member> {
    return new Kip848Member(await connect(t, server), options)
  }

  get version (): number { return this.options.version ?? 1 }

  ownedList (): Array<{ topicId: string, partitions: number[] }> {
    return [...this.owned].map(([id, partitions]) => ({ topicId: id, partitions: [...partitions].sort((a, b) => a - b) }))
  }

  ownedCount (): number {
    let count = 0
    for (const partitions of this.owned.values()) count += partitions.size
    return count
  }

  /** Sends one heartbeat; `owned` overrides what it reports (null: report nothing). */
  async send (fields: Record<string, unknown> = {}): Promise<HeartbeatResponse> {
    const joining = this.epoch === 0
    const response = await this.client.request(ConsumerGroupHeartbeatApi, this.version, {
      groupId: this.options.groupId,
      memberId: this.memberId,
      memberEpoch: this.epoch,
      instanceId: this.options.instanceId ?? null,
      rebalanceTimeoutMs: joining ? this.options.rebalanceTimeoutMs ?? 30_000 : -1,
      subscribedTopicNames: joining ? (this.options.topics === undefined ? ['t'] : this.options.topics) : null,
      subscribedTopicRegex: joining ? this.options.regex ?? null : null,
      serverAssignor: this.options.serverAssignor ?? null,
      topicPartitions: joining ? [] : this.ownedList(),
      ...fields
    } as never)
    this.last = response
    if (response.errorCode === ErrorCode.NONE) {
      if (response.memberId !== null) this.memberId = response.memberId
      this.epoch = response.memberEpoch
      if (response.assignment !== null) this.received = new Map(response.assignment.topicPartitions.map((entry) => [entry.topicId, new Set(entry.partitions)]))
    }
    return response
  }

  /**
   * A heartbeat after which the client adopts the latest assignment it was given (revoking what is gone), as a
   * client does once its callbacks ran; `send` alone is a slow member that has not got there yet.
   */
  async heartbeat (fields: Record<string, unknown> = {}): Promise<HeartbeatResponse> {
    const response = await this.send(fields)
    if (this.received !== null) {
      this.owned = this.received
      this.received = null
    }
    if (response.errorCode === ErrorCode.FENCED_MEMBER_EPOCH || response.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.owned.clear()
      this.received = null
      this.epoch = 0
    }
    return response
  }

  async leave (epoch = -1): Promise<HeartbeatResponse> {
    const response = await this.send({ memberEpoch: epoch, topicPartitions: null, subscribedTopicNames: null, rebalanceTimeoutMs: -1 })
    this.owned.clear()
    this.received = null
    if (response.errorCode === ErrorCode.NONE) this.epoch = epoch === -2 ? -2 : 0
    return response
  }

  close (): void {
    this.client.close()
  }
}

export function expectCode (actual: number, expected: number, what = ''): void {
  assert.equal(errorName(actual), errorName(expected), what)
}

/** Heartbeats every member in turn until the group is Stable (or `rounds` pass). */
export async function settle (members: Kip848Member[], group: () => ConsumerGroup, rounds = 20): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const member of members) expectCode((await member.heartbeat()).errorCode, ErrorCode.NONE, `heartbeat of ${member.memberId}`)
    assertDisjoint(members)
    if (group().stateName === 'Stable') return
  }
  throw new Error(`group not Stable after ${rounds} rounds: ${group().stateName}`)
}

/** Members a and b join one group with their first heartbeats (a's, then b's) and settle; b has a's options unless given. */
export async function settledPair (t: { after: (fn: () => unknown) => void }, server: TestBroker, aOptions: MemberOptions, bOptions: MemberOptions = aOptions): Promise<{ a: Kip848Member, b: Kip848Member, group: ConsumerGroup }> {
  const a = await Kip848Member.connect(t, server, aOptions)
  const b = await Kip848Member.connect(t, server, bOptions)
  await a.heartbeat()
  await b.heartbeat()
  const group = consumerGroupOf(server, aOptions.groupId)
  await settle([a, b], () => group)
  return { a, b, group }
}

/** No partition is owned by two clients. */
export function assertDisjoint (members: Kip848Member[]): void {
  const owner = new Map<string, string>()
  for (const member of members) {
    for (const [id, partitions] of member.owned) {
      for (const partition of partitions) {
        const key = `${id}:${partition}`
        assert.equal(owner.get(key), undefined, `partition ${key} owned by ${owner.get(key) ?? ''} and ${member.memberId}`)
        owner.set(key, member.memberId)
      }
    }
  }
}

export function consumerGroupOf (server: TestBroker, groupId: string): ConsumerGroup {
  const group = server.broker.context.groups.get(groupId)
  assert.ok(group instanceof ConsumerGroup, `${groupId} is a consumer group`)
  return group
}

export async function describe (client: RawClient, groupId: string): Promise<ResponseOf<typeof ConsumerGroupDescribeApi>['groups'][number]> {
  const response = await client.request(ConsumerGroupDescribeApi, 0, { groupIds: [groupId], includeAuthorizedOperations: false })
  return response.groups[0]!
}
