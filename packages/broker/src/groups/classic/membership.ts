import { ErrorCode } from '@samsa/protocol'
import type { ClassicGroup } from './classic-group.js'
import { syncError, type SyncResult } from './classic-member.js'
import type { ClassicRebalance } from './rebalance.js'

/**
 * SyncGroup, Heartbeat and LeaveGroup on a classic group, with Kafka's checks in Kafka's order: a dead group
 * sends the client back to FindCoordinator, a fenced static identity beats an unknown member id, which beats a
 * wrong generation, which beats the group's state.
 */
export interface SyncRequest {
  memberId: string
  groupInstanceId: string | null
  generationId: number
  /** v5+: must equal the group's when given. */
  protocolType: string | null
  protocolName: string | null
  assignments: Array<{ memberId: string, assignment: Buffer }>
}

export function syncClassicGroup (rebalance: ClassicRebalance, group: ClassicGroup, request: SyncRequest): Promise<SyncResult> {
  const { memberId, groupInstanceId, generationId } = request
  if (group.isDead) return Promise.resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE))
  if (group.isStaticMemberFenced(groupInstanceId, memberId)) return Promise.resolve(syncError(ErrorCode.FENCED_INSTANCE_ID))
  const member = group.members.get(memberId)
  if (member === undefined) return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
  if (generationId !== group.generationId) return Promise.resolve(syncError(ErrorCode.ILLEGAL_GENERATION))
  if ((request.protocolType !== null && request.protocolType !== group.protocolType) || (request.protocolName !== null && request.protocolName !== group.protocolName)) {
    return Promise.resolve(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL))
  }
  switch (group.state) {
    case 'PreparingRebalance':
      return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
    case 'Stable':
      rebalance.syncReceived(group, memberId)
      rebalance.heartbeat(group, member)
      return Promise.resolve(rebalance.syncSuccess(group, member))
    case 'CompletingRebalance':
      break
    default:
      return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
  }
  return new Promise<SyncResult>((resolve) => {
    // A repeated SyncGroup replaces the held one, which is told to rejoin rather than left hanging.
    member.answerSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
    member.syncWaiter = resolve
    rebalance.syncReceived(group, memberId)
    if (!group.isLeader(memberId)) return
    // Members the leader left out get an empty assignment.
    const assignments = new Map<string, Buffer>()
    for (const entry of request.assignments) if (group.members.has(entry.memberId)) assignments.set(entry.memberId, entry.assignment)
    for (const id of group.members.keys()) if (!assignments.has(id)) assignments.set(id, Buffer.alloc(0))
    rebalance.env.persist(group, assignments).then(() => {
      // Another member may have joined meanwhile: only the same generation, still completing, goes Stable.
      if (group.is('CompletingRebalance') && group.generationId === generationId) rebalance.completeSync(group, assignments)
    }, (error: Error) => {
      rebalance.env.logger.error(`group ${group.groupId}: cannot persist the assignment of generation ${generationId}: ${error.message}`)
      if (group.is('CompletingRebalance') && group.generationId === generationId) {
        rebalance.resetAndPropagateAssignmentError(group, ErrorCode.COORDINATOR_NOT_AVAILABLE)
        rebalance.maybePrepareRebalance(group, 'assignment could not be stored')
      }
    })
  })
}

export function heartbeatClassicGroup (rebalance: ClassicRebalance, group: ClassicGroup, request: { memberId: string, groupInstanceId: string | null, generationId: number }): number {
  if (group.isDead) return ErrorCode.COORDINATOR_NOT_AVAILABLE
  if (group.isStaticMemberFenced(request.groupInstanceId, request.memberId)) return ErrorCode.FENCED_INSTANCE_ID
  const member = group.members.get(request.memberId)
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
  if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
  switch (group.state) {
    case 'CompletingRebalance':
    case 'Stable':
      rebalance.heartbeat(group, member)
      return ErrorCode.NONE
    case 'PreparingRebalance':
      rebalance.heartbeat(group, member)
      return ErrorCode.REBALANCE_IN_PROGRESS
    default:
      return ErrorCode.UNKNOWN_MEMBER_ID
  }
}

export interface LeavingMember { memberId: string, groupInstanceId: string | null, reason: string | null }

/** Per-member error codes, in request order. An empty member id with an instance id removes that static member. */
export function leaveClassicGroup (rebalance: ClassicRebalance, group: ClassicGroup, members: LeavingMember[]): number[] {
  return members.map(({ memberId, groupInstanceId, reason }) => {
    const why = `left the group${reason !== null && reason !== '' ? ` (${reason})` : ''}`
    if (memberId === '') {
      const current = group.staticMemberId(groupInstanceId)
      const member = current === undefined ? undefined : group.members.get(current)
      if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
      rebalance.removeMember(group, member, `static member ${groupInstanceId ?? ''} removed by LeaveGroup`)
      return ErrorCode.NONE
    }
    if (group.pendingMembers.has(memberId)) {
      rebalance.removePendingMember(group, memberId)
      return ErrorCode.NONE
    }
    if (group.isStaticMemberFenced(groupInstanceId, memberId)) return ErrorCode.FENCED_INSTANCE_ID
    const member = group.members.get(memberId)
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    rebalance.removeMember(group, member, why)
    return ErrorCode.NONE
  })
}
