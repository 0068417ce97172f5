import { AclOperation, AclPermission, PatternType, ResourceType, WILDCARD, WILDCARD_PRINCIPAL, type AclBinding, type OperationName, type ResourceTypeName } from './acl.js'
import type { AclStore } from './acl-store.js'

/**
 * Kafka's ACL authorization (AclAuthorizer semantics):
 * - super users may do everything;
 * - a binding applies when its pattern matches the resource (literal name, literal "*", or a prefix), its
 *   principal is the caller or "User:*", and its host is the caller's address or "*";
 * - any applicable DENY for the operation (or ALL) wins;
 * - otherwise an applicable ALLOW for the operation, for ALL, or for an operation that implies it (DESCRIBE is
 *   implied by READ, WRITE, DELETE and ALTER; DESCRIBE_CONFIGS by ALTER_CONFIGS) allows;
 * - a resource with no applicable binding at all follows allow.everyone.if.no.acl.found.
 * Decisions are cached per (principal, host, operation, resource) until the ACLs change.
 */
export interface AuthorizerOptions {
  superUsers: ReadonlySet<string>
  allowEveryoneIfNoAclFound: boolean
}

const IMPLIED_BY: Partial<Record<number, number[]>> = {
  [AclOperation.DESCRIBE]: [AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER],
  [AclOperation.DESCRIBE_CONFIGS]: [AclOperation.ALTER_CONFIGS]
}
const CACHE_LIMIT = 10_000

export class AclAuthorizer {
  private cache = new Map<string, boolean>()
  private cachedGeneration = -1

  constructor (readonly store: AclStore, readonly options: AuthorizerOptions) {}

  isSuperUser (principal: string): boolean {
    return this.options.superUsers.has(principal)
  }

  authorize (principal: string, host: string, operation: OperationName, resourceType: ResourceTypeName, name: string): boolean {
    if (this.options.superUsers.has(principal)) return true
    if (this.cachedGeneration !== this.store.generation) {
      this.cache = new Map()
      this.cachedGeneration = this.store.generation
    }
    const key = `${principal}\u0000${host}\u0000${operation}\u0000${resourceType}\u0000${name}`
    let decision = this.cache.get(key)
    if (decision === undefined) {
      decision = this.decide(principal, host, AclOperation[operation], ResourceType[resourceType], name)
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear()
      this.cache.set(key, decision)
    }
    return decision
  }

  /**
   * Kafka's authorizeByResourceType: may the principal perform the operation on at least one resource of this
   * type? True when some ALLOW binding for it applies to the principal and no DENY on the same or a broader
   * pattern (a literal "*", or a prefix of the allowed pattern) takes it away.
   */
  authorizeAny (principal: string, host: string, operation: OperationName, resourceType: ResourceTypeName): boolean {
    if (this.options.superUsers.has(principal)) return true
    const op = AclOperation[operation]
    const bindings = this.store.ofType(ResourceType[resourceType]).filter((binding) => appliesTo(binding, principal, host))
    const denies = bindings.filter((binding) => binding.permission === AclPermission.DENY && grants(binding, op, false))
    const allows = bindings.filter((binding) => binding.permission === AclPermission.ALLOW && grants(binding, op, true))
    if (denies.some((deny) => deny.resourceName === WILDCARD)) return false
    if (allows.some((allow) => !denies.some((deny) => covers(deny, allow)))) return true
    return this.options.allowEveryoneIfNoAclFound && this.store.ofType(ResourceType[resourceType]).length === 0
  }

  private decide (principal: string, host: string, op: number, resourceType: number, name: string): boolean {
    const applicable = this.store.applicable(resourceType, name)
    if (applicable.length === 0) return this.options.allowEveryoneIfNoAclFound
    let allowed = false
    for (const binding of applicable) {
      if (!appliesTo(binding, principal, host)) continue
      if (binding.permission === AclPermission.DENY) {
        if (grants(binding, op, false)) return false
      } else if (!allowed && grants(binding, op, true)) {
        allowed = true
      }
    }
    return allowed
  }
}

function appliesTo (binding: AclBinding, principal: string, host: string): boolean {
  return (binding.principal === principal || binding.principal === WILDCARD_PRINCIPAL) && (binding.host === host || binding.host === WILDCARD)
}

/** Whether every resource `allow` names is also named by `deny`. */
function covers (deny: AclBinding, allow: AclBinding): boolean {
  if (deny.patternType === PatternType.PREFIXED) return allow.resourceName.startsWith(deny.resourceName)
  return allow.patternType === PatternType.LITERAL && allow.resourceName === deny.resourceName
}

/** Whether a binding's operation covers `op` (ALL always does; implications only count for ALLOW). */
function grants (binding: AclBinding, op: number, withImplied: boolean): boolean {
  if (binding.operation === op || binding.operation === AclOperation.ALL) return true
  return withImplied && (IMPLIED_BY[op]?.includes(binding.operation) ?? false)
}
