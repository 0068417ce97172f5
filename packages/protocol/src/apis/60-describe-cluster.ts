import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, int8, string, struct } from '../codec/schema.js'

/**
 * DescribeCluster (key 60). Versions 0–1; flexible from 0 (KIP-700).
 * - v1: endpointType in request and response (1 = brokers, 2 = controllers; KIP-919); MISMATCHED_ENDPOINT_TYPE
 *   and UNSUPPORTED_ENDPOINT_TYPE become valid top-level errors.
 */
export const DescribeClusterApi = defineApi({
  key: 60,
  name: 'DescribeCluster',
  valid: '0-1',
  flexible: '0+',
  request: {
    includeClusterAuthorizedOperations: bool(),
    endpointType: int8({ versions: '1+', default: 1 })
  },
  response: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    errorMessage: string({ nullable: '0+', default: null }),
    endpointType: int8({ versions: '1+', default: 1 }),
    clusterId: string(),
    controllerId: int32({ default: -1 }),
    brokers: array(struct({
      brokerId: int32(),
      host: string(),
      port: int32(),
      rack: string({ nullable: '0+', default: null })
    })),
    clusterAuthorizedOperations: int32({ default: -2147483648 })
  }
})
