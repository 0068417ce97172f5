import { ErrorCode } from '@samsa/protocol'
import { EMPTY_ASSIGNMENT, ownedIsSubset, sameAssignment, toWire, type TopicPartitions } from './assignment.js'
import type { ConsumerGroup } from './consumer-group.js'
import { isReconciledTo, JOIN_EPOCH, LEAVE_EPOCH, newMember, normalizeTopicNames, sameMember, sameSubscription, STATIC_LEAVE_EPOCH, type ConsumerMember } from './consumer-member.js'
import type { ConsumerRuntime } from './consumer-runtime.js'
import { reconcile } from './reconcile.js'
import { INVALID_REGULAR_EXPRESSION, regexProblem, resolveRegexes, sameMetadata, sameTopicSets, subscriptionMetadata } from './subscriptions.js'

/**
 * ConsumerGroupHeartbeat on a consumer group, in Kafka's order (GroupMetadataManager.consumerGroupHeartbeat):
 * 1. find or create the member — epoch 0 joins (a static member takes over its instance id only after the
 *    previous holder left with epoch -2: UNRELEASED_INSTANCE_ID otherwise); any other epoch must be the member's
 *    (or its previous one, when it owns a subset of its partitions: the answer bumping it may have been lost),
 *    else FENCED_MEMBER_EPOCH;
 * 2. update its subscription; a changed subscription, or subscribed topics that changed, bumps the group epoch;
 * 3. a group epoch ahead of the assignment epoch recomputes the target assignment;
 * 4. reconcile the member towards its target (reconcile.ts) and restart its session timer.
 * The member's assignment is in the answer to a full request (joining, or every field given) or when it changed.
 */
export interface HeartbeatRequest {
  apiVersion: number
  groupId: string
  memberId: string
  memberEpoch: number
  instanceId: string | null
  rackId: string | null
  rebalanceTimeoutMs: number
  subscribedTopicNames: string[] | null
  subscribedTopicRegex: string | null
  serverAssignor: string | null
  topicPartitions: TopicPartitions[] | null
  clientId: string
  clientHost: string
  /** Whether the requester may see a topic (regular expressions only resolve to those). */
  topicVisible: (topic: string) => boolean
}

export interface HeartbeatResult {
  errorCode: number
  errorMessage: string | null
  memberId: string | null
  memberEpoch: number
  heartbeatIntervalMs: number
  assignment: { topicPartitions: TopicPartitions[] } | null
}

export function heartbeatError (errorCode: number, errorMessage: string | null = null): HeartbeatResult {
  return { errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null }
}

/** Kafka's request validation (INVALID_REQUEST, UNSUPPORTED_ASSIGNOR, INVALID_REGULAR_EXPRESSION); null if valid. */
export function validateHeartbeat (request: HeartbeatRequest, assignors: readonly string[]): HeartbeatResult | null {
  const invalid = (message: string): HeartbeatResult => heartbeatError(ErrorCode.INVALID_REQUEST, message)
  if (request.groupId === '') return invalid('GroupId can\'t be empty.')
  if (request.instanceId === '') return invalid('InstanceId can\'t be empty.')
  if (request.rackId === '') return invalid('RackId can\'t be empty.')
  // From v1 the client makes up its member id; v0 members get one from the broker when they join.
  if (request.memberId === '' && (request.apiVersion >= 1 || request.memberEpoch !== JOIN_EPOCH)) return invalid('MemberId can\'t be empty.')
  if (request.memberEpoch === JOIN_EPOCH) {
    if (request.rebalanceTimeoutMs === -1) return invalid('RebalanceTimeoutMs must be provided in first request.')
    if (request.topicPartitions === null || request.topicPartitions.length > 0) return invalid('TopicPartitions must be empty when (re-)joining.')
    if (request.subscribedTopicNames === null && request.subscribedTopicRegex === null) return invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.')
  } else if (request.memberEpoch === STATIC_LEAVE_EPOCH) {
    if (request.instanceId === null) return invalid('InstanceId can\'t be null.')
  } else if (request.memberEpoch < STATIC_LEAVE_EPOCH) {
    return invalid('MemberEpoch is invalid.')
  }
  if (request.serverAssignor !== null && !assignors.includes(request.serverAssignor)) {
    return heartbeatError(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${request.serverAssignor} is not supported. Supported assignors: ${assignors.join(', ')}.`)
  }
  if (request.subscribedTopicRegex !== null && request.subscribedTopicRegex !== '') {
    const problem = regexProblem(request.subscribedTopicRegex)
    if (problem !== null) return heartbeatError(INVALID_REGULAR_EXPRESSION, problem)
  }
  return null
}

/** A member's epoch in a heartbeat (Kafka's throwIfConsumerGroupMemberEpochIsInvalid); null when acceptable. */
function fencedEpoch (member: ConsumerMember, epoch: number, owned: TopicPartitions[] | null): HeartbeatResult | null {
  if (epoch > member.memberEpoch || (epoch < member.memberEpoch && (epoch !== member.previousMemberEpoch || !ownedIsSubset(owned, member.assigned)))) {
    return heartbeatError(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a ${epoch > member.memberEpoch ? 'greater' : 'smaller'} member epoch (${epoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`)
  }
  return null
}

