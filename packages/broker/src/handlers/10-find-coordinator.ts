import { ErrorCode, FindCoordinatorApi } from '@samsa/protocol'
import { groupError, transactionalIdError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * FindCoordinator (10), versions 0–6 (flexible from 3).
 * Behavior: this single node coordinates every group (key type 0) and every transactional id (key type 1). Any
 * other key type (2 = share groups, which we do not serve) is INVALID_REQUEST with no node (-1, "", -1).
 * Version notes: v0 has no key type (group); v1 adds throttle time and an error message ("NONE" on success, as
 * Kafka sends); v4+ batches: coordinatorKeys in, one coordinators entry per key out (KIP-699).
 */
const GROUP = 0
const TRANSACTION = 1

export const findCoordinatorHandler = defineHandler({
  api: FindCoordinatorApi,
  minVersion: 0,
  maxVersion: 6,
  handle (request, context) {
    const { broker, version } = context
    const keyType = version >= 1 ? request.keyType : GROUP
    const supported = keyType === GROUP || keyType === TRANSACTION
    const answer = supported
      ? { nodeId: broker.nodeId, host: broker.advertised.host, port: broker.advertised.port, errorCode: ErrorCode.NONE, errorMessage: 'NONE' }
      : { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `coordinator key type ${keyType} is not supported` }
    // security/: DESCRIBE on the group or transactional id named by the key.
    const guarded = (key: string): { nodeId: number, host: string, port: number, errorCode: number, errorMessage: string } => {
      const denied = !supported ? ErrorCode.NONE : keyType === GROUP ? groupError(context, 'DESCRIBE', key) : transactionalIdError(context, 'DESCRIBE', key)
      return denied === ErrorCode.NONE ? answer : { nodeId: -1, host: '', port: -1, errorCode: denied, errorMessage: 'Authorization failed.' }
    }
    if (version >= 4) return { throttleTimeMs: 0, coordinators: request.coordinatorKeys.map((key) => ({ key, ...guarded(key) })) }
    return { throttleTimeMs: 0, ...guarded(request.key) }
  }
})
