import { defineApi } from '../codec/api.js'
import { array, int16, int32, int8, string, struct } from '../codec/schema.js'

/**
 * DescribeAcls (key 29). Versions 0–3; flexible from 2.
 * - v1: pattern type filter / pattern type (KIP-290; default 3 = literal); throttled responses are sent before
 *   throttling. v2: first flexible version. v3: the USER resource type (KIP-373).
 */
export const DescribeAclsApi = defineApi({
  key: 29,
  name: 'DescribeAcls',
  valid: '0-3',
  flexible: '2+',
  request: {
    resourceTypeFilter: int8(),
    resourceNameFilter: string({ nullable: '0+', default: '' }),
    patternTypeFilter: int8({ versions: '1+', default: 3 }),
    principalFilter: string({ nullable: '0+', default: '' }),
    hostFilter: string({ nullable: '0+', default: '' }),
    operation: int8(),
    permissionType: int8()
  },
  response: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    errorMessage: string({ nullable: '0+', default: '' }),
    resources: array(struct({
      resourceType: int8(),
      resourceName: string(),
      patternType: int8({ versions: '1+', default: 3 }),
      acls: array(struct({
        principal: string(),
        host: string(),
        operation: int8(),
        permissionType: int8()
      }))
    }))
  }
})
