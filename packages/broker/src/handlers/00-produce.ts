import { ErrorCode, ProduceApi, validateProduceRecords } from '@samsa/protocol'
import type { PartitionLog } from '../log/index.js'
import { applyCompression, keylessRecordProblem, timestampProblem } from '../topics/produce-policy.js'
import { refusedTopics, transactionalIdError } from '../security/guards.js'
import { defineHandler, type BrokerContext, type Reply } from './types.js'

/**
 * Produce (0), versions 0–11 advertised, 3–11 served (v3 is the first with RecordBatch v2; v9+ flexible; v12+
 * address topics by id and are not served). v0–2 (magic 0/1 message sets) are advertised only because librdkafka
 * ≤ 2.11 turns off gzip/snappy/lz4 against a broker whose Produce span does not start at 0 (Kafka 4.0 keeps them
 * advertised for the same reason); a request in those versions gets UNSUPPORTED_VERSION per partition.
 * Behavior: each partition's records are validated as opaque RecordBatch v2 bytes (structure, CRC-32C, size
 * against the topic's max.message.bytes) and appended as sent; only baseOffset and partitionLeaderEpoch are
 * patched. Topic configs applied on the way: message.timestamp.type=LogAppendTime stamps each batch with the
 * broker clock (reported in logAppendTimeMs); message.timestamp.before/after.max.ms reject CreateTime batches
 * outside the window (INVALID_TIMESTAMP); compression.type other than "producer" recompresses batches in another
 * codec (the only case that decodes records). With replication.strict=true, acks=all to a topic whose
 * min.insync.replicas exceeds 1 fails with NOT_ENOUGH_REPLICAS, as on a one-broker Kafka cluster.
 * acks=1 answers after the append; acks=-1 (all) answers after the data is fsynced (group commit, shared by
 * concurrent requests); acks=0 sends no response. Unknown topics are auto-created when auto.create.topics.enable
 * is set. A failed partition does not affect the others in the same request; a partition whose topic is deleted
 * while its fsync is awaited answers NOT_LEADER_OR_FOLLOWER; a storage failure (write or sync error: disk full, I/O
 * error) answers KAFKA_STORAGE_ERROR for that partition, and the connection stays open.
 */
const FIRST_RECORD_BATCH_VERSION = 3

type ProduceReply = Reply<typeof ProduceApi>
type PartitionReply = NonNullable<NonNullable<ProduceReply['responses']>[number]['partitionResponses']>[number]

export const produceHandler = defineHandler({
  api: ProduceApi,
  minVersion: 0,
  maxVersion: 11,
  async handle (request, context) {
    const { broker, version } = context
    const { acks } = request
    // Authorization (security/): WRITE on the transactional id and on each topic; free without an authorizer.
    const refusal = version < FIRST_RECORD_BATCH_VERSION ? ErrorCode.UNSUPPORTED_VERSION : acks !== 0 && acks !== 1 && acks !== -1 ? ErrorCode.INVALID_REQUIRED_ACKS : transactionalIdError(context, 'WRITE', request.transactionalId)
    if (refusal !== ErrorCode.NONE) {
      return {
        responses: request.topicData.map((topic) => ({
          name: topic.name,
          partitionResponses: topic.partitionData.map((partition) => failure(partition.index, refusal))
        }))
      }
    }
    const durable: Array<Promise<void>> = []
    const refused = refusedTopics(context, 'WRITE', request.topicData, (topic) => topic.name)
    const responses = request.topicData.map((topicData) => ({
      name: topicData.name,
      partitionResponses: topicData.partitionData.map((partitionData) => {
        const reply = refused?.has(topicData) === true ? { response: failure(partitionData.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED) } : appendPartition(broker, topicData.name, partitionData.index, partitionData.records, acks)
        const appended = reply.appended
        if (acks === -1 && appended !== undefined) {
          durable.push(appended.log.flushedUpTo(appended.lastOffset).catch((error: unknown) => {
            if (broker.topics.get(topicData.name)?.partitions[partitionData.index] !== appended.log) {
              Object.assign(reply.response, failure(partitionData.index, ErrorCode.NOT_LEADER_OR_FOLLOWER, 'the topic was deleted'))
              return
            }
            broker.logger.error(`produce to ${topicData.name}-${partitionData.index}: data not made durable: ${(error as Error).message}`)
            Object.assign(reply.response, failure(partitionData.index, ErrorCode.KAFKA_STORAGE_ERROR, (error as Error).message))
          }))
        }
        return reply.response
      })
    }))
    if (acks === 0) return null
    if (durable.length > 0) await Promise.all(durable)
    return { responses, throttleTimeMs: 0 }
  }
})

