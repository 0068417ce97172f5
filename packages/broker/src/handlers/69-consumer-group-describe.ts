import { ConsumerGroupDescribeApi, ErrorCode } from '@samsa/protocol'
import { groupError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * ConsumerGroupDescribe (69), version 0 (flexible; KIP-848).
 * Behavior: per group its state (Empty, Assigning, Reconciling, Stable), group epoch, assignment epoch, the
 * assignor in use, and per member its epoch, client, subscription, current assignment and target assignment (with
 * topic names). Unknown groups and classic groups answer GROUP_ID_NOT_FOUND (admin clients then fall back to
 * DescribeGroups); an empty group id answers INVALID_GROUP_ID; GROUP_AUTHORIZATION_FAILED without DESCRIBE.
 * Without an authorizer every operation is allowed: includeAuthorizedOperations reports READ, DELETE, DESCRIBE.
 */
const AUTHORIZED_GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) // READ, DELETE, DESCRIBE
const NOT_REQUESTED = -2147483648

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
          authorizedOperations: request.includeAuthorizedOperations ? AUTHORIZED_GROUP_OPERATIONS : NOT_REQUESTED
        }
      })
    }
  }
})
