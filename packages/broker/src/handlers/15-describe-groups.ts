import { DescribeGroupsApi, ErrorCode } from '@samsa/protocol'
import { groupError } from '../security/guards.js'
import { AUTHORIZED_OPERATIONS_OMITTED as NOT_REQUESTED, groupAuthorizedOperations } from '../security/authorized-operations.js'
import { defineHandler } from './types.js'

/**
 * DescribeGroups (15), versions 0–5 (flexible from 5).
 * Behavior: state (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead), protocol type, and members with
 * client id and host; the chosen protocol and each member's metadata and assignment only while Stable. An unknown
 * group is described as Dead with no error (Kafka up to v5). includeAuthorizedOperations (v3+, KIP-430): the bit set
 * of READ, DELETE, DESCRIBE the principal may perform on the group (all three without an authorizer).
 * Version notes: v3 adds authorized operations; v4 adds groupInstanceId per member.
 */
export const describeGroupsHandler = defineHandler({
  api: DescribeGroupsApi,
  minVersion: 0,
  maxVersion: 5,
  handle (request, context) {
    const { broker, version } = context
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        const denied = groupError(context, 'DESCRIBE', groupId) // security/
        if (denied !== ErrorCode.NONE) return { errorCode: denied, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: NOT_REQUESTED }
        const group = broker.groups.describe(groupId)
        return {
          errorCode: ErrorCode.NONE,
          groupId,
          groupState: group.state,
          protocolType: group.protocolType,
          protocolData: group.protocolData,
          members: group.members.map((member) => ({
            memberId: member.memberId,
            groupInstanceId: member.groupInstanceId,
            clientId: member.clientId,
            clientHost: member.clientHost,
            memberMetadata: member.metadata,
            memberAssignment: member.assignment
          })),
          authorizedOperations: groupAuthorizedOperations(context, version >= 3 && request.includeAuthorizedOperations, groupId)
        }
      })
    }
  }
})
