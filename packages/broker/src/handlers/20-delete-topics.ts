import { DeleteTopicsApi, ErrorCode, ZERO_UUID } from '@samsa/protocol'
import type { Topic } from '../topics/topic-registry.js'
import { authorize } from '../security/authorize.js'
import { defineHandler, type Reply } from './types.js'

/**
 * DeleteTopics (20), versions 0–6.
 * Behavior: each topic is removed from topics.json, then its partition directories are deleted; the reply is sent
 * when the files are gone, so a client may recreate the name right after. Unknown name → UNKNOWN_TOPIC_OR_PARTITION,
 * unknown id → UNKNOWN_TOPIC_ID, both name and id given → INVALID_REQUEST, delete.topic.enable=false →
 * TOPIC_DELETION_DISABLED. A topic named twice is deleted once and answered once.
 * Version notes: v0–5 name topics in topicNames; v6 as {name, topicId} pairs (either one) and the reply carries
 * the topic id; v5+ errorMessage.
 */
type TopicResult = NonNullable<Reply<typeof DeleteTopicsApi>['responses']>[number]

export const deleteTopicsHandler = defineHandler({
  api: DeleteTopicsApi,
  minVersion: 0,
  maxVersion: 6,
  async handle (request, context) {
    const { broker, version } = context
    const wanted = version >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }))
    const seen = new Set<string>()
    const deletions: Array<Promise<void>> = []
    const responses: TopicResult[] = []
    for (const { name, topicId } of wanted) {
      const key = name ?? `id:${topicId}`
      if (seen.has(key)) continue
      seen.add(key)
      const answer = (errorCode: number, errorMessage: string | null, topic?: Topic): TopicResult =>
        ({ name: topic?.name ?? name ?? null, topicId: topic?.id ?? topicId, errorCode, errorMessage })
      if (name !== null && topicId !== ZERO_UUID) {
        responses.push(answer(ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'))
        continue
      }
      const topic = name !== null ? broker.topics.get(name) : broker.topics.getById(topicId)
      if ((name !== null || topic !== undefined) && !authorize(context, 'DELETE', 'TOPIC', topic?.name ?? name!)) { // security/
        responses.push(answer(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Topic authorization failed.'))
        continue
      }
      if (topic === undefined) {
        responses.push(name !== null
          ? answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
          : answer(ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.'))
        continue
      }
      if (!broker.config.deleteTopicEnable) {
        responses.push(answer(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled (delete.topic.enable=false).', topic))
        continue
      }
      seen.add(topic.name)
      seen.add(`id:${topic.id}`)
      deletions.push(broker.topics.delete(topic))
      responses.push(answer(ErrorCode.NONE, null, topic))
    }
    await Promise.all(deletions)
    return { throttleTimeMs: 0, responses }
  }
})
