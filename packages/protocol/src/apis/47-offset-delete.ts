import { defineApi } from '../codec/api.js'
import { array, int16, int32, string, struct } from '../codec/schema.js'

/**
 * OffsetDelete (key 47). Version 0 only; never flexible (KIP-496). Removes committed offsets of partitions the
 * group no longer consumes. Note the response puts errorCode before throttleTimeMs.
 */
export const OffsetDeleteApi = defineApi({
  key: 47,
  name: 'OffsetDelete',
  valid: '0',
  flexible: 'none',
  request: {
    groupId: string(),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32()
      }))
    }))
  },
  response: {
    errorCode: int16(),
    throttleTimeMs: int32(),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        errorCode: int16()
      }))
    }))
  }
})
