import { ErrorCode, TxnOffsetCommitApi } from '@samsa/protocol'
import { groupError, partitionErrors, refusedTopics, transactionalIdError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * TxnOffsetCommit (28), versions 0–4 (v3+ flexible).
 * Behavior: stages consumer offsets inside the producer's transaction (after AddOffsetsToTxn for the group); they
 * become the group's committed offsets only when the transaction commits, and are dropped on abort. Unknown topics
 * or partitions → UNKNOWN_TOPIC_OR_PARTITION for those partitions. Wrong producer id → INVALID_PRODUCER_ID_MAPPING;
 * an old epoch → INVALID_PRODUCER_EPOCH (what Kafka's append to __consumer_offsets answers); the group not added to
 * the transaction → INVALID_TXN_STATE.
 * Version notes: v2 adds committedLeaderEpoch; v3 adds generationId/memberId/groupInstanceId, checked by the group
 * coordinator (KIP-447: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID) so a zombie consumer cannot commit.
 */
export const txnOffsetCommitHandler = defineHandler({
  api: TxnOffsetCommitApi,
  minVersion: 0,
  maxVersion: 4,
  async handle (request, context) {
    const { broker } = context
    // security/: WRITE on the transactional id and READ on the group (else every partition fails), READ per topic.
    const denied = transactionalIdError(context, 'WRITE', request.transactionalId) || groupError(context, 'READ', request.groupId)
    if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, topics: partitionErrors(request.topics, denied) }
    const refused = refusedTopics(context, 'READ', request.topics, (topic) => topic.name)
    if (refused !== null) request = { ...request, topics: request.topics.filter((topic) => !refused.has(topic)) }
    const known = (topic: string, partition: number): boolean => broker.topics.get(topic)?.partitions[partition] !== undefined
    const offsets = request.topics.flatMap((topic) => topic.partitions.filter((p) => known(topic.name, p.partitionIndex)).map((p) => ({
      topic: topic.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata
    })))
    let code: number = ErrorCode.NONE
    if (request.groupId === '') code = ErrorCode.INVALID_GROUP_ID
    else if (request.transactionalId === '') code = ErrorCode.INVALID_REQUEST
    else if (offsets.length > 0) {
      const member = { generationId: request.generationId, memberId: request.memberId, groupInstanceId: request.groupInstanceId }
      code = await broker.transactions.txnOffsetCommit(request.transactionalId, request.groupId, request.producerId, request.producerEpoch, member, offsets)
    }
    return {
      throttleTimeMs: 0,
      topics: [...request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: known(topic.name, p.partitionIndex) ? code : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }))
      })), ...partitionErrors(refused ?? [], ErrorCode.TOPIC_AUTHORIZATION_FAILED)]
    }
  }
})
