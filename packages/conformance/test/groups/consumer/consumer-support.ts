import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Partitioners } from 'kafkajs'
import { ConsumerGroupDescribeApi, decodeResponse, encodeRequest, type ResponseOf } from '@samsa/protocol'
import { TestBroker } from '../../../src/index.js'
import { committedOffsets, createTopic, kafkajs, PARTITIONS, produceRound, waitForCoverage, type Member, type Position } from '../group-support.js'

/**
 * Shared machinery of the KIP-848 conformance tests: a broker with fast consumer-group heartbeats, a watcher that
 * polls ConsumerGroupDescribe and checks from the broker's side that no partition is in two members' current
 * assignments, a checker of client-side ownership intervals, and the churn scenario every client runs.
 */
export const HEARTBEAT_MS = 200
export const SESSION_MS = 3000

export async function startConsumerGroupBroker (extra: string[] = []): Promise<TestBroker> {
  return await TestBroker.start({
    args: [
      '--num-partitions', String(PARTITIONS), '--set', 'group.initial.rebalance.delay.ms=0', '--set', 'group.min.session.timeout.ms=100',
      '--set', `group.consumer.heartbeat.interval.ms=${HEARTBEAT_MS}`, '--set', `group.consumer.session.timeout.ms=${SESSION_MS}`, ...extra
    ]
  })
}

type Described = ResponseOf<typeof ConsumerGroupDescribeApi>['groups'][number]

/** ConsumerGroupDescribe over one raw connection (the clients under test do not speak it). */
export class GroupDescriber {
  private buffered = Buffer.alloc(0)
  private waiter: ((frame: Buffer) => void) | null = null
  private correlationId = 0
  private constructor (private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      if (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const frame = this.buffered.subarray(4, 4 + this.buffered.readInt32BE(0))
        this.buffered = this.buffered.subarray(4 + frame.length)
        const waiter = this.waiter
        this.waiter = null
        waiter?.(frame)
      }
    })
    socket.on('error', () => {})
  }

  static async connect (bootstrap: string): Promise<GroupDescriber> {
    const [host, port] = bootstrap.split(':')
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: host!, port: Number(port) }, () => resolve(s))
      s.once('error', reject)
    })
    return new GroupDescriber(socket)
  }

  async describe (groupId: string): Promise<Described> {
    const id = ++this.correlationId
    const frame = new Promise<Buffer>((resolve) => { this.waiter = resolve })
    this.socket.write(Buffer.concat(encodeRequest(ConsumerGroupDescribeApi, 0, id, 'samsa-kip848-watcher', { groupIds: [groupId], includeAuthorizedOperations: false })))
    return decodeResponse(ConsumerGroupDescribeApi, 0, await frame).body.groups[0]!
  }

  close (): void { this.socket.destroy() }
}

/**
 * Polls ConsumerGroupDescribe while a scenario runs: in every snapshot the members' current assignments must be
 * pairwise disjoint. Records the states and the largest membership seen.
 */
export class OwnershipWatcher {
  snapshots = 0
  maxMembers = 0
  readonly states = new Set<string>()
  readonly violations: string[] = []
  private running = true
  private readonly loop: Promise<void>

  constructor (private readonly describer: GroupDescriber, private readonly groupId: string) {
    this.loop = this.run()
  }

  private async run (): Promise<void> {
    while (this.running) {
      try {
        const group = await this.describer.describe(this.groupId)
        if (group.errorCode === 0) {
          this.snapshots += 1
          this.states.add(group.groupState)
          this.maxMembers = Math.max(this.maxMembers, group.members.length)
          const owner = new Map<string, string>()
          for (const member of group.members) {
            for (const { topicName, partitions } of member.assignment.topicPartitions) {
              for (const partition of partitions) {
                const key = `${topicName}-${partition}`
                const other = owner.get(key)
                if (other !== undefined) this.violations.push(`epoch ${group.groupEpoch}: ${key} assigned to ${other} and ${member.memberId}`)
                owner.set(key, member.memberId)
              }
            }
          }
        }
      } catch {}
      await sleep(20)
    }
  }

  async stop (): Promise<void> {
    this.running = false
    await this.loop
    this.describer.close()
    assert.deepEqual(this.violations, [], 'no partition in two members\' current assignments')
    assert.ok(this.snapshots > 0, 'the group was described')
  }
}

/** Incremental ownership events of a client: partitions gained or given up at a wall-clock time. */
export interface OwnershipEvent { member: string, t: number, kind: 'gain' | 'lose', partitions: number[] }

