import { defineApi } from '../codec/api.js'
import { array, bool, bytes, int16, int32, string, struct } from '../codec/schema.js'

/**
 * JoinGroup (key 11). Versions 0–9; flexible from 6.
 * - v1: rebalanceTimeoutMs (its -1 default is only a placeholder: without it the session timeout applies).
 * - v2: response adds throttleTimeMs. v3: same layout.
 * - v4: a new member first gets MEMBER_ID_REQUIRED with its assigned id and must join again with it.
 * - v5: groupInstanceId for static membership (KIP-345). v6: first flexible version.
 * - v7: response returns protocolType, and protocolName becomes nullable (KIP-559). v8: reason (KIP-800).
 * - v9: response adds skipAssignment (the leader need not compute an assignment).
 */
export const JoinGroupApi = defineApi({
  key: 11,
  name: 'JoinGroup',
  valid: '0-9',
  flexible: '6+',
  request: {
    groupId: string(),
    sessionTimeoutMs: int32(),
    rebalanceTimeoutMs: int32({ versions: '1+', default: -1 }),
    memberId: string(),
    groupInstanceId: string({ versions: '5+', nullable: '5+', default: null }),
    protocolType: string(),
    protocols: array(struct({
      name: string(),
      metadata: bytes()
    })),
    reason: string({ versions: '8+', nullable: '8+', default: null })
  },
  response: {
    throttleTimeMs: int32({ versions: '2+' }),
    errorCode: int16(),
    generationId: int32({ default: -1 }),
    protocolType: string({ versions: '7+', nullable: '7+', default: null }),
    protocolName: string({ nullable: '7+', default: '' }),
    leader: string(),
    skipAssignment: bool({ versions: '9+', default: false }),
    memberId: string(),
    members: array(struct({
      memberId: string(),
      groupInstanceId: string({ versions: '5+', nullable: '5+', default: null }),
      metadata: bytes()
    }))
  }
})
