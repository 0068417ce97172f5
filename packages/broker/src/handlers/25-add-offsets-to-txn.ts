import { AddOffsetsToTxnApi, ErrorCode } from '@samsa/protocol'
import { groupError, transactionalIdError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * AddOffsetsToTxn (25), versions 0–4 (v3+ flexible).
 * Behavior: the consumer group's offsets join the producer's transaction (Kafka adds the group's __consumer_offsets
 * partition); TxnOffsetCommit may then stage offsets that become visible when the transaction commits. Errors as
 * AddPartitionsToTxn: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2),
 * CONCURRENT_TRANSACTIONS; an empty group id → INVALID_GROUP_ID.
 */
export const addOffsetsToTxnHandler = defineHandler({
  api: AddOffsetsToTxnApi,
  minVersion: 0,
  maxVersion: 4,
  async handle (request, context) {
    const { broker, version } = context
    if (request.groupId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID }
    if (request.transactionalId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST }
    // security/: WRITE on the transactional id, READ on the group.
    const denied = transactionalIdError(context, 'WRITE', request.transactionalId) || groupError(context, 'READ', request.groupId)
    if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: denied }
    const code = await broker.transactions.addOffsets(request.transactionalId, request.producerId, request.producerEpoch, request.groupId)
    return { throttleTimeMs: 0, errorCode: code === ErrorCode.PRODUCER_FENCED && version < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : code }
  }
})
