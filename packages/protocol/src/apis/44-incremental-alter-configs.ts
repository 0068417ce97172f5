import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, int8, string, struct } from '../codec/schema.js'

/**
 * IncrementalAlterConfigs (key 44). Versions 0–1; flexible from 1 (KIP-339). Each config carries an operation:
 * 0 set, 1 delete, 2 append, 3 subtract.
 * - v1: first flexible version.
 */
export const IncrementalAlterConfigsApi = defineApi({
  key: 44,
  name: 'IncrementalAlterConfigs',
  valid: '0-1',
  flexible: '1+',
  request: {
    resources: array(struct({
      resourceType: int8(),
      resourceName: string(),
      configs: array(struct({
        name: string(),
        configOperation: int8(),
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
