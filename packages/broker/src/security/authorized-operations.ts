import type { RequestContext } from '../handlers/types.js'
import { AclOperation, CLUSTER_RESOURCE_NAME, type OperationName, type ResourceTypeName } from './acl.js'
import { authorize } from './authorize.js'

/**
 * KIP-430 "authorized operations": Metadata, DescribeCluster, DescribeGroups and ConsumerGroupDescribe can report
 * which operations the principal may perform on a resource, as a bit set with bit n = AclOperation code n
 * (READ = 3 → 1 << 3, …). Only the operations that apply to the resource type are probed (Kafka's
 * AclEntry.supportedOperations); without an authorizer all of them are reported, as Kafka does.
 * The probes are not audited (Kafka's authorizedOperations does not log them either).
 */

/** The schema default, meaning "not requested". */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

const APPLICABLE: Readonly<Record<'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID', readonly OperationName[]>> = {
  TOPIC: ['READ', 'WRITE', 'CREATE', 'DELETE', 'ALTER', 'DESCRIBE', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS'],
  GROUP: ['READ', 'DELETE', 'DESCRIBE'],
  CLUSTER: ['CREATE', 'ALTER', 'DESCRIBE', 'CLUSTER_ACTION', 'DESCRIBE_CONFIGS', 'ALTER_CONFIGS', 'IDEMPOTENT_WRITE'],
  TRANSACTIONAL_ID: ['WRITE', 'DESCRIBE']
}

/** The bit set of applicable operations the request's principal may perform on one resource. */
export function authorizedOperations (context: RequestContext, resourceType: keyof typeof APPLICABLE, name: string): number {
  const security = context.broker.security
  let bits = 0
  for (const operation of APPLICABLE[resourceType]) {
    if (security.allows(context, operation, resourceType as ResourceTypeName, name)) bits |= 1 << AclOperation[operation]
  }
  return bits
}

/**
 * The cluster's operations for Metadata (v8–10) and DescribeCluster: as in Kafka, a principal without DESCRIBE on
 * the cluster gets 0 rather than the list (that DESCRIBE check is an ordinary, audited decision).
 */
export function clusterAuthorizedOperations (context: RequestContext): number {
  if (!authorize(context, 'DESCRIBE', 'CLUSTER', CLUSTER_RESOURCE_NAME)) return 0
  return authorizedOperations(context, 'CLUSTER', CLUSTER_RESOURCE_NAME)
}

/** For handlers: the bit set when the request asked for it, else the "not requested" value. */
export function groupAuthorizedOperations (context: RequestContext, requested: boolean, groupId: string): number {
  return requested ? authorizedOperations(context, 'GROUP', groupId) : AUTHORIZED_OPERATIONS_OMITTED
}
