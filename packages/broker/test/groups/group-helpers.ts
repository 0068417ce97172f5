import assert from 'node:assert/strict'
import { ErrorCode, HeartbeatApi, JoinGroupApi, SyncGroupApi, Writer, errorName, type ResponseOf } from '@samsa/protocol'
import { RawClient, startBroker, type TestBroker } from '../helpers.js'

/** Settings that make group tests fast: no initial delay, session timeouts down to 10 ms allowed. */
export const FAST_GROUPS: Record<string, string> = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '10'
}

export async function startGroupBroker (t: { after: (fn: () => unknown) => void }, overrides: Record<string, string> = {}, dataDir?: string): Promise<TestBroker> {
  const server = await startBroker({ ...FAST_GROUPS, ...overrides }, dataDir)
  t.after(async () => { await server.stop() })
  return server
}

export async function connect (t: { after: (fn: () => unknown) => void }, server: TestBroker): Promise<RawClient> {
  const client = await RawClient.connect(server.port)
  t.after(() => client.close())
  return client
}

export function createTopic (server: TestBroker, name: string, partitions: number): void {
  server.broker.context.topics.create(name, partitions)
}

/** ConsumerProtocolSubscription v0: topics, null user data. */
export function subscription (topics: string[], userData: Buffer | null = null): Buffer {
  const writer = new Writer().int16(0).int32(topics.length)
  for (const topic of topics) writer.string(topic, false)
  return writer.bytes(userData, false).toBuffer()
}

/** ConsumerProtocolAssignment v0. */
export function assignment (partitions: Record<string, number[]>): Buffer {
  const entries = Object.entries(partitions)
  const writer = new Writer().int16(0).int32(entries.length)
  for (const [topic, indexes] of entries) {
    writer.string(topic, false).int32(indexes.length)
    for (const index of indexes) writer.int32(index)
  }
  return writer.bytes(null, false).toBuffer()
}

export function expectError (actual: number, expected: number, what = ''): void {
  assert.equal(errorName(actual), errorName(expected), what)
}

type JoinResponse = ResponseOf<typeof JoinGroupApi>

export interface MemberOptions {
  groupId: string
  topics?: string[]
  protocols?: Array<{ name: string, metadata: Buffer }>
  protocolType?: string
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  groupInstanceId?: string | null
  joinVersion?: number
}

/**
 * A group member speaking the raw protocol on its own connection: join (with the v4+ MEMBER_ID_REQUIRED
 * handshake), sync, heartbeat. The leader's assignment is round-robin over `partitions` of `topics[0]`.
 */
export class RawMember {
  memberId = ''
  generationId = -1
  leaderId = ''
  lastJoin: JoinResponse | null = null
  private constructor (readonly client: RawClient, readonly options: MemberOptions) {}

  static async connect (t: { after: (fn: () => unknown) => void }, server: TestBroker, options: MemberOptions): Promise<RawMember> {
    return new RawMember(await connect(t, server), options)
  }

  get isLeader (): boolean { return this.memberId === this.leaderId }

  joinBody (): Parameters<RawClient['request']>[2] {
    const { options } = this
    return {
      groupId: options.groupId,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 10_000,
      memberId: this.memberId,
      groupInstanceId: options.groupInstanceId ?? null,
      protocolType: options.protocolType ?? 'consumer',
      protocols: options.protocols ?? [{ name: 'range', metadata: subscription(options.topics ?? ['t']) }]
    }
  }

  /** One JoinGroup; remembers the member id / generation it returns. */
  async joinOnce (): Promise<JoinResponse> {
    const response = await this.client.request(JoinGroupApi, this.options.joinVersion ?? 9, this.joinBody() as never)
    this.lastJoin = response
    if (response.memberId !== '') this.memberId = response.memberId
    if (response.errorCode === ErrorCode.NONE) {
      this.generationId = response.generationId
      this.leaderId = response.leader
    }
    if (response.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || response.errorCode === ErrorCode.FENCED_INSTANCE_ID) this.memberId = ''
    return response
  }

