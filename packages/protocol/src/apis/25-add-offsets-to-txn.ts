import { defineApi } from '../codec/api.js'
import { int16, int32, int64, string } from '../codec/schema.js'

/**
 * AddOffsetsToTxn (key 25). Versions 0–4; flexible from 3. Adds a consumer group's offsets topic partition to the
 * transaction, before TxnOffsetCommit.
 * - v1: same layout. v2: PRODUCER_FENCED possible. v3: first flexible version. v4: TRANSACTION_ABORTABLE possible.
 */
export const AddOffsetsToTxnApi = defineApi({
  key: 25,
  name: 'AddOffsetsToTxn',
  valid: '0-4',
  flexible: '3+',
  request: {
    transactionalId: string(),
    producerId: int64(),
    producerEpoch: int16(),
    groupId: string()
  },
  response: {
    throttleTimeMs: int32(),
    errorCode: int16()
  }
})
