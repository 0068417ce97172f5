import { defineApi } from '../codec/api.js'
import { array, int16, int32, string, struct } from '../codec/schema.js'

/**
 * LeaveGroup (key 13). Versions 0–5; flexible from 4.
 * - v1: response adds throttleTimeMs. v2: same layout.
 * - v3: batch form: a list of members (memberId + groupInstanceId) replaces the single memberId, and the response
 *   reports an error per member (KIP-345). v4: first flexible version. v5: per-member reason (KIP-800).
 */
export const LeaveGroupApi = defineApi({
  key: 13,
  name: 'LeaveGroup',
  valid: '0-5',
  flexible: '4+',
  request: {
    groupId: string(),
    memberId: string({ versions: '0-2' }),
    members: array(struct({
      memberId: string({ versions: '3+' }),
      groupInstanceId: string({ versions: '3+', nullable: '3+', default: null }),
      reason: string({ versions: '5+', nullable: '5+', default: null })
    }), { versions: '3+' })
  },
  response: {
    throttleTimeMs: int32({ versions: '1+' }),
    errorCode: int16(),
    members: array(struct({
      memberId: string({ versions: '3+' }),
      groupInstanceId: string({ versions: '3+', nullable: '3+', default: '' }),
      errorCode: int16({ versions: '3+' })
    }), { versions: '3+' })
  }
})
