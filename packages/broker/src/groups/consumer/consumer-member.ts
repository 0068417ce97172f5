import { EMPTY_ASSIGNMENT, sameAssignment, type Assignment } from './assignment.js'

/**
 * One member of a consumer-protocol group, as Kafka's ConsumerGroupMember: what it subscribes to (from its
 * heartbeats) and where its reconciliation stands. Immutable: every change builds a new value, so the group can
 * compare before and after to decide what to persist and what to answer.
 *
 * Reconciliation states (Kafka's MemberState):
 * - stable: the member has its share of the target assignment of its epoch;
 * - unrevoked-partitions: it must first give up `pendingRevocation` (it stays in its epoch until it reports, in
 *   a heartbeat, that it no longer owns them, or its rebalance timeout fences it);
 * - unreleased-partitions: it is in the target epoch but some of its target partitions are still owned by others.
 */
export type MemberState = 'stable' | 'unrevoked-partitions' | 'unreleased-partitions'

/** Member epochs with a meaning of their own in ConsumerGroupHeartbeat. */
export const JOIN_EPOCH = 0
export const LEAVE_EPOCH = -1
export const STATIC_LEAVE_EPOCH = -2

export interface ConsumerMember {
  readonly memberId: string
  readonly instanceId: string | null
  readonly rackId: string | null
  readonly rebalanceTimeoutMs: number
  readonly clientId: string
  readonly clientHost: string
  /** Sorted, without duplicates. */
  readonly subscribedTopicNames: readonly string[]
  /** RE2-style pattern matched against whole topic names (v1); null when none. */
  readonly subscribedTopicRegex: string | null
  readonly serverAssignor: string | null
  readonly memberEpoch: number
  readonly previousMemberEpoch: number
  readonly state: MemberState
  /** Partitions the member owns (or is being given) in its epoch. */
  readonly assigned: Assignment
  /** Partitions it must give up before it may move to the next epoch. */
  readonly pendingRevocation: Assignment
}

export function newMember (memberId: string): ConsumerMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    serverAssignor: null,
    memberEpoch: 0,
    previousMemberEpoch: -1,
    state: 'stable',
    assigned: EMPTY_ASSIGNMENT,
    pendingRevocation: EMPTY_ASSIGNMENT
  }
}

/** Kafka's isReconciledTo: stable in the target assignment's epoch. */
export function isReconciledTo (member: ConsumerMember, assignmentEpoch: number): boolean {
  return member.state === 'stable' && member.memberEpoch === assignmentEpoch
}

export function sameSubscription (a: ConsumerMember, b: ConsumerMember): boolean {
  return a.subscribedTopicRegex === b.subscribedTopicRegex && a.subscribedTopicNames.length === b.subscribedTopicNames.length &&
    a.subscribedTopicNames.every((name, index) => name === b.subscribedTopicNames[index])
}

/** Nothing that is persisted differs. */
export function sameMember (a: ConsumerMember, b: ConsumerMember): boolean {
  if (a === b) return true
  return a.memberId === b.memberId && a.instanceId === b.instanceId && a.rackId === b.rackId && a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    a.clientId === b.clientId && a.clientHost === b.clientHost && a.serverAssignor === b.serverAssignor && sameSubscription(a, b) &&
    a.memberEpoch === b.memberEpoch && a.previousMemberEpoch === b.previousMemberEpoch && a.state === b.state &&
    sameAssignment(a.assigned, b.assigned) && sameAssignment(a.pendingRevocation, b.pendingRevocation)
}

export function normalizeTopicNames (names: readonly string[]): string[] {
  return [...new Set(names)].sort()
}
