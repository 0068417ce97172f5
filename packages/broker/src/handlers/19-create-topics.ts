import { CreateTopicsApi, ErrorCode, ZERO_UUID } from '@samsa/protocol'
import { ApiError } from '../topics/api-error.js'
import { describeTopicConfigs } from '../topics/config-describe.js'
import { normalizeTopicConfigs } from '../topics/topic-configs.js'
import { NO_ASSIGNMENTS_MESSAGE, resolvePartitions, resolveReplicationFactor } from '../topics/topic-admin.js'
import { mayCreateTopic } from '../security/guards.js'
import { defineHandler, type Reply } from './types.js'

/**
 * CreateTopics (19), versions 0–7.
 * Behavior: each topic is checked on its own, in Kafka's order — a name given twice in one request
 * (INVALID_REQUEST for every copy), the name (INVALID_TOPIC_EXCEPTION, including '.'/'_' collisions), existence
 * (TOPIC_ALREADY_EXISTS, also while a deletion of that name is in progress), explicit replica assignments
 * (INVALID_REPLICA_ASSIGNMENT: one broker has nothing to assign), numPartitions (-1 = num.partitions;
 * ≤ 0 → INVALID_PARTITIONS), replicationFactor (-1 = default.replication.factor; ≤ 0 → INVALID_REPLICATION_FACTOR,
 * and > 1 with replication.strict=true), then the configs (INVALID_CONFIG naming the key). A failing topic is not
 * created at all; the others are. validateOnly runs every check and creates nothing.
 * Version notes: v1 validateOnly and errorMessage; v5 the reply echoes partitions, replication factor and every
 * config with its source; v7 the topic id. topics.json is written once per request.
 */
type TopicResult = NonNullable<Reply<typeof CreateTopicsApi>['topics']>[number]

export const createTopicsHandler = defineHandler({
  api: CreateTopicsApi,
  minVersion: 0,
  maxVersion: 7,
  handle (request, context) {
    const { broker, version } = context
    const counts = new Map<string, number>()
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1)
    let created = 0
    const topics = request.topics.map((wanted): TopicResult => {
      const failed = (error: ApiError): TopicResult => ({ name: wanted.name, topicId: ZERO_UUID, errorCode: error.errorCode, errorMessage: error.message, numPartitions: -1, replicationFactor: -1, configs: [] })
      try {
        if ((counts.get(wanted.name) ?? 0) > 1) throw new ApiError(ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.')
        if (!mayCreateTopic(context, wanted.name)) throw new ApiError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.') // security/
        const problem = broker.topics.creationProblem(wanted.name)
        if (problem !== null) throw problem
        if (wanted.assignments.length > 0) throw new ApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, NO_ASSIGNMENTS_MESSAGE)
        const partitions = resolvePartitions(wanted.numPartitions, broker.config)
        const replicationFactor = resolveReplicationFactor(wanted.replicationFactor, broker.config)
        const configs = normalizeTopicConfigs(wanted.configs, broker.config)
        let topicId = ZERO_UUID
        if (!request.validateOnly) {
          topicId = broker.topics.create(wanted.name, partitions, { configs, replicationFactor, persist: false }).id
          created++
        }
        return {
          name: wanted.name,
          topicId,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          numPartitions: partitions,
          replicationFactor,
          configs: version >= 5
            ? describeTopicConfigs(configs, broker.config, null).map((config) => ({ name: config.name, value: config.value, readOnly: config.readOnly, configSource: config.source, isSensitive: config.isSensitive }))
            : []
        }
      } catch (error) {
        if (error instanceof ApiError) return failed(error)
        throw error
      }
    })
    if (created > 0) broker.topics.save()
    return { throttleTimeMs: 0, topics }
  }
})