export async function heartbeatConsumerGroup (runtime: ConsumerRuntime, group: ConsumerGroup, request: HeartbeatRequest): Promise<HeartbeatResult> {
  const joining = request.memberEpoch === JOIN_EPOCH
  const { maxSize } = runtime.settings
  if (group.size >= maxSize && (request.memberId === '' || !group.members.has(request.memberId))) {
    return heartbeatError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${maxSize} members.`)
  }
  const memberId = request.memberId !== '' ? request.memberId : runtime.newMemberId()
  // 1. The member as it stands (or a blank one), and the static member it replaces, if any.
  let member: ConsumerMember
  let replaced: ConsumerMember | undefined
  if (request.instanceId === null) {
    const existing = group.members.get(memberId)
    if (existing === undefined) {
      if (!joining) return heartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${group.groupId}.`)
      member = newMember(memberId)
    } else {
      const fenced = fencedEpoch(existing, request.memberEpoch, request.topicPartitions)
      if (fenced !== null) return fenced
      member = existing
    }
  } else {
    const existing = group.staticMember(request.instanceId)
    if (joining) {
      if (existing === undefined) {
        member = group.members.get(memberId) ?? newMember(memberId)
      } else {
        if (existing.memberEpoch !== STATIC_LEAVE_EPOCH) {
          return heartbeatError(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${memberId} with instance id ${request.instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`)
        }
        replaced = existing
        member = { ...existing, memberId, memberEpoch: 0, previousMemberEpoch: 0 }
      }
    } else {
      if (existing === undefined) return heartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${request.instanceId} is unknown.`)
      if (existing.memberId !== memberId) return heartbeatError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${request.instanceId} was fenced by member ${existing.memberId}.`)
      const fenced = fencedEpoch(existing, request.memberEpoch, request.topicPartitions)
      if (fenced !== null) return fenced
      member = existing
    }
  }
  const isNew = !group.members.has(memberId) || replaced !== undefined

  // 2. Subscription and group epoch. From here on the request succeeds: state changes are applied.
  const updated: ConsumerMember = {
    ...member,
    instanceId: request.instanceId ?? member.instanceId,
    rackId: request.rackId ?? member.rackId,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs !== -1 ? request.rebalanceTimeoutMs : member.rebalanceTimeoutMs,
    serverAssignor: request.serverAssignor ?? member.serverAssignor,
    subscribedTopicNames: request.subscribedTopicNames !== null ? normalizeTopicNames(request.subscribedTopicNames) : member.subscribedTopicNames,
    subscribedTopicRegex: request.subscribedTopicRegex !== null ? (request.subscribedTopicRegex === '' ? null : request.subscribedTopicRegex) : member.subscribedTopicRegex,
    clientId: request.clientId,
    clientHost: request.clientHost
  }
  if (replaced !== undefined) {
    // The new instance inherits the old one's partitions and target: no rebalance for a static restart.
    const inherited = group.target(replaced.memberId)
    runtime.cancelTimers(group, replaced.memberId)
    group.removeMember(replaced.memberId)
    group.setMemberTarget(memberId, inherited)
    runtime.env.logger.info(`group ${group.groupId}: static member ${request.instanceId ?? ''} rejoined as ${memberId}, replacing ${replaced.memberId}`)
  } else if (isNew) {
    runtime.env.logger.info(`group ${group.groupId}: member ${memberId} joins${request.instanceId !== null ? ` (static, instance ${request.instanceId})` : ''}`)
  }
  group.putMember(updated)
  const epochBefore = group.groupEpoch
  const patterns = new Set([...group.members.values()].map((m) => m.subscribedTopicRegex).filter((pattern) => pattern !== null))
  const resolved = patterns.size === 0 ? new Map<string, ReadonlySet<string>>() : resolveRegexes(patterns, runtime.env.topics, request.topicVisible)
  const regexesChanged = !sameTopicSets(resolved, group.resolvedRegexes)
  group.resolvedRegexes = resolved
  const metadata = subscriptionMetadata(group.subscribedTopicNames(), runtime.env.topics)
  const metadataChanged = !sameMetadata(metadata, group.metadata)
  group.metadata = metadata
  if (!sameSubscription(member, updated) || regexesChanged || metadataChanged) {
    runtime.bumpEpoch(group, !sameSubscription(member, updated) ? `member ${memberId} subscribed to ${describeSubscription(updated)}` : 'subscribed topics changed')
  }

  // 3. A new target assignment for a new group epoch.
  if (group.groupEpoch > group.assignmentEpoch) runtime.computeTargetAssignment(group)

  // 4. Reconciliation.
  let next = updated
  if (!isReconciledTo(updated, group.assignmentEpoch)) {
    next = reconcile(updated, {
      targetEpoch: group.assignmentEpoch,
      target: group.target(memberId),
      ownerEpoch: (topicId, partition) => group.ownerEpoch(topicId, partition),
      owned: request.topicPartitions
    })
    if (next !== updated) {
      group.putMember(next)
      runtime.updateRebalanceTimer(group, next)
    }
  }
  runtime.touchSession(group, memberId)

  const full = joining || (request.rebalanceTimeoutMs !== -1 && (request.subscribedTopicNames !== null || request.subscribedTopicRegex !== null) && request.topicPartitions !== null)
  const result: HeartbeatResult = {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    memberId,
    memberEpoch: next.memberEpoch,
    heartbeatIntervalMs: runtime.settings.heartbeatIntervalMs,
    assignment: full || !sameAssignment(member.assigned, next.assigned) ? { topicPartitions: toWire(next.assigned) } : null
  }
  if (isNew || group.groupEpoch !== epochBefore || !sameMember(member, next)) {
    try {
      await runtime.persist(group)
    } catch (error) {
      runtime.env.logger.error(`group ${group.groupId}: heartbeat of ${memberId} not durable: ${(error as Error).message}`)
      return heartbeatError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    }
  }
  return result
}

/** Epoch -1 leaves the group; -2 is a static member leaving for a while (it keeps its partitions until its session ends). */
export async function leaveConsumerGroup (runtime: ConsumerRuntime, group: ConsumerGroup, request: HeartbeatRequest): Promise<HeartbeatResult> {
  let member: ConsumerMember | undefined
  if (request.instanceId === null) {
    member = group.members.get(request.memberId)
    if (member === undefined) return heartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${request.memberId} is not a member of group ${group.groupId}.`)
  } else {
    member = group.staticMember(request.instanceId)
    if (member === undefined) return heartbeatError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${request.instanceId} is unknown.`)
    if (member.memberId !== request.memberId) return heartbeatError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${request.memberId} with instance id ${request.instanceId} was fenced by member ${member.memberId}.`)
  }
  let epoch = LEAVE_EPOCH
  if (request.memberEpoch === STATIC_LEAVE_EPOCH && request.instanceId !== null) {
    runtime.env.logger.info(`group ${group.groupId}: static member ${member.memberId} (instance ${request.instanceId}) left temporarily`)
    group.putMember({ ...member, memberEpoch: STATIC_LEAVE_EPOCH, pendingRevocation: EMPTY_ASSIGNMENT })
    epoch = STATIC_LEAVE_EPOCH
  } else {
    runtime.env.logger.info(`group ${group.groupId}: member ${member.memberId} left the group`)
    runtime.fence(group, member.memberId)
  }
  try {
    await runtime.persist(group)
  } catch (error) {
    runtime.env.logger.error(`group ${group.groupId}: leave of ${member.memberId} not durable: ${(error as Error).message}`)
    return heartbeatError(ErrorCode.COORDINATOR_NOT_AVAILABLE)
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, memberId: request.memberId, memberEpoch: epoch, heartbeatIntervalMs: 0, assignment: null }
}

function describeSubscription (member: ConsumerMember): string {
  const names = member.subscribedTopicNames.length > 0 ? member.subscribedTopicNames.join(',') : ''
  const regex = member.subscribedTopicRegex !== null ? `/${member.subscribedTopicRegex}/` : ''
  return [names, regex].filter((part) => part !== '').join(' + ') || 'nothing'
}
