import { DescribeClusterApi, ErrorCode } from '@samsa/protocol'
import { AUTHORIZED_OPERATIONS_OMITTED, clusterAuthorizedOperations } from '../security/authorized-operations.js'
import { defineHandler } from './types.js'

/**
 * DescribeCluster (60), versions 0–1 (flexible from 0).
 * Behavior: the cluster is this one node, which is also the controller. v1 adds endpointType: only brokers (1)
 * are described; asking for controllers (2) gets UNSUPPORTED_ENDPOINT_TYPE, as Kafka answers on a broker listener.
 * includeClusterAuthorizedOperations (KIP-430): the cluster operations the principal may perform, 0 without DESCRIBE.
 */
const BROKER_ENDPOINTS = 1
const UNSUPPORTED_ENDPOINT_TYPE = 115

export const describeClusterHandler = defineHandler({
  api: DescribeClusterApi,
  minVersion: 0,
  maxVersion: 1,
  handle (request, context) {
    const { broker } = context
    if (request.endpointType !== BROKER_ENDPOINTS) {
      return { errorCode: UNSUPPORTED_ENDPOINT_TYPE, errorMessage: 'this listener only describes broker endpoints', endpointType: request.endpointType, clusterId: broker.clusterId, controllerId: -1, brokers: [] }
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKER_ENDPOINTS,
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      brokers: [{ brokerId: broker.nodeId, host: broker.advertised.host, port: broker.advertised.port, rack: null }],
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? clusterAuthorizedOperations(context) : AUTHORIZED_OPERATIONS_OMITTED
    }
  }
})
