import { AddPartitionsToTxnApi, ErrorCode } from '@samsa/protocol'
import type { BrokerContext } from './types.js'
import { addPartitionsRefusal } from '../security/guards.js' // security/: WRITE on the transactional id and the topics
import { defineHandler } from './types.js'

/**
 * AddPartitionsToTxn (24), versions 0–5 (v3+ flexible).
 * Behavior (v0–3, what clients send): the partitions join the producer's transaction, durably, before the answer.
 * Unknown topics or partitions fail the whole request: UNKNOWN_TOPIC_OR_PARTITION for them, OPERATION_NOT_ATTEMPTED
 * for the rest (Kafka's answer). Coordinator errors apply to every partition: INVALID_PRODUCER_ID_MAPPING,
 * PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2), CONCURRENT_TRANSACTIONS while a commit/abort completes.
 * Version notes: v4+ is the broker-to-broker form (KIP-890): several transactions per request, each either added
 * or, with verifyOnly, checked (INVALID_TXN_STATE for a partition not in the transaction).
 */
type Partitions = Array<{ topic: string, partition: number }>

export const addPartitionsToTxnHandler = defineHandler({
  api: AddPartitionsToTxnApi,
  minVersion: 0,
  maxVersion: 5,
  async handle (request, context) {
    const { broker, version } = context
    if (version <= 3) {
      const topics = request.v3AndBelowTopics
      const results = addPartitionsRefusal(context, request.v3AndBelowTransactionalId, topics) ?? await addOne(broker, request.v3AndBelowTransactionalId, request.v3AndBelowProducerId, request.v3AndBelowProducerEpoch, topics, false)
      const fenced = (code: number): number => code === ErrorCode.PRODUCER_FENCED && version < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : code
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results.map((topic) => ({ ...topic, resultsByPartition: topic.resultsByPartition.map((p) => ({ ...p, partitionErrorCode: fenced(p.partitionErrorCode) })) })) }
    }
    const resultsByTransaction = []
    for (const txn of request.transactions) {
      resultsByTransaction.push({ transactionalId: txn.transactionalId, topicResults: addPartitionsRefusal(context, txn.transactionalId, txn.topics) ?? await addOne(broker, txn.transactionalId, txn.producerId, txn.producerEpoch, txn.topics, txn.verifyOnly) })
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction }
  }
})

async function addOne (broker: BrokerContext, transactionalId: string, producerId: number, epoch: number, topics: Array<{ name: string, partitions: number[] }>, verifyOnly: boolean): Promise<Array<{ name: string, resultsByPartition: Array<{ partitionIndex: number, partitionErrorCode: number }> }>> {
  const wanted: Partitions = topics.flatMap((topic) => topic.partitions.map((partition) => ({ topic: topic.name, partition })))
  const exists = (topic: string, partition: number): boolean => broker.topics.get(topic)?.partitions[partition] !== undefined
  let codeOf: (topic: string, partition: number, index: number) => number
  if (transactionalId === '') {
    codeOf = () => ErrorCode.INVALID_REQUEST
  } else if (wanted.some(({ topic, partition }) => !exists(topic, partition))) {
    codeOf = (topic, partition) => exists(topic, partition) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
  } else if (verifyOnly) {
    const codes = broker.transactions.verifyPartitions(transactionalId, producerId, epoch, wanted)
    codeOf = (_topic, _partition, index) => codes[index]!
  } else {
    const code = await broker.transactions.addPartitions(transactionalId, producerId, epoch, wanted)
    codeOf = () => code
  }
  let index = 0
  return topics.map((topic) => ({
    name: topic.name,
    resultsByPartition: topic.partitions.map((partition) => ({ partitionIndex: partition, partitionErrorCode: codeOf(topic.name, partition, index++) }))
  }))
}
