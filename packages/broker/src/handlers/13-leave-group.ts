import { ErrorCode, LeaveGroupApi } from '@samsa/protocol'
import { groupError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * LeaveGroup (13), versions 0–5 (flexible from 4).
 * Behavior: removes members, which rebalances the group. A member named by groupInstanceId with an empty member
 * id is removed administratively (KIP-345). Per member: UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID; an unknown group
 * answers UNKNOWN_MEMBER_ID for each member.
 * Version notes: v0–2 name one member and carry its error at the top level; v3+ batch members with per-member
 * errors; v5 adds a reason per member.
 */
export const leaveGroupHandler = defineHandler({
  api: LeaveGroupApi,
  minVersion: 0,
  maxVersion: 5,
  handle (request, context) {
    const { broker, version } = context
    const denied = groupError(context, 'READ', request.groupId) // security/
    if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: denied, members: [] }
    const members = version >= 3
      ? request.members.map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, reason: version >= 5 ? member.reason : null }))
      : [{ memberId: request.memberId, groupInstanceId: null, reason: null }]
    const result = broker.groups.leaveGroup(request.groupId, members)
    if (version < 3) {
      return { throttleTimeMs: 0, errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : result.members[0] ?? ErrorCode.NONE }
    }
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      members: result.errorCode !== ErrorCode.NONE ? [] : members.map((member, index) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, errorCode: result.members[index]! }))
    }
  }
})
