import { defineApi } from '../codec/api.js'
import { array, int16, int32, string, struct } from '../codec/schema.js'

/**
 * ListGroups (key 16). Versions 0–5; flexible from 3.
 * - v1: response adds throttleTimeMs. v2: same layout. v3: first flexible version.
 * - v4: statesFilter in the request, groupState in the response (KIP-518).
 * - v5: typesFilter in the request, groupType ("classic" / "consumer") in the response (KIP-848).
 */
export const ListGroupsApi = defineApi({
  key: 16,
  name: 'ListGroups',
  valid: '0-5',
  flexible: '3+',
  request: {
    statesFilter: array(string(), { versions: '4+' }),
    typesFilter: array(string(), { versions: '5+' })
  },
  response: {
    throttleTimeMs: int32({ versions: '1+' }),
    errorCode: int16(),
    groups: array(struct({
      groupId: string(),
      protocolType: string(),
      groupState: string({ versions: '4+' }),
      groupType: string({ versions: '5+' })
    }))
  }
})
