import { defineApi } from '../codec/api.js'
import { array, int16, int32, int64, string, struct } from '../codec/schema.js'

/**
 * DescribeProducers (key 61). Version 0 only; flexible (KIP-664). Lists the active producers of partitions, with
 * their last sequence and any open transaction's start offset. producerEpoch is an int32 here, unlike elsewhere.
 */
export const DescribeProducersApi = defineApi({
  key: 61,
  name: 'DescribeProducers',
  valid: '0',
  flexible: '0+',
  request: {
    topics: array(struct({
      name: string(),
      partitionIndexes: array(int32())
    }))
  },
  response: {
    throttleTimeMs: int32(),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        errorCode: int16(),
        errorMessage: string({ nullable: '0+', default: null }),
        activeProducers: array(struct({
          producerId: int64(),
          producerEpoch: int32(),
          lastSequence: int32({ default: -1 }),
          lastTimestamp: int64({ default: -1 }),
          coordinatorEpoch: int32(),
          currentTxnStartOffset: int64({ default: -1 })
        }))
      }))
    }))
  }
})
