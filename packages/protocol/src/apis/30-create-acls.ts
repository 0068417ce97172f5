import { defineApi } from '../codec/api.js'
import { array, int16, int32, int8, string, struct } from '../codec/schema.js'

/**
 * CreateAcls (key 30). Versions 0–3; flexible from 2.
 * - v1: resourcePatternType (KIP-290; default 3 = literal); throttled responses are sent before throttling.
 * - v2: first flexible version. v3: the USER resource type (KIP-373).
 */
export const CreateAclsApi = defineApi({
  key: 30,
  name: 'CreateAcls',
  valid: '0-3',
  flexible: '2+',
  request: {
    creations: array(struct({
      resourceType: int8(),
      resourceName: string(),
      resourcePatternType: int8({ versions: '1+', default: 3 }),
      principal: string(),
      host: string(),
      operation: int8(),
      permissionType: int8()
    }))
  },
  response: {
    throttleTimeMs: int32(),
    results: array(struct({
      errorCode: int16(),
      errorMessage: string({ nullable: '0+', default: '' })
    }))
  }
})
