import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, string, struct } from '../codec/schema.js'

/**
 * CreatePartitions (key 37). Versions 0–3; flexible from 2.
 * - v1: same layout (throttled responses are sent before throttling). v2: first flexible version.
 * - v3: THROTTLING_QUOTA_EXCEEDED possible (KIP-599).
 * count is the new total number of partitions; assignments (one broker list per new partition) may be null.
 */
export const CreatePartitionsApi = defineApi({
  key: 37,
  name: 'CreatePartitions',
  valid: '0-3',
  flexible: '2+',
  request: {
    topics: array(struct({
      name: string(),
      count: int32(),
      assignments: array(struct({
        brokerIds: array(int32())
      }), { nullable: '0+', default: [] })
    })),
    timeoutMs: int32(),
    validateOnly: bool()
  },
  response: {
    throttleTimeMs: int32(),
    results: array(struct({
      name: string(),
      errorCode: int16(),
      errorMessage: string({ nullable: '0+', default: null })
    }))
  }
})
