import { DeleteAclsApi, ErrorCode } from '@samsa/protocol'
import { describeBinding, filterProblem, type AclFilter } from '../security/acl.js'
import { authorizeCluster } from '../security/authorize.js'
import { defineHandler } from './types.js'

/**
 * DeleteAcls (31), versions 0–3 (v2+ flexible).
 * Behavior: each filter (same matching as DescribeAcls) removes every ACL it matches and reports them; an ACL
 * matched by two filters is reported by both. Removals are persisted once and audited. A filter with UNKNOWN
 * codes: INVALID_REQUEST for that filter. Needs ALTER on the cluster (CLUSTER_AUTHORIZATION_FAILED).
 * Without an authorizer: SECURITY_DISABLED.
 */
export const deleteAclsHandler = defineHandler({
  api: DeleteAclsApi,
  minVersion: 0,
  maxVersion: 3,
  handle (request, context) {
    const security = context.broker.security
    const all = (errorCode: number, errorMessage: string): { throttleTimeMs: number, filterResults: Array<{ errorCode: number, errorMessage: string, matchingAcls: [] }> } =>
      ({ throttleTimeMs: 0, filterResults: request.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })) })
    if (security.authorizer === undefined) return all(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker')
    if (!authorizeCluster(context, 'ALTER')) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.')
    const filters: AclFilter[] = request.filters.map((filter) => ({
      resourceType: filter.resourceTypeFilter,
      resourceName: filter.resourceNameFilter,
      patternType: filter.patternTypeFilter,
      principal: filter.principalFilter,
      host: filter.hostFilter,
      operation: filter.operation,
      permission: filter.permissionType
    }))
    const problems = filters.map(filterProblem)
    const removed = security.acls.remove(filters.filter((_filter, index) => problems[index] === null))
    let next = 0
    const filterResults = filters.map((_filter, index) => {
      const problem = problems[index]
      if (problem !== null && problem !== undefined) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, matchingAcls: [] }
      const matched = removed[next++] ?? []
      for (const binding of matched) security.recordChange(context, { action: 'acl.delete', acl: describeBinding(binding) })
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        matchingAcls: matched.map((binding) => ({
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          resourceType: binding.resourceType,
          resourceName: binding.resourceName,
          patternType: binding.patternType,
          principal: binding.principal,
          host: binding.host,
          operation: binding.operation,
          permissionType: binding.permission
        }))
      }
    })
    return { throttleTimeMs: 0, filterResults }
  }
})
