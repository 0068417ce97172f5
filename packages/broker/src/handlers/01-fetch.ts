import { ErrorCode, FetchApi, type RequestOf } from '@samsa/protocol'
import type { PartitionLog } from '../log/index.js'
import { returnReadBuffer } from '../log/read-buffers.js'
import { checkLeaderEpoch } from './leader-epoch.js'
import { refusedTopicReplies, refusedTopics } from '../security/guards.js'
import { defineHandler, type BrokerContext, type Reply } from './types.js'

/**
 * Fetch (1), versions 4–17 (v12+ flexible; v13+ name topics by id).
 * Behavior: for each partition, returns whole record batches starting with the batch that contains fetchOffset,
 * read from the segment files as opaque bytes. Limits: partitionMaxBytes per partition and maxBytes (at most the
 * broker's fetch.max.bytes, 1 MiB by default: see its description in config.ts) in total,
 * except that the first non-empty partition always returns at least one batch (KIP-74) so a batch larger than
 * the limits still makes progress. Long-poll: while fewer than minBytes are available, the request waits for an
 * append to one of its partitions, at most maxWaitMs (and never past broker shutdown).
 * No incremental fetch sessions (KIP-227): sessionId is always 0, which tells clients to send full requests.
 * Transactions: lastStableOffset is the first offset of the earliest open transaction (else the high watermark).
 * isolationLevel=1 (read_committed) returns only batches below it, plus the aborted transactions overlapping what is
 * returned (producerId, firstOffset) so the client drops their records; read_uncommitted sees every batch.
 */
type FetchRequest = RequestOf<typeof FetchApi>
type FetchReply = Reply<typeof FetchApi>
type TopicReply = NonNullable<FetchReply['responses']>[number]

export const fetchHandler = defineHandler({
  api: FetchApi,
  minVersion: 4,
  maxVersion: 17,
  async handle (request, context) {
    const { broker, version } = context
    // READ on each topic (security/): refused topics are answered apart and never read; free without an authorizer.
    const refused = refusedTopics(context, 'READ', request.topics, (topic) => version >= 13 ? broker.topics.getById(topic.topicId)?.name : topic.topic)
    if (refused !== null) request = { ...request, topics: request.topics.filter((topic) => !refused.has(topic)) }
    let result = collect(broker, request, version)
    const deadline = Date.now() + request.maxWaitMs
    while (result.bytes < request.minBytes && result.logs.length > 0 && !broker.closing.aborted) {
      const remaining = deadline - Date.now()
      if (remaining <= 0) break
      await waitForAppend(result.logs, remaining, broker.closing)
      result = collect(broker, request, version)
    }
    if (refused !== null) result.responses.push(...refusedTopicReplies(refused, (topic) => ({ topic: topic.topic, topicId: topic.topicId }), (topic) => topic.partitions.map((partition) => partition.partition), ErrorCode.TOPIC_AUTHORIZATION_FAILED, DENIED_PARTITION) as TopicReply[])
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: result.responses }
  }
})

interface Collected { responses: TopicReply[], bytes: number, logs: PartitionLog[] }

function collect (broker: BrokerContext, request: FetchRequest, version: number): Collected {
  const byId = version >= 13
  let bytes = 0
  let remaining = Math.min(request.maxBytes, broker.config.fetchMaxBytes)
  const logs: PartitionLog[] = []
  const responses = request.topics.map((wanted) => {
    const topic = byId ? broker.topics.getById(wanted.topicId) : broker.topics.get(wanted.topic)
    const missing = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    return {
      topic: wanted.topic,
      topicId: wanted.topicId,
      partitions: wanted.partitions.map((partition) => {
        const log = topic?.partitions[partition.partition]
        const base = { partitionIndex: partition.partition, errorCode: ErrorCode.NONE, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: [], preferredReadReplica: -1, records: EMPTY }
        if (log === undefined) return { ...base, errorCode: topic === undefined ? missing : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
        const epochError = checkLeaderEpoch(partition.currentLeaderEpoch)
        const offsets = { highWatermark: log.logEndOffset, lastStableOffset: broker.producers.lastStableOffset(log), logStartOffset: log.logStartOffset }
        if (epochError !== ErrorCode.NONE) return { ...base, ...offsets, errorCode: epochError }
        const offset = partition.fetchOffset
        if (offset < log.logStartOffset || offset > log.logEndOffset) return { ...base, ...offsets, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE }
        logs.push(log)
        if (offset === log.logEndOffset) return { ...base, ...offsets }
        const limit = Math.min(partition.partitionMaxBytes, remaining)
        if (limit <= 0 && bytes > 0) return { ...base, ...offsets }
        // Only the response's first batch may exceed the limits (KIP-74); later partitions whose next batch does not
        // fit are skipped without reading it (with a small fetch.max.bytes most partitions of a request are).
        const read = log.read(offset, Math.max(limit, 1), bytes > 0)
        const { records, abortedTransactions } = request.isolationLevel === 1 ? broker.producers.readCommitted(log, offset, read) : { records: read, abortedTransactions: [] }
        if (records.length === 0 && read.length > 0) returnReadBuffer(read) // nothing of it is sent: the slab goes back now
        if (records.length > limit && bytes > 0) return { ...base, ...offsets }
        bytes += records.length
        remaining -= records.length
        return { ...base, ...offsets, records, abortedTransactions }
      })
    }
  })
  return { responses, bytes, logs }
}

function waitForAppend (logs: PartitionLog[], timeoutMs: number, closing: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribes: Array<() => void> = []
    const done = (): void => {
      clearTimeout(timer)
      closing.removeEventListener('abort', done)
      for (const unsubscribe of unsubscribes) unsubscribe()
      resolve()
    }
    const timer = setTimeout(done, timeoutMs)
    closing.addEventListener('abort', done)
    for (const log of new Set(logs)) unsubscribes.push(log.onAppend(done))
  })
}

const EMPTY = Buffer.alloc(0)
const DENIED_PARTITION = { highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: [], preferredReadReplica: -1, records: EMPTY }
