import { ErrorCode, ListOffsetsApi, decodeRecordBatches } from '@samsa/protocol'
import type { PartitionLog } from '../log/index.js'
import { checkLeaderEpoch } from './leader-epoch.js'
import { defineHandler } from './types.js'
import { refusedTopics } from '../security/guards.js'

/**
 * ListOffsets (2), versions 0–7.
 * Behavior: timestamp -1 = latest (log end offset), -2 = earliest (log start offset), -3 = the record with the
 * largest timestamp (v7+), otherwise the first record whose timestamp is ≥ the timestamp (offset -1 and timestamp
 * -1 when none). The indexes find the batch; only that one batch is decoded (and decompressed) to find the exact
 * record, as Kafka answers per record. v0 answers in oldStyleOffsets (at most maxNumOffsets entries).
 * Version notes: v1 single offset + timestamp; v2 isolationLevel; v4 leader epochs; v6 flexible; v7 max timestamp.
 */
const LATEST = -1
const EARLIEST = -2
const MAX_TIMESTAMP = -3

export const listOffsetsHandler = defineHandler({
  api: ListOffsetsApi,
  minVersion: 0,
  maxVersion: 7,
  handle (request, context) {
    const { broker, version } = context
    const refused = refusedTopics(context, 'DESCRIBE', request.topics, (topic) => topic.name) // security/: DESCRIBE per topic
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) => {
          const log = broker.topics.get(topic.name)?.partitions[partition.partitionIndex]
          const answer = { partitionIndex: partition.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: [] as number[], timestamp: -1, offset: -1, leaderEpoch: -1 }
          if (refused?.has(topic) === true) return { ...answer, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }
          if (log === undefined) return { ...answer, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
          const epochError = checkLeaderEpoch(partition.currentLeaderEpoch)
          if (epochError !== ErrorCode.NONE) return { ...answer, errorCode: epochError }
          let found: { offset: number, timestamp: number } | null
          // read_committed (v2+) sees the last stable offset as the end: open transactions are not readable yet.
          if (partition.timestamp === LATEST) found = { offset: request.isolationLevel === 1 ? broker.producers.lastStableOffset(log) : log.logEndOffset, timestamp: -1 }
          else if (partition.timestamp === EARLIEST) found = { offset: log.logStartOffset, timestamp: -1 }
          else if (partition.timestamp === MAX_TIMESTAMP) found = exactRecord(log, log.maxTimestamp(), (ts, max) => ts === max)
          else found = exactRecord(log, log.offsetForTimestamp(partition.timestamp), (ts) => ts >= partition.timestamp)
          if (version === 0) {
            return { ...answer, oldStyleOffsets: found !== null && partition.maxNumOffsets > 0 ? [found.offset] : [] }
          }
          if (found === null) return answer
          return { ...answer, offset: found.offset, timestamp: found.timestamp, leaderEpoch: 0 }
        })
      }))
    }
  }
})

/** Narrows a batch-level answer from the indexes to the first record of that batch matching `wanted`. */
function exactRecord (log: PartitionLog, batchAnswer: { offset: number, timestamp: number } | null, wanted: (timestamp: number, batchMax: number) => boolean): { offset: number, timestamp: number } | null {
  if (batchAnswer === null) return null
  const [batch] = decodeRecordBatches(log.read(batchAnswer.offset, 1))
  const record = batch?.records.find((candidate) => wanted(candidate.timestamp, batch.maxTimestamp))
  return record !== undefined ? { offset: record.offset, timestamp: record.timestamp } : batchAnswer
}
