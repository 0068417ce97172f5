import { defineApi } from '../codec/api.js'
import { array, bool, bytes, int16, int32, string, struct } from '../codec/schema.js'

/**
 * DescribeGroups (key 15). Versions 0–5; flexible from 5.
 * - v1: response adds throttleTimeMs. v2: same layout.
 * - v3: includeAuthorizedOperations; response adds authorizedOperations per group.
 * - v4: members report their groupInstanceId (KIP-345). v5: first flexible version.
 * protocolData and the member metadata/assignment are only filled while the group is Stable.
 */
export const DescribeGroupsApi = defineApi({
  key: 15,
  name: 'DescribeGroups',
  valid: '0-5',
  flexible: '5+',
  request: {
    groups: array(string()),
    includeAuthorizedOperations: bool({ versions: '3+' })
  },
  response: {
    throttleTimeMs: int32({ versions: '1+' }),
    groups: array(struct({
      errorCode: int16(),
      groupId: string(),
      groupState: string(),
      protocolType: string(),
      protocolData: string(),
      members: array(struct({
        memberId: string(),
        groupInstanceId: string({ versions: '4+', nullable: '4+', default: null }),
        clientId: string(),
        clientHost: string(),
        memberMetadata: bytes(),
        memberAssignment: bytes()
      })),
      authorizedOperations: int32({ versions: '3+', default: -2147483648 })
    }))
  }
})
