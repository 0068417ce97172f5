import { defineApi } from '../codec/api.js'
import { int16, int32, int64, string } from '../codec/schema.js'

/**
 * InitProducerId (key 22). Versions 0–5; flexible from 2. A null transactionalId asks for an idempotent-only
 * producer id.
 * - v1: same layout (throttled responses are sent before throttling). v2: first flexible version.
 * - v3: the request may carry the current producerId/epoch so a producer can recover after an epoch error (KIP-360).
 * - v4: PRODUCER_FENCED possible. v5: TRANSACTION_ABORTABLE possible (KIP-890).
 */
export const InitProducerIdApi = defineApi({
  key: 22,
  name: 'InitProducerId',
  valid: '0-5',
  flexible: '2+',
  request: {
    transactionalId: string({ nullable: '0+', default: '' }),
    transactionTimeoutMs: int32(),
    producerId: int64({ versions: '3+', default: -1 }),
    producerEpoch: int16({ versions: '3+', default: -1 })
  },
  response: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    producerId: int64({ default: -1 }),
    producerEpoch: int16()
  }
})