interface Appended { log: PartitionLog, lastOffset: number }

function appendPartition (broker: BrokerContext, topicName: string, partitionIndex: number, records: Buffer | null, acks: number): { response: PartitionReply, appended?: Appended } {
  const topic = broker.topics.get(topicName) ?? broker.topics.autoCreate(topicName)
  if (topic === undefined) {
    const code = broker.topics.nameProblem(topicName) !== null ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    return { response: failure(partitionIndex, code) }
  }
  const log = topic.partitions[partitionIndex]
  if (log === undefined) return { response: failure(partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) }
  const settings = topic.settings
  if (acks === -1 && broker.config.replicationStrict && settings.minInsyncReplicas > 1) {
    return { response: failure(partitionIndex, ErrorCode.NOT_ENOUGH_REPLICAS, `The size of the current ISR (1) is insufficient to satisfy the min.isr requirement of ${settings.minInsyncReplicas} for partition ${topicName}-${partitionIndex}`) }
  }
  if (records === null || records.length === 0) return { response: failure(partitionIndex, ErrorCode.CORRUPT_MESSAGE, 'empty record set') }
  const validation = validateProduceRecords(records, settings.maxMessageBytes)
  if (!validation.ok) {
    broker.logger.debug(`produce to ${topicName}-${partitionIndex} rejected with error ${validation.errorCode}`)
    return { response: failure(partitionIndex, validation.errorCode) }
  }
  const now = Date.now()
  const late = timestampProblem(records, settings, now)
  if (late !== null) return { response: failure(partitionIndex, ErrorCode.INVALID_TIMESTAMP, late) }
  const keyless = keylessRecordProblem(records, settings, `${topicName}-${partitionIndex}`)
  if (keyless !== null) return { response: failure(partitionIndex, keyless.errorCode, keyless.message) }
  // Idempotence/transactions (producers/): null for batches without a producer id; a duplicate gets its first offsets.
  const producerCheck = broker.producers.check(log, topicName, partitionIndex, records, validation)
  if (producerCheck?.kind === 'reject') return { response: failure(partitionIndex, producerCheck.errorCode, producerCheck.message) }
  if (producerCheck?.kind === 'duplicate') return { response: { index: partitionIndex, errorCode: ErrorCode.NONE, baseOffset: producerCheck.baseOffset, logAppendTimeMs: -1, logStartOffset: log.logStartOffset }, appended: { log, lastOffset: producerCheck.lastOffset } }
  const compressed = applyCompression(records, settings)
  if (!compressed.ok) return { response: failure(partitionIndex, compressed.errorCode, compressed.message) }
  let appended: ReturnType<PartitionLog['append']>
  try {
    appended = settings.messageTimestampType === 'LogAppendTime'
      ? log.append(compressed.records, { logAppendTime: now })
      : log.append(compressed.records)
  } catch (error) {
    // A failed segment write or fsync (disk full, I/O error): the log refuses appends from then on (fsyncgate).
    broker.logger.error(`produce to ${topicName}-${partitionIndex} failed: ${(error as Error).message}`)
    return { response: failure(partitionIndex, ErrorCode.KAFKA_STORAGE_ERROR, (error as Error).message) }
  }
  broker.producers.record(producerCheck, appended)
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
