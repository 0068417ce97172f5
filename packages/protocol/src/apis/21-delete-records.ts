import { defineApi } from '../codec/api.js'
import { array, int16, int32, int64, string, struct } from '../codec/schema.js'

/**
 * DeleteRecords (key 21). Versions 0–2; flexible from 2. Moves each partition's log start offset up to the given
 * offset (-1 = the high watermark) and returns the resulting low watermark.
 * - v1: same layout (throttled responses are sent before throttling). v2: first flexible version.
 */
export const DeleteRecordsApi = defineApi({
  key: 21,
  name: 'DeleteRecords',
  valid: '0-2',
  flexible: '2+',
  request: {
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        offset: int64()
      }))
    })),
    timeoutMs: int32()
  },
  response: {
    throttleTimeMs: int32(),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        lowWatermark: int64(),
        errorCode: int16()
      }))
    }))
  }
})
