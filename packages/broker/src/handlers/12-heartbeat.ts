import { ErrorCode, HeartbeatApi } from '@samsa/protocol'
import { groupError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * Heartbeat (12), versions 0–4 (flexible from 4).
 * Behavior: restarts the member's session timer. REBALANCE_IN_PROGRESS tells a member of the current generation
 * to rejoin; UNKNOWN_MEMBER_ID (evicted or unknown group), ILLEGAL_GENERATION (old generation) and
 * FENCED_INSTANCE_ID (its static identity was taken over) fence it; INVALID_GROUP_ID for an empty group id.
 * Version notes: v3 adds groupInstanceId.
 */
export const heartbeatHandler = defineHandler({
  api: HeartbeatApi,
  minVersion: 0,
  maxVersion: 4,
  handle (request, context) {
    const { broker, version } = context
    const denied = groupError(context, 'READ', request.groupId) // security/
    if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: denied }
    const errorCode = broker.groups.heartbeat(request.groupId, {
      memberId: request.memberId,
      groupInstanceId: version >= 3 ? request.groupInstanceId : null,
      generationId: request.generationId
    })
    return { throttleTimeMs: 0, errorCode }
  }
})
