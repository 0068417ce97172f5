import { defineApi } from '../codec/api.js'
import { array, bytes, int16, int32, string, struct } from '../codec/schema.js'

/**
 * SyncGroup (key 14). Versions 0–5; flexible from 4.
 * - v1: response adds throttleTimeMs. v2: same layout.
 * - v3: groupInstanceId for static membership (KIP-345). v4: first flexible version.
 * - v5: protocolType and protocolName in request and response; the broker rejects values that disagree with the
 *   group's (KIP-559).
 */
export const SyncGroupApi = defineApi({
  key: 14,
  name: 'SyncGroup',
  valid: '0-5',
  flexible: '4+',
  request: {
    groupId: string(),
    generationId: int32(),
    memberId: string(),
    groupInstanceId: string({ versions: '3+', nullable: '3+', default: null }),
    protocolType: string({ versions: '5+', nullable: '5+', default: null }),
    protocolName: string({ versions: '5+', nullable: '5+', default: null }),
    assignments: array(struct({
      memberId: string(),
      assignment: bytes()
    }))
  },
  response: {
    throttleTimeMs: int32({ versions: '1+' }),
    errorCode: int16(),
    protocolType: string({ versions: '5+', nullable: '5+', default: null }),
    protocolName: string({ versions: '5+', nullable: '5+', default: null }),
    assignment: bytes()
  }
})
