import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, int64, string, struct } from '../codec/schema.js'

/**
 * OffsetFetch (key 9). Versions 0–9; flexible from 6.
 * - v0 read offsets from ZooKeeper; v1 from the __consumer_offsets topic (same layout).
 * - v2: a null topic list asks for every partition of the group; response adds a top-level errorCode.
 * - v3: response adds throttleTimeMs. v4, v5: same layout except v5 adds committedLeaderEpoch in the response.
 * - v6: first flexible version. v7: requireStable (may answer UNSTABLE_OFFSET_COMMIT per partition).
 * - v8: several groups per request: groups replaces the top-level groupId/topics, and the response nests results
 *   per group. v9: memberId and memberEpoch for KIP-848 consumer groups.
 */
export const OffsetFetchApi = defineApi({
  key: 9,
  name: 'OffsetFetch',
  valid: '0-9',
  flexible: '6+',
  request: {
    groupId: string({ versions: '0-7' }),
    topics: array(struct({
      name: string({ versions: '0-7' }),
      partitionIndexes: array(int32(), { versions: '0-7' })
    }), { versions: '0-7', nullable: '2-7', default: [] }),
    groups: array(struct({
      groupId: string({ versions: '8+' }),
      memberId: string({ versions: '9+', nullable: '9+', default: null }),
      memberEpoch: int32({ versions: '9+', default: -1 }),
      topics: array(struct({
        name: string({ versions: '8+' }),
        partitionIndexes: array(int32(), { versions: '8+' })
      }), { versions: '8+', nullable: '8+', default: [] })
    }), { versions: '8+' }),
    requireStable: bool({ versions: '7+', default: false })
  },
  response: {
    throttleTimeMs: int32({ versions: '3+' }),
    topics: array(struct({
      name: string({ versions: '0-7' }),
      partitions: array(struct({
        partitionIndex: int32({ versions: '0-7' }),
        committedOffset: int64({ versions: '0-7' }),
        committedLeaderEpoch: int32({ versions: '5-7', default: -1 }),
        metadata: string({ versions: '0-7', nullable: '0-7', default: '' }),
        errorCode: int16({ versions: '0-7' })
      }), { versions: '0-7' })
    }), { versions: '0-7' }),
    errorCode: int16({ versions: '2-7', default: 0 }),
    groups: array(struct({
      groupId: string({ versions: '8+' }),
      topics: array(struct({
        name: string({ versions: '8+' }),
        partitions: array(struct({
          partitionIndex: int32({ versions: '8+' }),
          committedOffset: int64({ versions: '8+' }),
          committedLeaderEpoch: int32({ versions: '8+', default: -1 }),
          metadata: string({ versions: '8+', nullable: '8+', default: '' }),
          errorCode: int16({ versions: '8+' })
        }), { versions: '8+' })
      }), { versions: '8+' }),
      errorCode: int16({ versions: '8+', default: 0 })
    }), { versions: '8+' })
  }
})
