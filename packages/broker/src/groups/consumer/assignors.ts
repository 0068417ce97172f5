import { assignmentOf, type Assignment } from './assignment.js'

/**
 * Server-side assignors of the consumer group protocol (group.consumer.assignors; a member may pick one with
 * serverAssignor). Both are our own code following the documented behaviour of Kafka's:
 * - uniform (default): balanced — with identical subscriptions every member gets ⌊P/N⌋ or ⌈P/N⌉ partitions — and
 *   sticky: partitions stay where they are unless balance requires a move;
 * - range: per topic, contiguous ranges to the subscribed members in order (static members by instance id first,
 *   then by member id), the first members getting one extra; co-partitioned when subscriptions and partition
 *   counts are equal. Not sticky, as in Kafka.
 * Only existing topics are described to an assignor; partitions of topics a member does not subscribe to are
 * never given to it.
 */
export interface AssignmentSpec {
  members: ReadonlyArray<{ memberId: string, instanceId: string | null, subscribedTopicIds: ReadonlySet<string> }>
  /** Partition count of every topic some member subscribes to. */
  partitionCounts: ReadonlyMap<string, number>
  /** The current target assignment, for stickiness. */
  previous: ReadonlyMap<string, Assignment>
}

export interface Assignor {
  readonly name: string
  assign: (spec: AssignmentSpec) => Map<string, Assignment>
}

export const ASSIGNOR_NAMES = ['uniform', 'range'] as const

export function assignorNamed (name: string): Assignor | undefined {
  if (name === 'uniform') return uniformAssignor
  if (name === 'range') return rangeAssignor
  return undefined
}

const byMemberId = (a: { memberId: string }, b: { memberId: string }): number => a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0

export const uniformAssignor: Assignor = {
  name: 'uniform',
  assign ({ members, partitionCounts, previous }) {
    const sorted = [...members].sort(byMemberId)
    const owned = new Map<string, Array<[string, number]>>(sorted.map((member) => [member.memberId, []]))
    const taken = new Set<string>()
    const key = (topicId: string, partition: number): string => `${topicId}:${partition}`
    // 1. Stickiness: every member keeps what it had, where still valid.
    for (const member of sorted) {
      for (const [topicId, partitions] of previous.get(member.memberId) ?? []) {
        const count = partitionCounts.get(topicId)
        if (count === undefined || !member.subscribedTopicIds.has(topicId)) continue
        for (const partition of [...partitions].sort((a, b) => a - b)) {
          if (partition >= count || taken.has(key(topicId, partition))) continue
          taken.add(key(topicId, partition))
          owned.get(member.memberId)!.push([topicId, partition])
        }
      }
    }
    const eligible = (topicId: string): typeof sorted => sorted.filter((member) => member.subscribedTopicIds.has(topicId))
    // 2. Every free partition goes to the least loaded member that subscribes to its topic.
    for (const topicId of [...partitionCounts.keys()].sort()) {
      const candidates = eligible(topicId)
      if (candidates.length === 0) continue
      for (let partition = 0; partition < partitionCounts.get(topicId)!; partition++) {
        if (taken.has(key(topicId, partition))) continue
        const receiver = leastLoaded(candidates, owned)
        owned.get(receiver.memberId)!.push([topicId, partition])
        taken.add(key(topicId, partition))
      }
    }
    // 3. Balance: move single partitions from a member to an eligible one holding at least two fewer.
    const limit = taken.size * 2 + 1
    for (let moves = 0; moves < limit; moves++) {
      if (!moveOne(sorted, owned)) break
    }
    return new Map(sorted.map((member) => [member.memberId, assignmentOf(group(owned.get(member.memberId)!))]))
  }
}

function leastLoaded<M extends { memberId: string }> (candidates: readonly M[], owned: Map<string, Array<[string, number]>>): M {
  let best = candidates[0]!
  for (const candidate of candidates) if (owned.get(candidate.memberId)!.length < owned.get(best.memberId)!.length) best = candidate
  return best
}

function moveOne (members: AssignmentSpec['members'], owned: Map<string, Array<[string, number]>>): boolean {
  const load = (memberId: string): number => owned.get(memberId)!.length
  const donors = [...members].sort((a, b) => load(b.memberId) - load(a.memberId) || byMemberId(a, b))
  const receivers = [...members].sort((a, b) => load(a.memberId) - load(b.memberId) || byMemberId(a, b))
  for (const donor of donors) {
    const donated = owned.get(donor.memberId)!
    for (const receiver of receivers) {
      if (load(donor.memberId) - load(receiver.memberId) < 2) break
      // The highest partition the receiver can take moves; the donor keeps its older, lower ones.
      for (let index = donated.length - 1; index >= 0; index--) {
        const [topicId] = donated[index]!
        if (!receiver.subscribedTopicIds.has(topicId)) continue
        owned.get(receiver.memberId)!.push(donated.splice(index, 1)[0]!)
        return true
      }
    }
  }
  return false
}

function group (pairs: ReadonlyArray<[string, number]>): Array<[string, number[]]> {
  const byTopic = new Map<string, number[]>()
  for (const [topicId, partition] of pairs) {
    const list = byTopic.get(topicId) ?? []
    list.push(partition)
    byTopic.set(topicId, list)
  }
  return [...byTopic]
}

export const rangeAssignor: Assignor = {
  name: 'range',
  assign ({ members, partitionCounts }) {
    const sorted = [...members].sort((a, b) => {
      if (a.instanceId !== null && b.instanceId !== null) return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0
      if (a.instanceId !== null) return -1
      if (b.instanceId !== null) return 1
      return byMemberId(a, b)
    })
    const result = new Map<string, Array<[string, number[]]>>(sorted.map((member) => [member.memberId, []]))
    for (const [topicId, count] of partitionCounts) {
      const subscribers = sorted.filter((member) => member.subscribedTopicIds.has(topicId))
      if (subscribers.length === 0) continue
      const quota = Math.floor(count / subscribers.length)
      let extra = count % subscribers.length
      let next = 0
      for (const member of subscribers) {
        const size = quota + (extra > 0 ? 1 : 0)
        if (extra > 0) extra -= 1
        const end = Math.min(next + size, count)
        if (end > next) result.get(member.memberId)!.push([topicId, Array.from({ length: end - next }, (_, i) => next + i)])
        next = end
      }
    }
    return new Map([...result].map(([memberId, entries]) => [memberId, assignmentOf(entries)]))
  }
}
