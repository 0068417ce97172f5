import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, int64, string, struct } from '../codec/schema.js'

/**
 * AddPartitionsToTxn (key 24). Versions 0–5; flexible from 3.
 * - v1: same layout. v2: PRODUCER_FENCED possible. v3: first flexible version.
 * - v4: broker-to-broker form: several transactions per request, each with a verifyOnly flag, and a top-level
 *   errorCode in the response (KIP-890). Clients keep using v3 and below, whose fields carry a "v3AndBelow" prefix.
 * - v5: TRANSACTION_ABORTABLE possible.
 */
// Kafka's shared topic structs, used by both the v4+ and the v3-and-below layouts.
const topic = struct({
  name: string(),
  partitions: array(int32())
})

const topicResult = struct({
  name: string(),
  resultsByPartition: array(struct({
    partitionIndex: int32(),
    partitionErrorCode: int16()
  }))
})

export const AddPartitionsToTxnApi = defineApi({
  key: 24,
  name: 'AddPartitionsToTxn',
  valid: '0-5',
  flexible: '3+',
  request: {
    transactions: array(struct({
      transactionalId: string({ versions: '4+' }),
      producerId: int64({ versions: '4+' }),
      producerEpoch: int16({ versions: '4+' }),
      verifyOnly: bool({ versions: '4+', default: false }),
      topics: array(topic, { versions: '4+' })
    }), { versions: '4+' }),
    v3AndBelowTransactionalId: string({ versions: '0-3' }),
    v3AndBelowProducerId: int64({ versions: '0-3' }),
    v3AndBelowProducerEpoch: int16({ versions: '0-3' }),
    v3AndBelowTopics: array(topic, { versions: '0-3' })
  },
  response: {
    throttleTimeMs: int32(),
    errorCode: int16({ versions: '4+' }),
    resultsByTransaction: array(struct({
      transactionalId: string({ versions: '4+' }),
      topicResults: array(topicResult, { versions: '4+' })
    }), { versions: '4+' }),
    resultsByTopicV3AndBelow: array(topicResult, { versions: '0-3' })
  }
})
