import type { RequestContext } from '../handlers/types.js'
import { CLUSTER_RESOURCE_NAME, type OperationName, type ResourceTypeName } from './acl.js'

/**
 * What request handlers call. Without an authorizer (and without authorization auditing) each call is one
 * boolean test that returns true, so handlers can check per topic without cost on an unsecured broker.
 */
export function authorize (context: RequestContext, operation: OperationName, resourceType: ResourceTypeName, name: string): boolean {
  const security = context.broker.security
  if (!security.checks) return true
  return security.check(context, operation, resourceType, name)
}

/** For listings that silently leave out what the principal may not see (Metadata of all topics, ListGroups): no denial audit. */
export function authorizeFilter (context: RequestContext, operation: OperationName, resourceType: ResourceTypeName, name: string): boolean {
  const security = context.broker.security
  if (!security.checks) return true
  return security.check(context, operation, resourceType, name, true)
}

export function authorizeCluster (context: RequestContext, operation: OperationName): boolean {
  return authorize(context, operation, 'CLUSTER', CLUSTER_RESOURCE_NAME)
}

/** Kafka's authorizeByResourceType: allowed on at least one resource of the type (idempotent producers: WRITE on any topic). */
export function authorizeAny (context: RequestContext, operation: OperationName, resourceType: ResourceTypeName): boolean {
  const security = context.broker.security
  if (!security.checks) return true
  return security.checkAny(context, operation, resourceType)
}
