import { EndTxnApi, ErrorCode } from '@samsa/protocol'
import { transactionalIdError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * EndTxn (26), versions 0–4 (v3+ flexible; v5, where every transaction bumps the epoch (KIP-890 part 2), is not
 * served, as in Kafka 3.9).
 * Behavior: committed=true commits, false aborts. The decision is made durable (PrepareCommit/PrepareAbort), a
 * control batch (marker) is appended to every partition of the transaction and the group offsets of a commit become
 * visible; the answer comes once that is complete. A repeated EndTxn of a completed transaction with the same
 * outcome succeeds; the other outcome, or an EndTxn with no transaction → INVALID_TXN_STATE. Wrong producer id →
 * INVALID_PRODUCER_ID_MAPPING; old epoch → PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2).
 */
export const endTxnHandler = defineHandler({
  api: EndTxnApi,
  minVersion: 0,
  maxVersion: 4,
  async handle (request, context) {
    const { broker, version } = context
    if (request.transactionalId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST }
    const denied = transactionalIdError(context, 'WRITE', request.transactionalId) // security/
    if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: denied }
    const code = await broker.transactions.endTxn(request.transactionalId, request.producerId, request.producerEpoch, request.committed)
    return { throttleTimeMs: 0, errorCode: code === ErrorCode.PRODUCER_FENCED && version < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : code }
  }
})
