import { defineApi } from '../codec/api.js'
import { array, int16, int32, string, struct, uuid } from '../codec/schema.js'

/**
 * DeleteTopics (key 20). Versions 0–6; flexible from 4.
 * - v1: response adds throttleTimeMs. v2, v3: same layout (v3 may return TOPIC_DELETION_DISABLED).
 * - v4: first flexible version. v5: response adds errorMessage; THROTTLING_QUOTA_EXCEEDED possible (KIP-599).
 * - v6: topics given as {name, topicId} pairs (either may be used; name may be null) instead of a name list;
 *   the response returns topic ids (KIP-516).
 */
export const DeleteTopicsApi = defineApi({
  key: 20,
  name: 'DeleteTopics',
  valid: '0-6',
  flexible: '4+',
  request: {
    topics: array(struct({
      name: string({ versions: '6+', nullable: '6+', default: null }),
      topicId: uuid({ versions: '6+' })
    }), { versions: '6+' }),
    topicNames: array(string(), { versions: '0-5' }),
    timeoutMs: int32()
  },
  response: {
    throttleTimeMs: int32({ versions: '1+' }),
    responses: array(struct({
      name: string({ nullable: '6+', default: '' }),
      topicId: uuid({ versions: '6+' }),
      errorCode: int16(),
      errorMessage: string({ versions: '5+', nullable: '5+', default: null })
    }))
  }
})
