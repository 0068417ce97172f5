import { defineApi } from '../codec/api.js'
import { array, int16, int32, string, struct } from '../codec/schema.js'

/**
 * DeleteGroups (key 42). Versions 0–2; flexible from 2.
 * - v1: same layout (throttled responses are sent before throttling). v2: first flexible version.
 */
export const DeleteGroupsApi = defineApi({
  key: 42,
  name: 'DeleteGroups',
  valid: '0-2',
  flexible: '2+',
  request: {
    groupsNames: array(string())
  },
  response: {
    throttleTimeMs: int32(),
    results: array(struct({
      groupId: string(),
      errorCode: int16()
    }))
  }
})
