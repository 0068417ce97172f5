import { DeleteGroupsApi, ErrorCode } from '@samsa/protocol'
import { groupError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * DeleteGroups (42), versions 0–2 (flexible from 2).
 * Behavior: deletes groups without members together with their committed offsets, durably before answering.
 * Per group: NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when unknown.
 */
export const deleteGroupsHandler = defineHandler({
  api: DeleteGroupsApi,
  minVersion: 0,
  maxVersion: 2,
  async handle (request, context) {
    const { broker } = context
    const denied = request.groupsNames.map((groupId) => groupError(context, 'DELETE', groupId)) // security/
    const allowed = request.groupsNames.filter((_groupId, index) => denied[index] === ErrorCode.NONE)
    const codes = await broker.groups.deleteGroups(allowed)
    let next = 0
    return { throttleTimeMs: 0, results: request.groupsNames.map((groupId, index) => ({ groupId, errorCode: denied[index] !== ErrorCode.NONE ? denied[index]! : codes[next++]! })) }
  }
})
