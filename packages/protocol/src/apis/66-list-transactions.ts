import { defineApi } from '../codec/api.js'
import { array, int16, int32, int64, string, struct } from '../codec/schema.js'

/**
 * ListTransactions (key 66). Versions 0–1; flexible from 0 (KIP-664). Empty filters match everything; state
 * filters the broker does not know are echoed back in unknownStateFilters.
 * - v1: durationFilter lists only transactions running longer than the given milliseconds (KIP-994; -1 = any).
 */
export const ListTransactionsApi = defineApi({
  key: 66,
  name: 'ListTransactions',
  valid: '0-1',
  flexible: '0+',
  request: {
    stateFilters: array(string()),
    producerIdFilters: array(int64()),
    durationFilter: int64({ versions: '1+', default: -1 })
  },
  response: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    unknownStateFilters: array(string()),
    transactionStates: array(struct({
      transactionalId: string(),
      producerId: int64(),
      transactionState: string()
    }))
  }
})
