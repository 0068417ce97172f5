import { ErrorCode, OffsetDeleteApi } from '@samsa/protocol'
import { groupError, partitionErrors, refusedTopics } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * OffsetDelete (47), version 0 (KIP-496).
 * Behavior: removes committed offsets of partitions the group does not consume, durably before answering.
 * Group level: INVALID_GROUP_ID (empty id), GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (members of a non-"consumer"
 * protocol, whose topics the broker cannot know). Per partition: GROUP_SUBSCRIBED_TO_TOPIC while a member
 * subscribes to the topic, UNKNOWN_TOPIC_OR_PARTITION; a partition without an offset is simply NONE.
 */
export const offsetDeleteHandler = defineHandler({
  api: OffsetDeleteApi,
  minVersion: 0,
  maxVersion: 0,
  async handle (request, context) {
    const { broker } = context
    if (request.groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, throttleTimeMs: 0, topics: [] }
    // security/: DELETE on the group, READ on each topic.
    const groupDenied = groupError(context, 'DELETE', request.groupId)
    if (groupDenied !== ErrorCode.NONE) return { errorCode: groupDenied, throttleTimeMs: 0, topics: [] }
    const refused = refusedTopics(context, 'READ', request.topics, (topic) => topic.name)
    const result = await broker.groups.offsets.delete(request.groupId, (refused === null ? request.topics : request.topics.filter((topic) => !refused.has(topic))).map((topic) => ({ name: topic.name, partitions: topic.partitions.map((partition) => partition.partitionIndex) })))
    return { errorCode: result.errorCode, throttleTimeMs: 0, topics: refused === null ? result.topics : [...result.topics, ...partitionErrors(refused, ErrorCode.TOPIC_AUTHORIZATION_FAILED)] }
  }
})
