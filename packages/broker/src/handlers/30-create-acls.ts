import { CreateAclsApi, ErrorCode } from '@samsa/protocol'
import { bindingProblem, describeBinding, type AclBinding } from '../security/acl.js'
import { authorizeCluster } from '../security/authorize.js'
import { defineHandler } from './types.js'

/**
 * CreateAcls (30), versions 0–3 (v2+ flexible).
 * Behavior: each creation is validated on its own (Kafka's rules: concrete resource type, LITERAL or PREFIXED
 * pattern, concrete operation, ALLOW or DENY, "Type:name" principal, the cluster named kafka-cluster) and answers
 * INVALID_REQUEST with the reason; the valid ones are stored and persisted together (acls.json) and audited.
 * Creating an existing ACL succeeds without duplicating it. Needs ALTER on the cluster
 * (CLUSTER_AUTHORIZATION_FAILED for every creation). Without an authorizer: SECURITY_DISABLED.
 */
export const createAclsHandler = defineHandler({
  api: CreateAclsApi,
  minVersion: 0,
  maxVersion: 3,
  handle (request, context) {
    const security = context.broker.security
    const all = (errorCode: number, errorMessage: string): { throttleTimeMs: number, results: Array<{ errorCode: number, errorMessage: string }> } =>
      ({ throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode, errorMessage })) })
    if (security.authorizer === undefined) return all(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker')
    if (!authorizeCluster(context, 'ALTER')) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Cluster authorization failed.')
    const accepted: AclBinding[] = []
    const results = request.creations.map((creation) => {
      const binding: AclBinding = {
        resourceType: creation.resourceType,
        resourceName: creation.resourceName,
        patternType: creation.resourcePatternType,
        principal: creation.principal,
        host: creation.host,
        operation: creation.operation,
        permission: creation.permissionType
      }
      const problem = bindingProblem(binding)
      if (problem !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem }
      accepted.push(binding)
      return { errorCode: ErrorCode.NONE, errorMessage: null }
    })
    security.acls.add(accepted)
    for (const binding of accepted) security.recordChange(context, { action: 'acl.create', acl: describeBinding(binding) })
    return { throttleTimeMs: 0, results }
  }
})
