import { ErrorCode, ListGroupsApi } from '@samsa/protocol'
import { groupLister } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * ListGroups (16), versions 0–5 (flexible from 3).
 * Behavior: every group this coordinator holds, including groups that only store committed offsets (Empty, with
 * an empty protocol type). Filters are case-insensitive; an empty filter matches everything.
 * Version notes: v4 statesFilter and groupState (KIP-518); v5 typesFilter and groupType "classic"/"consumer".
 */
export const listGroupsHandler = defineHandler({
  api: ListGroupsApi,
  minVersion: 0,
  maxVersion: 5,
  handle (request, context) {
    const { broker, version } = context
    const listable = groupLister(context) // security/: all with DESCRIBE on the cluster, else the groups it may DESCRIBE
    const groups = broker.groups.list(version >= 4 ? request.statesFilter : [], version >= 5 ? request.typesFilter : []).filter((group) => listable(group.groupId))
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: groups.map((group) => ({ groupId: group.groupId, protocolType: group.protocolType, groupState: group.state, groupType: group.type }))
    }
  }
})
