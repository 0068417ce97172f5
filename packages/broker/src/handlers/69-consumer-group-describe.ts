import { ConsumerGroupDescribeApi, ErrorCode } from '@samsa/protocol'
import { groupError } from '../security/guards.js'
import { AUTHORIZED_OPERATIONS_OMITTED as NOT_REQUESTED, groupAuthorizedOperations } from '../security/authorized-operations.js'
import { defineHandler } from './types.js'

/**
 * ConsumerGroupDescribe (69), version 0 (flexible; KIP-848).
 * Behavior: per group its state (Empty, Assigning, Reconciling, Stable), group epoch, assignment epoch, the
 * assignor in use, and per member its epoch, client, subscription, current assignment and target assignment (with
 * topic names). Unknown groups and classic groups answer GROUP_ID_NOT_FOUND (admin clients then fall back to
 * DescribeGroups); an empty group id answers INVALID_GROUP_ID; GROUP_AUTHORIZATION_FAILED without DESCRIBE.
 * includeAuthorizedOperations (KIP-430): the bit set of READ, DELETE, DESCRIBE the principal may perform on the group
 * (all three without an authorizer).
 */
export const consumerGroupDescribeHandler = defineHandler({
  api: ConsumerGroupDescribeApi,
  minVersion: 0,
  maxVersion: 0,
  handle (request, context) {
    const { broker } = context
    return {
      throttleTimeMs: 0,
      groups: request.groupIds.map((groupId) => {
        const denied = groupError(context, 'DESCRIBE', groupId)
        const found = denied === ErrorCode.NONE ? broker.groups.consumerGroupDescribe(groupId) : { errorCode: denied, errorMessage: null, group: null }
        if (found.group === null) return { errorCode: found.errorCode, errorMessage: found.errorMessage, groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: NOT_REQUESTED }
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          groupId,
          ...found.group,
          authorizedOperations: groupAuthorizedOperations(context, request.includeAuthorizedOperations, groupId)
        }
      })
    }
  }
})
