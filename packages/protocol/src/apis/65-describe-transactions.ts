import { defineApi } from '../codec/api.js'
import { array, int16, int32, int64, string, struct } from '../codec/schema.js'

/**
 * DescribeTransactions (key 65). Version 0 only; flexible (KIP-664). Reports the coordinator's state of each
 * transactional id: state name, timeout, start time, producer id/epoch and the partitions in the transaction.
 */
export const DescribeTransactionsApi = defineApi({
  key: 65,
  name: 'DescribeTransactions',
  valid: '0',
  flexible: '0+',
  request: {
    transactionalIds: array(string())
  },
  response: {
    throttleTimeMs: int32(),
    transactionStates: array(struct({
      errorCode: int16(),
      transactionalId: string(),
      transactionState: string(),
      transactionTimeoutMs: int32(),
      transactionStartTimeMs: int64(),
      producerId: int64(),
      producerEpoch: int16(),
      topics: array(struct({
        topic: string(),
        partitions: array(int32())
      }))
    }))
  }
})
