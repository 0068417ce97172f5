import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, int8, string, struct } from '../codec/schema.js'

/**
 * AlterConfigs (key 33). Versions 0–2; flexible from 2. Replaces a resource's whole config set (the incremental
 * variant is IncrementalAlterConfigs, key 44).
 * - v1: same layout (throttled responses are sent before throttling). v2: first flexible version.
 */
export const AlterConfigsApi = defineApi({
  key: 33,
  name: 'AlterConfigs',
  valid: '0-2',
  flexible: '2+',
  request: {
    resources: array(struct({
      resourceType: int8(),
      resourceName: string(),
      configs: array(struct({
        name: string(),
        value: string({ nullable: '0+', default: '' })
      }))
    })),
    validateOnly: bool()
  },
  response: {
    throttleTimeMs: int32(),
    responses: array(struct({
      errorCode: int16(),
      errorMessage: string({ nullable: '0+', default: '' }),
      resourceType: int8(),
      resourceName: string()
    }))
  }
})
