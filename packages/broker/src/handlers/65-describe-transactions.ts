import { DescribeTransactionsApi, ErrorCode } from '@samsa/protocol'
import { OFFSETS_TOPIC, offsetsPartitionFor } from '../transactions/index.js'
import { transactionalIdError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * DescribeTransactions (65), version 0 (flexible; KIP-664).
 * Behavior: the coordinator's record of each transactional id — Kafka's state name, timeout, start time (-1 when no
 * transaction is open), producer id/epoch and the partitions of the open transaction (a group's offsets show as
 * its __consumer_offsets partition, as in Kafka). Unknown id → TRANSACTIONAL_ID_NOT_FOUND.
 */
export const describeTransactionsHandler = defineHandler({
  api: DescribeTransactionsApi,
  minVersion: 0,
  maxVersion: 0,
  handle (request, context) {
    const { broker } = context
    return {
      throttleTimeMs: 0,
      transactionStates: request.transactionalIds.map((transactionalId) => {
        const denied = transactionalIdError(context, 'DESCRIBE', transactionalId) // security/
        if (denied !== ErrorCode.NONE) return { errorCode: denied, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] }
        const meta = broker.transactions.txns.get(transactionalId)
        if (meta === undefined) {
          return { errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] }
        }
        const topics = Object.entries(meta.partitions).map(([topic, partitions]) => ({ topic, partitions: [...partitions] }))
        const groupPartitions = [...new Set(Object.keys(meta.offsets).map(offsetsPartitionFor))]
        if (groupPartitions.length > 0) topics.push({ topic: OFFSETS_TOPIC, partitions: groupPartitions })
        return {
          errorCode: ErrorCode.NONE,
          transactionalId,
          transactionState: meta.state,
          transactionTimeoutMs: meta.timeoutMs,
          transactionStartTimeMs: meta.state === 'Ongoing' || meta.state.startsWith('Prepare') ? meta.startMs : -1,
          producerId: meta.producerId,
          producerEpoch: meta.producerEpoch,
          topics
        }
      })
    }
  }
})
