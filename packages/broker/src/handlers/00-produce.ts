import { ErrorCode, ProduceApi, validateProduceRecords } from '@samsa/protocol'
import type { PartitionLog } from '../log/index.js'
import { defineHandler, type BrokerContext, type Reply } from './types.js'

/**
 * Produce (0), versions 3–11 (v3 is the first with RecordBatch v2; v9+ flexible; v12+ address topics by id and
 * are not served).
 * Behavior: each partition's records are validated as opaque RecordBatch v2 bytes (structure, CRC-32C, size
 * against message.max.bytes) and appended as sent; only baseOffset and partitionLeaderEpoch are patched. acks=1
 * answers after the append; acks=-1 (all) answers after the data is fsynced (group commit, shared by concurrent
 * requests); acks=0 sends no response. Unknown topics are auto-created when auto.create.topics.enable is set.
 * A failed partition does not affect the others in the same request.
 */
type ProduceReply = Reply<typeof ProduceApi>
type PartitionReply = NonNullable<NonNullable<ProduceReply['responses']>[number]['partitionResponses']>[number]

export const produceHandler = defineHandler({
  api: ProduceApi,
  minVersion: 3,
  maxVersion: 11,
  async handle (request, { broker }) {
    const { acks } = request
    if (acks !== 0 && acks !== 1 && acks !== -1) {
      return {
        responses: request.topicData.map((topic) => ({
          name: topic.name,
          partitionResponses: topic.partitionData.map((partition) => failure(partition.index, ErrorCode.INVALID_REQUIRED_ACKS))
        }))
      }
    }
    const durable: Array<Promise<void>> = []
    const responses = request.topicData.map((topicData) => ({
      name: topicData.name,
      partitionResponses: topicData.partitionData.map((partitionData) => {
        const reply = appendPartition(broker, topicData.name, partitionData.index, partitionData.records)
        if (acks === -1 && reply.appended !== undefined) durable.push(reply.appended.log.flushedUpTo(reply.appended.lastOffset))
        return reply.response
      })
    }))
    if (acks === 0) return null
    if (durable.length > 0) await Promise.all(durable)
    return { responses, throttleTimeMs: 0 }
  }
})

interface Appended { log: PartitionLog, lastOffset: number }

function appendPartition (broker: BrokerContext, topicName: string, partitionIndex: number, records: Buffer | null): { response: PartitionReply, appended?: Appended } {
  const topic = broker.topics.get(topicName) ?? broker.topics.autoCreate(topicName)
  if (topic === undefined) {
    const code = broker.topics.nameProblem(topicName) !== null ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    return { response: failure(partitionIndex, code) }
  }
  const log = topic.partitions[partitionIndex]
  if (log === undefined) return { response: failure(partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) }
  if (records === null || records.length === 0) return { response: failure(partitionIndex, ErrorCode.CORRUPT_MESSAGE, 'empty record set') }
  const validation = validateProduceRecords(records, broker.config.messageMaxBytes)
  if (!validation.ok) {
    broker.logger.debug(`produce to ${topicName}-${partitionIndex} rejected with error ${validation.errorCode}`)
    return { response: failure(partitionIndex, validation.errorCode) }
  }
  const appended = log.append(records)
  return {
    response: {
      index: partitionIndex,
      errorCode: ErrorCode.NONE,
      baseOffset: appended.baseOffset,
      logAppendTimeMs: appended.logAppendTime,
      logStartOffset: log.logStartOffset
    },
    appended: { log, lastOffset: appended.lastOffset }
  }
}

function failure (index: number, errorCode: number, errorMessage: string | null = null): PartitionReply {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage }
}
