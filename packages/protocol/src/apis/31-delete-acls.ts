import { defineApi } from '../codec/api.js'
import { array, int16, int32, int8, string, struct } from '../codec/schema.js'

/**
 * DeleteAcls (key 31). Versions 0–3; flexible from 2. Each filter reports the ACLs it matched and deleted.
 * - v1: pattern type filter / pattern type (KIP-290; default 3 = literal); throttled responses are sent before
 *   throttling. v2: first flexible version. v3: the USER resource type (KIP-373).
 */
export const DeleteAclsApi = defineApi({
  key: 31,
  name: 'DeleteAcls',
  valid: '0-3',
  flexible: '2+',
  request: {
    filters: array(struct({
      resourceTypeFilter: int8(),
      resourceNameFilter: string({ nullable: '0+', default: '' }),
      patternTypeFilter: int8({ versions: '1+', default: 3 }),
      principalFilter: string({ nullable: '0+', default: '' }),
      hostFilter: string({ nullable: '0+', default: '' }),
      operation: int8(),
      permissionType: int8()
    }))
  },
  response: {
    throttleTimeMs: int32(),
    filterResults: array(struct({
      errorCode: int16(),
      errorMessage: string({ nullable: '0+', default: '' }),
      matchingAcls: array(struct({
        errorCode: int16(),
        errorMessage: string({ nullable: '0+', default: '' }),
        resourceType: int8(),
        resourceName: string(),
        patternType: int8({ versions: '1+', default: 3 }),
        principal: string(),
        host: string(),
        operation: int8(),
        permissionType: int8()
      }))
    }))
  }
})
