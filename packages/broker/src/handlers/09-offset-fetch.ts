import { ErrorCode, OffsetFetchApi } from '@samsa/protocol'
import type { FetchedGroup } from '../groups/offsets.js'
import type { BrokerContext } from './types.js'
import { guardOffsetFetch } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * OffsetFetch (9), versions 0–9 (flexible from 6).
 * Behavior: committed offset, leader epoch and metadata per partition; -1 / -1 / "" for partitions without a
 * committed offset (also for unknown groups and topics). A null topic list (v2+) returns every partition the
 * group committed. Answers after the group's earlier commits are durable. requireStable (v7+): partitions with
 * offsets pending in an open transaction answer UNSTABLE_OFFSET_COMMIT (KIP-447), so the consumer retries.
 * Version notes: v2 top-level error code; v5 leader epochs; v8 several groups per request with per-group errors;
 * v9 member id/epoch (checked by KIP-848 groups).
 */
export const offsetFetchHandler = defineHandler({
  api: OffsetFetchApi,
  minVersion: 0,
  maxVersion: 9,
  async handle (request, context) {
    const { broker, version } = context
    // security/ (guardOffsetFetch): DESCRIBE on the group, and on each topic.
    if (version >= 8) {
      const groups = await Promise.all(request.groups.map(async (group) => {
        const member = version >= 9 ? { memberId: group.memberId, memberEpoch: group.memberEpoch } : undefined
        const fetched = markUnstable(broker, group.groupId, request.requireStable, guardOffsetFetch(context, group.groupId, group.topics, await broker.groups.offsets.fetch(group.groupId, group.topics, member)))
        return { groupId: group.groupId, errorCode: fetched.errorCode, topics: fetched.topics }
      }))
      return { throttleTimeMs: 0, groups }
    }
    const fetched = markUnstable(broker, request.groupId, version >= 7 && request.requireStable, guardOffsetFetch(context, request.groupId, request.topics, await broker.groups.offsets.fetch(request.groupId, request.topics)))
    if (version < 2 && fetched.errorCode !== ErrorCode.NONE) {
      // Before v2 there is no top-level error: a group error is reported on every requested partition.
      return {
        throttleTimeMs: 0,
        topics: (request.topics ?? []).map((topic) => ({
          name: topic.name,
          partitions: topic.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: fetched.errorCode }))
        }))
      }
    }
    return { throttleTimeMs: 0, errorCode: fetched.errorCode, topics: fetched.topics }
  }
})

function markUnstable (broker: BrokerContext, groupId: string, requireStable: boolean, fetched: FetchedGroup): FetchedGroup {
  if (!requireStable || fetched.errorCode !== ErrorCode.NONE) return fetched
  for (const topic of fetched.topics) {
    for (const partition of topic.partitions) {
      if (!broker.transactions.hasPendingOffsets(groupId, topic.name, partition.partitionIndex)) continue
      Object.assign(partition, { committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT })
    }
  }
  return fetched
}
