import { defineApi } from '../codec/api.js'
import { array, int16, int32, int64, string, struct } from '../codec/schema.js'

/**
 * OffsetCommit (key 8). Versions 0–9; flexible from 8.
 * - v1: generation id, member id and a per-partition commitTimestamp.
 * - v2: retentionTimeMs replaces commitTimestamp. v3: response adds throttleTimeMs. v4: same layout.
 * - v5: retentionTimeMs dropped (retention is broker config only). v6: committedLeaderEpoch per partition.
 * - v7: groupInstanceId (KIP-345). v8: first flexible version.
 * - v9: usable by KIP-848 consumer groups, where generationIdOrMemberEpoch carries the member epoch; may return
 *   STALE_MEMBER_EPOCH and GROUP_ID_NOT_FOUND.
 */
export const OffsetCommitApi = defineApi({
  key: 8,
  name: 'OffsetCommit',
  valid: '0-9',
  flexible: '8+',
  request: {
    groupId: string(),
    generationIdOrMemberEpoch: int32({ versions: '1+', default: -1 }),
    memberId: string({ versions: '1+' }),
    groupInstanceId: string({ versions: '7+', nullable: '7+', default: null }),
    retentionTimeMs: int64({ versions: '2-4', default: -1 }),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        committedOffset: int64(),
        committedLeaderEpoch: int32({ versions: '6+', default: -1 }),
        commitTimestamp: int64({ versions: '1', default: -1 }),
        committedMetadata: string({ nullable: '0+', default: '' })
      }))
    }))
  },
  response: {
    throttleTimeMs: int32({ versions: '3+' }),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        errorCode: int16()
      }))
    }))
  }
})
