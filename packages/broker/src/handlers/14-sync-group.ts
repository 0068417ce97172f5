import { ErrorCode, SyncGroupApi } from '@samsa/protocol'
import { groupError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * SyncGroup (14), versions 0–5 (flexible from 4).
 * Behavior: the leader's SyncGroup carries every member's assignment; each member's SyncGroup is held until the
 * leader's arrived and was stored durably, then answered with its assignment. A Stable group answers at once with
 * the current assignment. The assignment is always a valid blob: members the leader left out, in a "consumer"
 * group, get an empty ConsumerProtocolAssignment rather than zero bytes.
 * Errors: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS (the group started another rebalance: rejoin),
 * FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL (v5: protocol type/name differ from the group's),
 * INVALID_GROUP_ID, COORDINATOR_NOT_AVAILABLE (the assignment could not be stored).
 * Version notes: v3 adds groupInstanceId; v5 adds protocolType/protocolName to request and response.
 */
export const syncGroupHandler = defineHandler({
  api: SyncGroupApi,
  minVersion: 0,
  maxVersion: 5,
  async handle (request, context) {
    const { broker, version } = context
    const denied = groupError(context, 'READ', request.groupId) // security/
    if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: denied, assignment: Buffer.alloc(0) }
    const result = await broker.groups.syncGroup(request.groupId, {
      memberId: request.memberId,
      groupInstanceId: version >= 3 ? request.groupInstanceId : null,
      generationId: request.generationId,
      protocolType: version >= 5 ? request.protocolType : null,
      protocolName: version >= 5 ? request.protocolName : null,
      assignments: request.assignments.map((entry) => ({ memberId: entry.memberId, assignment: Buffer.from(entry.assignment) }))
    })
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      protocolType: result.protocolType,
      protocolName: result.protocolName,
      assignment: result.assignment
    }
  }
})
