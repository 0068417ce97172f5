import { DescribeProducersApi, ErrorCode } from '@samsa/protocol'
import { refusedTopics } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * DescribeProducers (61), version 0 (flexible; KIP-664, used by kafka-transactions.sh to find hanging transactions).
 * Behavior: for each partition, the producers its producer state knows: id, epoch, last sequence, last batch
 * timestamp, coordinator epoch and the first offset of its open transaction (-1 when none). Unknown topic or
 * partition → UNKNOWN_TOPIC_OR_PARTITION.
 */
export const describeProducersHandler = defineHandler({
  api: DescribeProducersApi,
  minVersion: 0,
  maxVersion: 0,
  handle (request, context) {
    const { broker } = context
    const refused = refusedTopics(context, 'READ', request.topics, (topic) => topic.name) // security/: READ per topic
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitionIndexes.map((partitionIndex) => {
          const log = broker.topics.get(topic.name)?.partitions[partitionIndex]
          if (refused?.has(topic) === true) return { partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] }
          if (log === undefined) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] }
          return {
            partitionIndex,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            activeProducers: broker.producers.describe(log).map((entry) => ({
              producerId: entry.producerId,
              producerEpoch: entry.epoch,
              lastSequence: entry.batches.length > 0 ? entry.batches[entry.batches.length - 1]!.lastSeq : -1,
              lastTimestamp: entry.lastTimestamp,
              coordinatorEpoch: entry.coordinatorEpoch,
              currentTxnStartOffset: entry.txnFirstOffset
            }))
          }
        })
      }))
    }
  }
})
