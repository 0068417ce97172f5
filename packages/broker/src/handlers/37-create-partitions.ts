import { CreatePartitionsApi, ErrorCode } from '@samsa/protocol'
import { ApiError } from '../topics/api-error.js'
import { MAX_PARTITIONS_PER_TOPIC } from '../topics/topic-registry.js'
import { NO_ASSIGNMENTS_MESSAGE } from '../topics/topic-admin.js'
import { authorize } from '../security/authorize.js'
import { defineHandler } from './types.js'

/**
 * CreatePartitions (37), versions 0–3.
 * Behavior: count is the new total. Increase only: a count equal to the current one or below it is
 * INVALID_PARTITIONS with Kafka's message; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION; a topic named twice
 * is INVALID_REQUEST; explicit assignments (a non-empty list) are INVALID_REPLICA_ASSIGNMENT — one broker has
 * nothing to assign. New partitions start empty at offset 0. validateOnly checks without creating.
 * Version notes: v2+ flexible; no layout changes across versions.
 */
export const createPartitionsHandler = defineHandler({
  api: CreatePartitionsApi,
  minVersion: 0,
  maxVersion: 3,
  handle (request, context) {
    const { broker } = context
    const counts = new Map<string, number>()
    for (const topic of request.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1)
    const results = request.topics.map((wanted) => {
      try {
        if ((counts.get(wanted.name) ?? 0) > 1) throw new ApiError(ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.')
        if (!authorize(context, 'ALTER', 'TOPIC', wanted.name)) throw new ApiError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Topic authorization failed.') // security/
        const topic = broker.topics.get(wanted.name)
        if (topic === undefined) throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${wanted.name}' does not exist.`)
        const current = topic.partitions.length
        if (wanted.count < current) throw new ApiError(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${wanted.count}.`)
        if (wanted.count === current) throw new ApiError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`)
        if (wanted.count > MAX_PARTITIONS_PER_TOPIC) throw new ApiError(ErrorCode.INVALID_PARTITIONS, `Number of partitions ${wanted.count} exceeds samsa's limit of ${MAX_PARTITIONS_PER_TOPIC} per topic.`)
        if (wanted.assignments !== null && wanted.assignments.length > 0) throw new ApiError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, NO_ASSIGNMENTS_MESSAGE)
        if (!request.validateOnly) broker.topics.addPartitions(topic, wanted.count)
        return { name: wanted.name, errorCode: ErrorCode.NONE, errorMessage: null }
      } catch (error) {
        if (error instanceof ApiError) return { name: wanted.name, errorCode: error.errorCode, errorMessage: error.message }
        throw error
      }
    })
    return { throttleTimeMs: 0, results }
  }
})
