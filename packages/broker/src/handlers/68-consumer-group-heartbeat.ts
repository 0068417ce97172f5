import { ConsumerGroupHeartbeatApi, ErrorCode } from '@samsa/protocol'
import { authorizeFilter } from '../security/authorize.js'
import { groupError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * ConsumerGroupHeartbeat (68), versions 0–1 (flexible; KIP-848, the consumer group protocol).
 * Behavior: join with member epoch 0, heartbeat with the current epoch, leave with -1 (a static member leaves for a
 * while with -2 and keeps its partitions until its session ends). The broker assigns partitions (uniform or range,
 * group.consumer.assignors) and reconciles each member step by step: a partition moves to its new owner only after
 * the previous owner's heartbeats stop listing it. Timeouts are the broker's: group.consumer.session.timeout.ms and
 * group.consumer.heartbeat.interval.ms; the member's rebalance timeout bounds how long it may take to revoke.
 * An empty classic group is converted on the first join; a classic group with members answers GROUP_ID_NOT_FOUND
 * (samsa does not upgrade groups online, docs/differences.md).
 * Errors: INVALID_REQUEST (with Kafka's messages), UNSUPPORTED_ASSIGNOR, GROUP_ID_NOT_FOUND, UNKNOWN_MEMBER_ID,
 * FENCED_MEMBER_EPOCH, UNRELEASED_INSTANCE_ID, FENCED_INSTANCE_ID, GROUP_MAX_SIZE_REACHED (group.consumer.max.size),
 * GROUP_AUTHORIZATION_FAILED (READ on the group), INVALID_REGULAR_EXPRESSION (128), COORDINATOR_NOT_AVAILABLE.
 * Version notes: v0 — the broker makes up member ids; v1 — the client does (memberId is never empty) and may
 * subscribe with subscribedTopicRegex, matched against whole topic names it may DESCRIBE.
 */
export const consumerGroupHeartbeatHandler = defineHandler({
  api: ConsumerGroupHeartbeatApi,
  minVersion: 0,
  maxVersion: 1,
  async handle (request, context) {
    const { broker, version, header, clientHost } = context
    const denied = groupError(context, 'READ', request.groupId)
    if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: denied, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null }
    const result = await broker.groups.consumerGroupHeartbeat({
      apiVersion: version,
      groupId: request.groupId,
      memberId: request.memberId,
      memberEpoch: request.memberEpoch,
      instanceId: request.instanceId,
      rackId: request.rackId,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      subscribedTopicNames: request.subscribedTopicNames,
      subscribedTopicRegex: version >= 1 ? request.subscribedTopicRegex : null,
      serverAssignor: request.serverAssignor,
      topicPartitions: request.topicPartitions,
      clientId: header.clientId ?? '',
      clientHost: clientHost ?? '',
      topicVisible: (topic) => authorizeFilter(context, 'DESCRIBE', 'TOPIC', topic)
    })
    return { throttleTimeMs: 0, ...result }
  }
})