  /** Joins until admitted (MEMBER_ID_REQUIRED and REBALANCE_IN_PROGRESS are retried). */
  async join (): Promise<JoinResponse> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const response = await this.joinOnce()
      if (response.errorCode === ErrorCode.MEMBER_ID_REQUIRED || response.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue
      expectError(response.errorCode, ErrorCode.NONE, `join of ${this.memberId}`)
      return response
    }
    throw new Error('could not join')
  }

  /** SyncGroup; the leader assigns partitions 0..n-1 of the first topic round-robin over the members it was given. */
  async sync (partitions = 0): Promise<ResponseOf<typeof SyncGroupApi>> {
    let assignments: Array<{ memberId: string, assignment: Buffer }> = []
    if (this.isLeader && this.lastJoin !== null) {
      const members = this.lastJoin.members.map((member) => member.memberId).sort()
      const topic = (this.options.topics ?? ['t'])[0]!
      assignments = members.map((memberId, index) => ({
        memberId,
        assignment: assignment({ [topic]: Array.from({ length: partitions }, (_, p) => p).filter((p) => p % members.length === index) })
      }))
    }
    return await this.client.request(SyncGroupApi, 5, {
      groupId: this.options.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: this.options.groupInstanceId ?? null,
      protocolType: this.options.protocolType ?? 'consumer',
      protocolName: this.lastJoin?.protocolName ?? null,
      assignments
    })
  }

  async heartbeat (): Promise<number> {
    const response = await this.client.request(HeartbeatApi, 4, { groupId: this.options.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.options.groupInstanceId ?? null })
    return response.errorCode
  }

  /** Join and sync until the sync succeeds (a concurrent rebalance makes it retry). Returns the assignment. */
  async joinAndSync (partitions = 0): Promise<Buffer> {
    for (let attempt = 0; attempt < 20; attempt++) {
      await this.join()
      const synced = await this.sync(partitions)
      if (synced.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || synced.errorCode === ErrorCode.ILLEGAL_GENERATION) continue
      expectError(synced.errorCode, ErrorCode.NONE, `sync of ${this.memberId}`)
      return synced.assignment
    }
    throw new Error('could not sync')
  }

  close (): void {
    this.client.close()
  }
}

/**
 * The usual way to a two-member generation: a forms the group alone (generation 1), b's JoinGroup starts a
 * rebalance, a rejoins 30 ms later and both are admitted to generation 2. Returns [a's, b's] JoinGroup responses;
 * neither has synced yet.
 */
export async function joinSecondMember (a: RawMember, b: RawMember, partitions = 0): Promise<[JoinResponse, JoinResponse]> {
  await a.joinAndSync(partitions)
  const bJoin = b.join()
  await sleep(30)
  return await Promise.all([a.join(), bJoin])
}

/** joinSecondMember, then both sync (the leader assigning `partitions`): a Stable group of two. */
export async function formGroupOfTwo (a: RawMember, b: RawMember, partitions = 0): Promise<void> {
  await joinSecondMember(a, b, partitions)
  await Promise.all([a.sync(partitions), b.sync(partitions)])
}

/** Decodes a ConsumerProtocolAssignment v0 into topic → partitions. */
export function decodeAssignment (blob: Buffer): Record<string, number[]> {
  const result: Record<string, number[]> = {}
  let position = 2
  const count = blob.readInt32BE(position)
  position += 4
  for (let index = 0; index < count; index++) {
    const length = blob.readInt16BE(position)
    const topic = blob.toString('utf8', position + 2, position + 2 + length)
    position += 2 + length
    const partitions: number[] = []
    const n = blob.readInt32BE(position)
    position += 4
    for (let p = 0; p < n; p++) { partitions.push(blob.readInt32BE(position)); position += 4 }
    result[topic] = partitions
  }
  return result
}

export const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually (check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await sleep(10)
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms`)
}
