import { assignmentOf, EMPTY_ASSIGNMENT, hasPartition, stillOwnsAny, type Assignment, type TopicPartitions } from './assignment.js'
import type { ConsumerMember } from './consumer-member.js'

/**
 * The reconciliation engine of the consumer group protocol (Kafka's CurrentAssignmentBuilder): moves one member
 * from its current assignment towards the target assignment, one safe step per heartbeat.
 *
 * Safety: a partition is handed to a member only when no member owns it — neither in its assigned partitions nor
 * in its partitions pending revocation (`ownerEpoch` answers -1). A member that must give partitions up keeps its
 * epoch and waits in unrevoked-partitions until its heartbeat no longer lists them as owned; only then are they
 * released for others. So a partition is never owned by two members at the same time.
 */
export interface ReconcileInput {
  targetEpoch: number
  target: Assignment
  /** Epoch of the member currently owning the partition, -1 when nobody does. */
  ownerEpoch: (topicId: string, partition: number) => number
  /** What the member reports owning in this heartbeat; null when it did not say. */
  owned: readonly TopicPartitions[] | null
}

export function reconcile (member: ConsumerMember, input: ReconcileInput): ConsumerMember {
  switch (member.state) {
    case 'stable':
      return member.memberEpoch === input.targetEpoch ? member : nextAssignment(member, input)
    case 'unrevoked-partitions':
      // Still holding partitions it was asked to give up: no progress until it reports them released.
      if (stillOwnsAny(input.owned, member.pendingRevocation)) return member
      return nextAssignment(member, input)
    case 'unreleased-partitions':
      return nextAssignment(member, input)
  }
}

function nextAssignment (member: ConsumerMember, { targetEpoch, target, ownerEpoch, owned }: ReconcileInput): ConsumerMember {
  const assigned: Array<[string, number[]]> = []
  const revoking: Array<[string, number[]]> = []
  const adding: Array<[string, number[]]> = []
  let unreleased = false
  const topicIds = new Set([...target.keys(), ...member.assigned.keys()])
  for (const topicId of topicIds) {
    const wanted = target.get(topicId) ?? new Set<number>()
    const current = member.assigned.get(topicId) ?? new Set<number>()
    // Kept: current ∩ target. Revoked: current − target. To add: target − kept, when nobody else owns it.
    assigned.push([topicId, [...current].filter((partition) => wanted.has(partition))])
    revoking.push([topicId, [...current].filter((partition) => !wanted.has(partition))])
    const add: number[] = []
    for (const partition of wanted) {
      if (current.has(partition)) continue
      // Its own partition pending revocation is not held by anybody else: it may simply keep it.
      const free = ownerEpoch(topicId, partition) === -1 || hasPartition(member.pendingRevocation, topicId, partition)
      if (free) add.push(partition)
      else unreleased = true
    }
    adding.push([topicId, add])
  }
  const kept = assignmentOf(assigned)
  const pendingRevocation = assignmentOf(revoking)
  const toAdd = assignmentOf(adding)
  if (pendingRevocation.size > 0 && stillOwnsAny(owned, pendingRevocation)) {
    // Revoke first: same epoch, the new partitions come once the revoked ones are released.
    return { ...member, state: 'unrevoked-partitions', previousMemberEpoch: member.memberEpoch, assigned: kept, pendingRevocation }
  }
  const next = toAdd.size === 0 ? kept : assignmentOf([...kept, ...toAdd].map(([topicId, partitions]) => [topicId, [...partitions]] as const))
  return {
    ...member,
    state: unreleased ? 'unreleased-partitions' : 'stable',
    previousMemberEpoch: member.memberEpoch,
    memberEpoch: targetEpoch,
    assigned: next,
    pendingRevocation: EMPTY_ASSIGNMENT
  }
}
