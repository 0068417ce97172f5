import { defineApi } from '../codec/api.js'
import { array, int16, int32, int64, string, struct } from '../codec/schema.js'

/**
 * OffsetForLeaderEpoch (key 23). Versions 0–4; flexible from 4.
 * - v1: response adds the leader epoch of the returned end offset. v2: currentLeaderEpoch in the request
 *   (fencing); response adds throttleTimeMs.
 * - v3: replicaId in the request; its default -2 marks a debugging consumer that may see offsets above the high
 *   watermark (followers send their broker id). v4: first flexible version.
 */
export const OffsetForLeaderEpochApi = defineApi({
  key: 23,
  name: 'OffsetForLeaderEpoch',
  valid: '0-4',
  flexible: '4+',
  request: {
    replicaId: int32({ versions: '3+', default: -2 }),
    topics: array(struct({
      topic: string(),
      partitions: array(struct({
        partition: int32(),
        currentLeaderEpoch: int32({ versions: '2+', default: -1 }),
        leaderEpoch: int32()
      }))
    }))
  },
  response: {
    throttleTimeMs: int32({ versions: '2+' }),
    topics: array(struct({
      topic: string(),
      partitions: array(struct({
        errorCode: int16(),
        partition: int32(),
        leaderEpoch: int32({ versions: '1+', default: -1 }),
        endOffset: int64({ default: -1 })
      }))
    }))
  }
})