/** Client-side check: per partition, one owner's interval ends before (or when) the next one's begins. */
export function assertNoOverlap (events: OwnershipEvent[], endOf: (member: string) => number): void {
  const byPartition = new Map<number, Array<{ member: string, start: number, end: number }>>()
  const open = new Map<string, number>()
  for (const event of [...events].sort((a, b) => a.t - b.t)) {
    for (const partition of event.partitions) {
      const key = `${event.member}/${partition}`
      if (event.kind === 'gain') open.set(key, event.t)
      else if (open.has(key)) {
        const list = byPartition.get(partition) ?? []
        list.push({ member: event.member, start: open.get(key)!, end: event.t })
        byPartition.set(partition, list)
        open.delete(key)
      }
    }
  }
  for (const [key, start] of open) {
    const [member, partition] = key.split('/') as [string, string]
    const list = byPartition.get(Number(partition)) ?? []
    list.push({ member, start, end: endOf(member) })
    byPartition.set(Number(partition), list)
  }
  const problems: string[] = []
  for (const [partition, intervals] of byPartition) {
    intervals.sort((a, b) => a.start - b.start)
    for (let i = 1; i < intervals.length; i++) {
      const previous = intervals[i - 1]!
      const current = intervals[i]!
      if (current.start < previous.end) problems.push(`partition ${partition}: ${previous.member} [${previous.start}, ${previous.end}] overlaps ${current.member} from ${current.start}`)
    }
  }
  assert.deepEqual(problems, [], 'no partition owned by two members at the same time')
}

export interface ConsumerChurnOptions {
  broker: TestBroker
  groupId: string
  topic: string
  start: (name: string) => Promise<Member>
  assigned: (member: Member) => Promise<void>
}

/**
 * Issue 4's scenario on the consumer protocol: a 12-partition topic, members A and B, C joining and A leaving
 * while records are produced; every record consumed at least once and no partition in two members' assignments.
 * The remaining members stop (committing), the broker restarts on its data directory, the committed offsets are
 * still there, and a new member resumes from them.
 */
export async function runConsumerChurn ({ broker, groupId, topic, start, assigned }: ConsumerChurnOptions): Promise<{ firstPhaseMs: number, maxMembers: number, states: string[] }> {
  const kafka = kafkajs(broker.bootstrap, 'samsa-kip848-orchestrator')
  const admin = kafka.admin()
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await admin.connect()
  await producer.connect()
  try {
    await createTopic(admin, topic)
    const started = Date.now()
    const written: Position[] = await produceRound(producer, topic, 20, 'before')
    const watcher = new OwnershipWatcher(await GroupDescriber.connect(broker.bootstrap), groupId)
    const a = await start('A')
    const b = await start('B')
    await Promise.all([assigned(a), assigned(b)])
    written.push(...await produceRound(producer, topic, 10, 'round-1'))
    const c = await start('C')
    written.push(...await produceRound(producer, topic, 10, 'round-2'))
    await assigned(c)
    await a.stop()
    written.push(...await produceRound(producer, topic, 10, 'round-3'))
    await waitForCoverage(written, [a, b, c])
    await Promise.all([b.stop(), c.stop()])
    await watcher.stop()
    const firstPhaseMs = Date.now() - started
    assert.ok(watcher.maxMembers >= 3, `three members at once (saw ${watcher.maxMembers})`)

    const ends = new Array<number>(PARTITIONS).fill(0)
    for (const { partition, offset } of written) ends[partition] = Math.max(ends[partition]!, offset + 1)
    assert.deepEqual(await committedOffsets(admin, groupId, topic), ends, 'everything consumed was committed')
    await producer.disconnect()
    await admin.disconnect()

    await broker.broker.restart()
    await admin.connect()
    await producer.connect()
    assert.deepEqual(await committedOffsets(admin, groupId, topic), ends, 'commits survive a broker restart')
    const later = await produceRound(producer, topic, 5, 'after-restart')
    const d = await start('D')
    await waitForCoverage(later, [d])
    await sleep(300)
    await d.stop()
    const below = d.consumed.filter(({ partition, offset }) => offset < ends[partition]!)
    assert.deepEqual(below.slice(0, 5), [], `the group resumed from its committed offsets (${below.length} re-read)`)
    return { firstPhaseMs, maxMembers: watcher.maxMembers, states: [...watcher.states] }
  } finally {
    await producer.disconnect().catch(() => {})
    await admin.disconnect().catch(() => {})
  }
}
