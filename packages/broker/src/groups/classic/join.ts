import { randomUUID } from 'node:crypto'
import { ErrorCode } from '@samsa/protocol'
import { CONSUMER_PROTOCOL_TYPE, subscribedTopics } from '../consumer-protocol.js'
import type { ClassicGroup } from './classic-group.js'
import { ClassicMember, joinError, type JoinResult, type MemberProtocol } from './classic-member.js'
import { NEW_MEMBER_JOIN_TIMEOUT_MS, type ClassicRebalance } from './rebalance.js'

/**
 * JoinGroup on a classic group, after the coordinator validated the group id and session timeout and found or
 * created the group. Kafka's paths:
 * - unknown member (memberId ""): static members take over their instance id (no rebalance in a Stable group
 *   whose protocol choice is unchanged); dynamic members get MEMBER_ID_REQUIRED first from v4 on, older versions
 *   join directly;
 * - known member: joins the rebalance in progress, gets the current generation back when nothing changed, or
 *   triggers a rebalance (the leader rejoining always does, so clients can force one).
 * The result is delivered when the join phase completes; errors are answered at once.
 */
export interface JoinRequest {
  memberId: string
  groupInstanceId: string | null
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: MemberProtocol[]
  clientId: string
  clientHost: string
  /** JoinGroup v4+ without an instance id: a new member must come back with the id it is given. */
  requireKnownMemberId: boolean
  /** JoinGroup v9+: a rejoining static leader may be told to skip computing an assignment. */
  supportsSkipAssignment: boolean
  reason: string | null
}

export function joinClassicGroup (rebalance: ClassicRebalance, group: ClassicGroup, request: JoinRequest, maxSize: number): Promise<JoinResult> {
  return new Promise<JoinResult>((resolve) => {
    let answered = false
    const answer = (result: JoinResult): void => {
      if (answered) return
      answered = true
      resolve(result)
    }
    if (!acceptsJoiningMember(group, request.memberId, maxSize)) {
      group.remove(request.memberId)
      answer(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED))
    } else if (request.memberId === '') {
      joinNewMember(rebalance, group, request, answer)
    } else {
      joinKnownMember(rebalance, group, request, answer)
    }
    if (group.is('PreparingRebalance')) rebalance.tryCompleteJoin(group)
  })
}

/** group.max.size: new members are counted against members awaiting the join (rebalancing) or all members. */
function acceptsJoiningMember (group: ClassicGroup, memberId: string, maxSize: number): boolean {
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return true
    case 'PreparingRebalance':
      return group.members.get(memberId)?.isAwaitingJoin === true || group.numAwaitingJoin < maxSize
    default:
      return group.members.has(memberId) || group.size < maxSize
  }
}

function describeReason (request: JoinRequest): string {
  return request.reason !== null && request.reason !== '' ? `; client reason: ${request.reason}` : ''
}

function joinNewMember (rebalance: ClassicRebalance, group: ClassicGroup, request: JoinRequest, answer: (result: JoinResult) => void): void {
  if (group.isDead) return answer(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE))
  if (!group.supportsProtocols(request.protocolType, request.protocols.map((protocol) => protocol.name))) return answer(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL))
  const newMemberId = `${request.groupInstanceId ?? request.clientId}-${randomUUID()}`
  if (request.groupInstanceId !== null) {
    const existing = group.staticMemberId(request.groupInstanceId)
    if (existing !== undefined) return replaceStaticMember(rebalance, group, request, existing, newMemberId, answer)
    return addMemberAndRebalance(rebalance, group, request, newMemberId, answer)
  }
  if (request.requireKnownMemberId) {
    rebalance.addPendingMember(group, newMemberId, request.sessionTimeoutMs)
    return answer(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED))
  }
  addMemberAndRebalance(rebalance, group, request, newMemberId, answer)
}

function joinKnownMember (rebalance: ClassicRebalance, group: ClassicGroup, request: JoinRequest, answer: (result: JoinResult) => void): void {
  const { memberId, groupInstanceId } = request
  if (group.isDead) return answer(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE))
  if (!group.supportsProtocols(request.protocolType, request.protocols.map((protocol) => protocol.name))) return answer(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL))
  if (group.pendingMembers.has(memberId)) {
    // The second JoinGroup of the MEMBER_ID_REQUIRED handshake (pending members are never static).
    if (groupInstanceId !== null) return answer(joinError(memberId, ErrorCode.INVALID_REQUEST))
    return addMemberAndRebalance(rebalance, group, request, memberId, answer)
  }
  if (group.isStaticMemberFenced(groupInstanceId, memberId)) return answer(joinError(memberId, ErrorCode.FENCED_INSTANCE_ID))
  const member = group.members.get(memberId)
  if (member === undefined || (groupInstanceId !== null && group.staticMemberId(groupInstanceId) === undefined)) {
    return answer(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID))
  }
  const currentGeneration = (): JoinResult => ({
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leaderId: group.leaderId ?? '',
    memberId,
    skipAssignment: false,
    members: group.isLeader(memberId) ? group.currentMemberMetadata() : []
  })
  const rejoin = (why: string): void => {
    group.updateMember(member, request.protocols, request.rebalanceTimeoutMs, request.sessionTimeoutMs, answer)
    rebalance.maybePrepareRebalance(group, `${why}${describeReason(request)}`)
  }
  switch (group.state) {
    case 'PreparingRebalance':
      return rejoin(`member ${memberId} joining during PreparingRebalance`)
    case 'CompletingRebalance':
      // Same metadata: it probably missed the JoinGroup answer, so it gets the same answer again.
      if (member.matches(request.protocols)) return answer(currentGeneration())
      return rejoin(`member ${memberId} changed its metadata during CompletingRebalance`)
    case 'Stable':
      if (group.isLeader(memberId)) return rejoin(`leader ${memberId} rejoining`)
      if (!member.matches(request.protocols)) return rejoin(`member ${memberId} changed its metadata`)
      return answer(currentGeneration())
    default:
      // Empty or Dead with the member still listed cannot happen; let it start over.
      return answer(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID))
  }
}

