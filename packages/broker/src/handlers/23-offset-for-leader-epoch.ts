import { ErrorCode, OffsetForLeaderEpochApi } from '@samsa/protocol'
import { LEADER_EPOCH, checkLeaderEpoch } from './leader-epoch.js'
import { refusedTopics } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * OffsetForLeaderEpoch (23), versions 2–4 (v4 flexible). Used by consumers after a leader change to detect log
 * truncation (KIP-320).
 * Behavior: the only epoch is 0, so asking for epoch ≤ 0 gets (epoch 0, log end offset); a later epoch gets the
 * "undefined" answer (-1, -1) as Kafka gives for epochs it has not seen.
 */
export const offsetForLeaderEpochHandler = defineHandler({
  api: OffsetForLeaderEpochApi,
  minVersion: 2,
  maxVersion: 4,
  handle (request, context) {
    const { broker } = context
    const refused = refusedTopics(context, 'DESCRIBE', request.topics, (topic) => topic.topic) // security/: DESCRIBE per topic
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        topic: topic.topic,
        partitions: topic.partitions.map((partition) => {
          const log = broker.topics.get(topic.topic)?.partitions[partition.partition]
          const answer = { partition: partition.partition, errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1 }
          if (refused?.has(topic) === true) return { ...answer, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }
          if (log === undefined) return { ...answer, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
          const epochError = checkLeaderEpoch(partition.currentLeaderEpoch)
          if (epochError !== ErrorCode.NONE) return { ...answer, errorCode: epochError }
          if (partition.leaderEpoch > LEADER_EPOCH) return answer
          return { ...answer, leaderEpoch: LEADER_EPOCH, endOffset: log.logEndOffset }
        })
      }))
    }
  }
})
