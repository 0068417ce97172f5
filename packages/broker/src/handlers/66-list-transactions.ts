import { ErrorCode, ListTransactionsApi } from '@samsa/protocol'
import { TXN_STATES, type TxnState } from '../transactions/index.js'
import { authorizeFilter } from '../security/authorize.js'
import { defineHandler } from './types.js'

/**
 * ListTransactions (66), versions 0–1 (flexible; KIP-664).
 * Behavior: every transactional id the coordinator knows, filtered by state names (empty = all; names Kafka does not
 * know are echoed in unknownStateFilters) and producer ids (empty = all).
 * Version notes: v1 adds durationFilter (KIP-994): only transactions open for longer than that many ms (-1 = any).
 */
export const listTransactionsHandler = defineHandler({
  api: ListTransactionsApi,
  minVersion: 0,
  maxVersion: 1,
  handle (request, context) {
    const { broker } = context
    const states = new Set(request.stateFilters)
    const producerIds = new Set(request.producerIdFilters)
    const now = Date.now()
    const transactionStates = [...broker.transactions.txns.values()]
      .filter((meta) => states.size === 0 || states.has(meta.state))
      .filter((meta) => producerIds.size === 0 || producerIds.has(meta.producerId))
      .filter((meta) => authorizeFilter(context, 'DESCRIBE', 'TRANSACTIONAL_ID', meta.transactionalId)) // security/
      .filter((meta) => request.durationFilter < 0 || (meta.state === 'Ongoing' && meta.startMs >= 0 && now - meta.startMs > request.durationFilter))
      .map((meta) => ({ transactionalId: meta.transactionalId, producerId: meta.producerId, transactionState: meta.state }))
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      unknownStateFilters: request.stateFilters.filter((state) => !TXN_STATES.includes(state as TxnState)),
      transactionStates
    }
  }
})
