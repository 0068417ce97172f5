import { ErrorCode, MetadataApi, ZERO_UUID } from '@samsa/protocol'
import type { Topic } from '../topics/topic-registry.js'
import { metadataTopicError, mayDescribeTopic } from '../security/guards.js'
import { AUTHORIZED_OPERATIONS_OMITTED, authorizedOperations, clusterAuthorizedOperations } from '../security/authorized-operations.js'
import { UnanswerableRequestError } from '../errors.js'
import { defineHandler, type BrokerContext, type Reply } from './types.js'

/**
 * Metadata (3), versions 0–12.
 * Behavior: one broker (this node) leads every partition with a single replica, leader epoch 0. Topic selection:
 * v0 empty list = all topics; v1+ null = all topics, empty = none. Unknown topics are auto-created when
 * auto.create.topics.enable is on and the request allows it (allowAutoTopicCreation, v4+; always allowed below
 * v4); the reply then already carries the new topic. v12+ may name topics by id (UNKNOWN_TOPIC_ID if unknown).
 * KIP-430 (v8+): includeTopicAuthorizedOperations adds the bit set of topic operations the principal may perform to
 * every topic it may describe; includeClusterAuthorizedOperations (v8–10) the cluster's (0 without DESCRIBE on it).
 * Version notes: topic ids on the wire from v10, but lookups by id only from v12, as in Kafka: a v10–11 topic with a
 * topic id gets INVALID_REQUEST, and one with a null name closes the connection (no v10–11 answer can carry it).
 */
type MetadataReply = Reply<typeof MetadataApi>
type TopicReply = NonNullable<MetadataReply['topics']>[number]

export const metadataHandler = defineHandler({
  api: MetadataApi,
  minVersion: 0,
  maxVersion: 12,
  handle (request, context) {
    const { broker, version } = context
    const allTopics = request.topics === null || (version === 0 && request.topics.length === 0)
    const allowAutoCreate = version < 4 || request.allowAutoTopicCreation
    const topics: TopicReply[] = allTopics
      ? broker.topics.list().filter((topic) => mayDescribeTopic(context, topic.name)).map((topic) => describeTopic(broker, topic))
      : (request.topics ?? []).map((wanted) => {
          if (version < 12 && wanted.name === null) throw new UnanswerableRequestError(`topic name can not be null for version ${version}`)
          if (version < 12 && wanted.topicId !== ZERO_UUID) return { errorCode: ErrorCode.INVALID_REQUEST, name: wanted.name, partitions: [] }
          if (wanted.topicId !== ZERO_UUID && (wanted.name === null || wanted.name === '')) {
            const byId = broker.topics.getById(wanted.topicId)
            if (byId !== undefined && !mayDescribeTopic(context, byId.name)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name: null, topicId: wanted.topicId }
            return byId !== undefined ? describeTopic(broker, byId) : { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: wanted.topicId }
          }
          // security/: DESCRIBE on the topic, and CREATE (cluster or topic) to auto-create it.
          const denied = metadataTopicError(context, wanted.name ?? '', broker.topics.get(wanted.name ?? '') !== undefined, allowAutoCreate && broker.config.autoCreateTopicsEnable)
          if (denied !== ErrorCode.NONE) return { errorCode: denied, name: wanted.name ?? '', partitions: [] }
          return lookupByName(broker, wanted.name ?? '', allowAutoCreate)
        })
    if (version >= 8 && request.includeTopicAuthorizedOperations) {
      // Refused topics (and unknown ids, which have no name) keep the "not requested" value, as in Kafka.
      for (const topic of topics) {
        if (topic.name != null && topic.errorCode !== ErrorCode.TOPIC_AUTHORIZATION_FAILED) topic.topicAuthorizedOperations = authorizedOperations(context, 'TOPIC', topic.name)
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: broker.nodeId, host: broker.advertised.host, port: broker.advertised.port, rack: null }],
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      topics,
      clusterAuthorizedOperations: version >= 8 && version <= 10 && request.includeClusterAuthorizedOperations ? clusterAuthorizedOperations(context) : AUTHORIZED_OPERATIONS_OMITTED
    }
  }
})

function lookupByName (broker: BrokerContext, name: string, allowAutoCreate: boolean): TopicReply {
  const existing = broker.topics.get(name)
  if (existing !== undefined) return describeTopic(broker, existing)
  if (broker.topics.nameProblem(name) !== null) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, partitions: [] }
  const created = allowAutoCreate ? broker.topics.autoCreate(name) : undefined
  if (created !== undefined) return describeTopic(broker, created)
  return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: [] }
}

function describeTopic (broker: BrokerContext, topic: Topic): TopicReply {
  const replicas = [broker.nodeId]
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.id,
    isInternal: topic.name.startsWith('__'),
    partitions: topic.partitions.map((_log, partitionIndex) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex,
      leaderId: broker.nodeId,
      leaderEpoch: 0,
      replicaNodes: replicas,
      isrNodes: replicas,
      offlineReplicas: []
    }))
  }
}
