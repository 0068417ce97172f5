import { DescribeAclsApi, ErrorCode } from '@samsa/protocol'
import { filterProblem, type AclBinding } from '../security/acl.js'
import { authorizeCluster } from '../security/authorize.js'
import { defineHandler } from './types.js'

/**
 * DescribeAcls (29), versions 0–3 (v2+ flexible).
 * Behavior: returns the ACLs matching the filter, grouped by resource pattern. Null strings and ANY codes match
 * everything; pattern type MATCH returns every pattern that applies to the named resource (literal, wildcard,
 * prefixes). Needs DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED). Without an authorizer:
 * SECURITY_DISABLED. A filter with UNKNOWN codes: INVALID_REQUEST.
 * Version notes: v1 adds pattern types (v0 filters and answers literal patterns only); v3 the USER resource type.
 */
export const describeAclsHandler = defineHandler({
  api: DescribeAclsApi,
  minVersion: 0,
  maxVersion: 3,
  handle (request, context) {
    const security = context.broker.security
    const failed = (errorCode: number, errorMessage: string): { throttleTimeMs: number, errorCode: number, errorMessage: string, resources: [] } => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] })
    if (security.authorizer === undefined) return failed(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker')
    if (!authorizeCluster(context, 'DESCRIBE')) return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.')
    const filter = {
      resourceType: request.resourceTypeFilter,
      resourceName: request.resourceNameFilter,
      patternType: request.patternTypeFilter,
      principal: request.principalFilter,
      host: request.hostFilter,
      operation: request.operation,
      permission: request.permissionType
    }
    const problem = filterProblem(filter)
    if (problem !== null) return failed(ErrorCode.INVALID_REQUEST, problem)
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: groupByPattern(security.acls.find(filter)) }
  }
})

function groupByPattern (bindings: AclBinding[]): Array<{ resourceType: number, resourceName: string, patternType: number, acls: Array<{ principal: string, host: string, operation: number, permissionType: number }> }> {
  const groups = new Map<string, ReturnType<typeof groupByPattern>[number]>()
  for (const binding of bindings) {
    const key = `${binding.resourceType}\u0000${binding.patternType}\u0000${binding.resourceName}`
    let group = groups.get(key)
    if (group === undefined) groups.set(key, group = { resourceType: binding.resourceType, resourceName: binding.resourceName, patternType: binding.patternType, acls: [] })
    group.acls.push({ principal: binding.principal, host: binding.host, operation: binding.operation, permissionType: binding.permission })
  }
  return [...groups.values()]
}