function addMemberAndRebalance (rebalance: ClassicRebalance, group: ClassicGroup, request: JoinRequest, memberId: string, answer: (result: JoinResult) => void): void {
  const member = new ClassicMember({
    memberId,
    groupInstanceId: request.groupInstanceId,
    clientId: request.clientId,
    clientHost: request.clientHost,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    sessionTimeoutMs: request.sessionTimeoutMs,
    protocolType: request.protocolType,
    protocols: request.protocols
  })
  member.isNew = true
  // A member arriving during the first rebalance extends the initial delay.
  if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true
  group.add(member, answer)
  // A new member cannot heartbeat before it has an id, and a client that gave up on a long rebalance retries with
  // a new JoinGroup: bound how long a held new member may linger.
  rebalance.heartbeat(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS)
  rebalance.maybePrepareRebalance(group, `adding member ${memberId}${describeReason(request)}`)
}

/** A static member rejoined with an unknown member id: it takes over its identity under a new id. */
function replaceStaticMember (rebalance: ClassicRebalance, group: ClassicGroup, request: JoinRequest, oldMemberId: string, newMemberId: string, answer: (result: JoinResult) => void): void {
  const instanceId = request.groupInstanceId!
  const previousLeader = group.leaderId ?? ''
  const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId)
  rebalance.heartbeat(group, member)
  const previousProtocols = member.protocols
  group.updateMember(member, request.protocols, request.rebalanceTimeoutMs, request.sessionTimeoutMs, answer)
  switch (group.state) {
    case 'Stable': {
      if (group.protocolName !== group.selectProtocol() || subscriptionChanged(group, previousProtocols, request.protocols)) {
        return rebalance.maybePrepareRebalance(group, `static member ${instanceId} rejoined with different metadata`)
      }
      // Nothing changed for the assignment: keep the generation, persist the new member id, give back the old
      // assignment through SyncGroup. Without skipAssignment (v9) the old leader id is returned so that a
      // rejoining leader does not compute an assignment that a Stable group would never distribute.
      const generation = group.generationId
      const assignments = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment]))
      rebalance.env.persist(group, assignments).then(() => {
        if (group.members.get(newMemberId) !== member || !group.is('Stable') || group.generationId !== generation) return
        const isLeader = group.isLeader(newMemberId)
        group.answerJoin(member, {
          errorCode: ErrorCode.NONE,
          generationId: group.generationId,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          leaderId: request.supportsSkipAssignment ? group.leaderId ?? '' : previousLeader,
          memberId: newMemberId,
          skipAssignment: request.supportsSkipAssignment && isLeader,
          members: request.supportsSkipAssignment && isLeader ? group.currentMemberMetadata() : []
        })
      }, (error: Error) => {
        rebalance.env.logger.error(`group ${group.groupId}: cannot persist static member ${instanceId}: ${error.message}`)
        group.answerJoin(member, joinError(newMemberId, ErrorCode.COORDINATOR_NOT_AVAILABLE))
      })
      return
    }
    case 'CompletingRebalance':
      return rebalance.maybePrepareRebalance(group, `static member ${instanceId} rejoined during CompletingRebalance`)
    default:
      // PreparingRebalance: it now awaits the join phase like everyone else.
  }
}

/**
 * Kafka only checks that the protocol choice is unchanged. For the "consumer" protocol we also compare the
 * subscribed topics, so that a static member restarted with a new subscription is not left unassigned; owned
 * partitions and user data may differ after a restart without forcing a rebalance.
 */
function subscriptionChanged (group: ClassicGroup, before: MemberProtocol[], after: MemberProtocol[]): boolean {
  if (group.protocolType !== CONSUMER_PROTOCOL_TYPE) return false
  const protocol = group.protocolName
  const topicsOf = (protocols: MemberProtocol[]): string | null => {
    const metadata = protocols.find((candidate) => candidate.name === protocol)?.metadata
    const topics = metadata === undefined ? null : subscribedTopics(metadata)
    return topics === null ? null : [...new Set(topics)].sort().join('\u0000')
  }
  return topicsOf(before) !== topicsOf(after)
}
