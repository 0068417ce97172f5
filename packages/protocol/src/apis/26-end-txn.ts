import { defineApi } from '../codec/api.js'
import { bool, int16, int32, int64, string } from '../codec/schema.js'

/**
 * EndTxn (key 26). Versions 0–5; flexible from 3. committed: true commits, false aborts.
 * - v1: same layout. v2: PRODUCER_FENCED possible. v3: first flexible version. v4: TRANSACTION_ABORTABLE possible.
 * - v5: the epoch is bumped on every transaction, so the response returns producerId and producerEpoch
 *   (KIP-890 part 2). Kafka 3.9 stops at v4; v5 comes from the 4.0 definitions and is marked unstable there.
 */
export const EndTxnApi = defineApi({
  key: 26,
  name: 'EndTxn',
  valid: '0-5',
  flexible: '3+',
  request: {
    transactionalId: string(),
    producerId: int64(),
    producerEpoch: int16(),
    committed: bool()
  },
  response: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    producerId: int64({ versions: '5+', default: -1 }),
    producerEpoch: int16({ versions: '5+', default: -1 })
  }
})
