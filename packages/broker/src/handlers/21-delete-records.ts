import { DeleteRecordsApi, ErrorCode } from '@samsa/protocol'
import { authorize } from '../security/authorize.js'
import { defineHandler } from './types.js'

/**
 * DeleteRecords (21), versions 0–2.
 * Behavior: moves each partition's log start offset up to the given offset (-1 = the high watermark, which is the
 * log end offset on a single node); records below it are no longer readable and ListOffsets(earliest) returns it.
 * The reply's lowWatermark is the resulting log start offset (an offset below the current start changes nothing).
 * An offset beyond the high watermark or negative (other than -1) is OFFSET_OUT_OF_RANGE; a topic whose
 * cleanup.policy lacks "delete" is POLICY_VIOLATION (Kafka's rule); unknown partitions are
 * UNKNOWN_TOPIC_OR_PARTITION. Failed partitions report lowWatermark -1. Segments wholly below the new start are
 * removed by the log's background maintenance.
 * Version notes: v2 flexible; no layout changes.
 */
const HIGH_WATERMARK = -1

export const deleteRecordsHandler = defineHandler({
  api: DeleteRecordsApi,
  minVersion: 0,
  maxVersion: 2,
  async handle (request, context) {
    const { broker } = context
    const topics = []
    for (const wanted of request.topics) {
      const deletable = authorize(context, 'DELETE', 'TOPIC', wanted.name) // security/
      const topic = broker.topics.get(wanted.name)
      const partitions = []
      for (const { partitionIndex, offset } of wanted.partitions) {
        const fail = (errorCode: number): { partitionIndex: number, lowWatermark: number, errorCode: number } => ({ partitionIndex, lowWatermark: -1, errorCode })
        const log = topic?.partitions[partitionIndex]
        if (!deletable) { partitions.push(fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED)); continue }
        if (topic === undefined || log === undefined) { partitions.push(fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)); continue }
        if (!topic.settings.cleanupPolicy.delete) { partitions.push(fail(ErrorCode.POLICY_VIOLATION)); continue }
        const highWatermark = log.logEndOffset
        const target = offset === HIGH_WATERMARK ? highWatermark : offset
        if (target < 0 || target > highWatermark) { partitions.push(fail(ErrorCode.OFFSET_OUT_OF_RANGE)); continue }
        // The log layer may make this durable (a checkpoint) and return a promise; await either way.
        await log.setLogStartOffset(target)
        partitions.push({ partitionIndex, lowWatermark: log.logStartOffset, errorCode: ErrorCode.NONE })
      }
      topics.push({ name: wanted.name, partitions })
    }
    return { throttleTimeMs: 0, topics }
  }
})
