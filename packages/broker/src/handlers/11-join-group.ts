import { ErrorCode, JoinGroupApi } from '@samsa/protocol'
import { groupError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * JoinGroup (11), versions 0–9 (flexible from 6).
 * Behavior: the classic group protocol (groups/classic/join.ts). The answer is held until the group's join phase
 * completes — after group.initial.rebalance.delay.ms for an empty group, or once every member rejoined, at most
 * the rebalance timeout — so this handler returns a promise; later requests on the connection still start.
 * Errors answered at once: INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT (outside group.min/max.session.timeout.ms),
 * UNKNOWN_MEMBER_ID, MEMBER_ID_REQUIRED (v4+, with the id to use), INCONSISTENT_GROUP_PROTOCOL,
 * GROUP_MAX_SIZE_REACHED, FENCED_INSTANCE_ID, REBALANCE_IN_PROGRESS (a newer JoinGroup of the same member).
 * Version notes: v0 has no rebalance timeout (the session timeout is used); v4 member id required; v5 static
 * membership; v7 protocol type in the response and a nullable protocol name; v8 reason; v9 skipAssignment.
 */
export const joinGroupHandler = defineHandler({
  api: JoinGroupApi,
  minVersion: 0,
  maxVersion: 9,
  async handle (request, context) {
    const { broker, version, header, clientHost } = context
    const denied = groupError(context, 'READ', request.groupId) // security/
    if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: denied, generationId: -1, protocolName: version >= 7 ? null : '', leader: '', memberId: '', members: [] }
    const groupInstanceId = version >= 5 ? request.groupInstanceId : null
    const result = await broker.groups.joinGroup(request.groupId, {
      memberId: request.memberId,
      groupInstanceId,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: version >= 1 && request.rebalanceTimeoutMs >= 0 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
      protocolType: request.protocolType,
      // Copies: the request frame must not stay alive as long as the member does.
      protocols: request.protocols.map((protocol) => ({ name: protocol.name, metadata: Buffer.from(protocol.metadata) })),
      clientId: header.clientId ?? '',
      clientHost: clientHost ?? '',
      requireKnownMemberId: version >= 4 && groupInstanceId === null,
      supportsSkipAssignment: version >= 9,
      reason: version >= 8 ? request.reason : null
    })
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: result.protocolType,
      protocolName: result.protocolName ?? (version >= 7 ? null : ''),
      leader: result.leaderId,
      skipAssignment: result.skipAssignment,
      memberId: result.memberId,
      members: result.members
    }
  }
})
