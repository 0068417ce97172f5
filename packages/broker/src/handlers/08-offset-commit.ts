import { ErrorCode, OffsetCommitApi } from '@samsa/protocol'
import { groupError, partitionErrors, refusedTopics } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * OffsetCommit (8), versions 0–9 (flexible from 8).
 * Behavior: stores committed offsets with their leader epoch and metadata exactly (null metadata becomes "", as in
 * Kafka), answering after the fdatasync that makes them durable (one fdatasync serves every commit in flight).
 * Generation -1 with no member id commits from outside group management (allowed while the group has no members;
 * creates the group if needed). Per partition: UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE
 * (offset.metadata.max.bytes); for the whole request: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
 * REBALANCE_IN_PROGRESS (assignment not received yet), COORDINATOR_NOT_AVAILABLE (storage failed).
 * Version notes: v1 generation/member and an explicit commit timestamp; v2–4 retentionTimeMs (an absolute expiry
 * instead of offsets.retention.minutes); v6 leader epoch; v7 groupInstanceId; v9 member epochs of KIP-848 groups.
 */
export const offsetCommitHandler = defineHandler({
  api: OffsetCommitApi,
  minVersion: 0,
  maxVersion: 9,
  async handle (request, context) {
    const { broker, version } = context
    // security/: READ on the group (else every partition fails), READ on each topic (refused topics are not committed).
    const groupDenied = groupError(context, 'READ', request.groupId)
    if (groupDenied !== ErrorCode.NONE) return { throttleTimeMs: 0, topics: partitionErrors(request.topics, groupDenied) }
    const refused = refusedTopics(context, 'READ', request.topics, (topic) => topic.name)
    const topics = await broker.groups.offsets.commit(request.groupId, {
      memberId: request.memberId,
      groupInstanceId: version >= 7 ? request.groupInstanceId : null,
      generationIdOrMemberEpoch: version >= 1 ? request.generationIdOrMemberEpoch : -1,
      apiVersion: version
    }, (refused === null ? request.topics : request.topics.filter((topic) => !refused.has(topic))).map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({
        partitionIndex: partition.partitionIndex,
        committedOffset: partition.committedOffset,
        committedLeaderEpoch: version >= 6 ? partition.committedLeaderEpoch : -1,
        committedMetadata: partition.committedMetadata,
        commitTimestamp: version === 1 ? partition.commitTimestamp : -1
      }))
    })), version >= 2 && version <= 4 ? request.retentionTimeMs : -1)
    return { throttleTimeMs: 0, topics: refused === null ? topics : [...topics, ...partitionErrors(refused, ErrorCode.TOPIC_AUTHORIZATION_FAILED)] }
  }
})
