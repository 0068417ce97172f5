import { defineApi } from '../codec/api.js'
import { int16, int32, string } from '../codec/schema.js'

/**
 * Heartbeat (key 12). Versions 0–4; flexible from 4.
 * - v1: response adds throttleTimeMs. v2: same layout (throttled responses are sent before throttling).
 * - v3: groupInstanceId for static membership (KIP-345). v4: first flexible version.
 */
export const HeartbeatApi = defineApi({
  key: 12,
  name: 'Heartbeat',
  valid: '0-4',
  flexible: '4+',
  request: {
    groupId: string(),
    generationId: int32(),
    memberId: string(),
    groupInstanceId: string({ versions: '3+', nullable: '3+', default: null })
  },
  response: {
    throttleTimeMs: int32({ versions: '1+' }),
    errorCode: int16()
  }
})
