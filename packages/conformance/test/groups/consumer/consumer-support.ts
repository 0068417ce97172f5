import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { ConsumerGroupDescribeApi, KafkaConnection, type ResponseOf } from '@samsa/protocol'
import { TestBroker } from '../../../src/index.js'
import { PARTITIONS } from '../group-support.js'
import { runChurn, type ChurnOptions } from '../churn.js'

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
  private constructor (private readonly connection: KafkaConnection) {}

  static async connect (bootstrap: string): Promise<GroupDescriber> {
    const [host, port] = bootstrap.split(':')
    return new GroupDescriber(await KafkaConnection.open({ host: host!, port: Number(port), clientId: 'samsa-kip848-watcher' }))
  }

  async describe (groupId: string): Promise<Described> {
    const response = await this.connection.request(ConsumerGroupDescribeApi, 0, { groupIds: [groupId], includeAuthorizedOperations: false })
    return response.groups[0]!
  }

  close (): void { this.connection.close() }
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

/** The churn scenario (../churn.ts) on the consumer protocol: ConsumerGroupDescribe watches every snapshot. */
export async function runConsumerChurn (options: ChurnOptions): Promise<{ firstPhaseMs: number, maxMembers: number, states: string[] }> {
  const { firstPhaseMs, firstPhase } = await runChurn({
    ...options,
    orchestratorId: 'samsa-kip848-orchestrator',
    watch: async () => new OwnershipWatcher(await GroupDescriber.connect(options.broker.bootstrap), options.groupId),
    checkFirstPhase: (watcher) => {
      assert.ok(watcher.maxMembers >= 3, `three members at once (saw ${watcher.maxMembers})`)
      return { maxMembers: watcher.maxMembers, states: [...watcher.states] }
    }
  })
  return { firstPhaseMs, ...firstPhase }
}
