import { DeleteGroupsApi } from '@samsa/protocol'
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
  async handle (request, { broker }) {
    const codes = await broker.groups.deleteGroups(request.groupsNames)
    return { throttleTimeMs: 0, results: request.groupsNames.map((groupId, index) => ({ groupId, errorCode: codes[index]! })) }
  }
})
