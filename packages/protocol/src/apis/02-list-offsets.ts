import { defineApi } from '../codec/api.js'
import { array, int16, int32, int64, int8, string, struct } from '../codec/schema.js'

/**
 * ListOffsets (key 2). Versions 0–10; flexible from 6.
 * - v0: each partition asks for up to maxNumOffsets offsets and gets a list back (oldStyleOffsets).
 * - v1: exactly one offset per partition, returned with its timestamp. v2: isolationLevel; response adds
 *   throttleTimeMs. v3: same layout.
 * - v4: currentLeaderEpoch in the request and leaderEpoch in the response (fencing). v5: may return
 *   OFFSET_NOT_AVAILABLE.
 * - v6: first flexible version. v7: timestamp -3 = offset of the max timestamp (KIP-734). v8: timestamp -4 = local
 *   log start (KIP-405). v9: timestamp -5 = last tiered offset (KIP-1005). v10: request-wide timeoutMs for
 *   lookups in remote storage (KIP-1075).
 */
export const ListOffsetsApi = defineApi({
  key: 2,
  name: 'ListOffsets',
  valid: '0-10',
  flexible: '6+',
  request: {
    replicaId: int32(),
    isolationLevel: int8({ versions: '2+' }),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        currentLeaderEpoch: int32({ versions: '4+', default: -1 }),
        timestamp: int64(),
        maxNumOffsets: int32({ versions: '0', default: 1 })
      }))
    })),
    timeoutMs: int32({ versions: '10+' })
  },
  response: {
    throttleTimeMs: int32({ versions: '2+' }),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        errorCode: int16(),
        oldStyleOffsets: array(int64(), { versions: '0' }),
        timestamp: int64({ versions: '1+', default: -1 }),
        offset: int64({ versions: '1+', default: -1 }),
        leaderEpoch: int32({ versions: '4+', default: -1 })
      }))
    }))
  }
})
