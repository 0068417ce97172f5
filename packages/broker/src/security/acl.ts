/**
 * Kafka's ACL model (AclAuthorizer / StandardAuthorizer): resource patterns, access control entries, their wire
 * codes, the filters DescribeAcls/DeleteAcls use, and the validation CreateAcls applies. Codes are Kafka's
 * (org.apache.kafka.common.acl / resource enums), so bindings travel unchanged between the wire and acls.json.
 */
export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const
export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14
} as const
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const

export type ResourceTypeName = Exclude<keyof typeof ResourceType, 'UNKNOWN' | 'ANY'>
export type OperationName = Exclude<keyof typeof AclOperation, 'UNKNOWN' | 'ANY'>

/** The only name a CLUSTER resource may have. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster'
export const WILDCARD = '*'
export const WILDCARD_PRINCIPAL = 'User:*'

/** One ACL: a resource pattern plus an access control entry, with Kafka's codes. */
export interface AclBinding {
  resourceType: number
  resourceName: string
  patternType: number
  principal: string
  host: string
  operation: number
  permission: number
}

/** DescribeAcls / DeleteAcls filter: null strings and ANY codes match everything. */
export interface AclFilter {
  resourceType: number
  resourceName: string | null
  patternType: number
  principal: string | null
  host: string | null
  operation: number
  permission: number
}

const nameOf = (table: Record<string, number>, code: number): string => Object.keys(table).find((key) => table[key] === code) ?? String(code)
export const resourceTypeName = (code: number): string => nameOf(ResourceType, code)
export const operationName = (code: number): string => nameOf(AclOperation, code)
export const permissionName = (code: number): string => nameOf(AclPermission, code)
export const patternTypeName = (code: number): string => nameOf(PatternType, code)

/** Whether a filter's resource part matches a stored pattern (Kafka's ResourcePatternFilter.matches). */
function resourceMatches (filter: AclFilter, binding: AclBinding): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== binding.resourceType) return false
  const name = filter.resourceName
  switch (filter.patternType) {
    case PatternType.ANY:
      return name === null || name === binding.resourceName
    case PatternType.MATCH:
      // Every pattern that would apply to a resource called `name`.
      if (name === null) return true
      if (binding.patternType === PatternType.LITERAL) return binding.resourceName === name || binding.resourceName === WILDCARD
      if (binding.patternType === PatternType.PREFIXED) return name.startsWith(binding.resourceName)
      return false
    default:
      return filter.patternType === binding.patternType && (name === null || name === binding.resourceName)
  }
}

export function filterMatches (filter: AclFilter, binding: AclBinding): boolean {
  return resourceMatches(filter, binding) &&
    (filter.principal === null || filter.principal === binding.principal) &&
    (filter.host === null || filter.host === binding.host) &&
    (filter.operation === AclOperation.ANY || filter.operation === binding.operation) &&
    (filter.permission === AclPermission.ANY || filter.permission === binding.permission)
}

/** Why a filter can never match (UNKNOWN codes), or null. Kafka answers such filters with INVALID_REQUEST. */
export function filterProblem (filter: AclFilter): string | null {
  if (filter.resourceType === ResourceType.UNKNOWN || !isCode(ResourceType, filter.resourceType)) return 'Invalid resource type in the ACL filter'
  if (filter.patternType === PatternType.UNKNOWN || !isCode(PatternType, filter.patternType)) return 'Invalid pattern type in the ACL filter'
  if (filter.operation === AclOperation.UNKNOWN || !isCode(AclOperation, filter.operation)) return 'Invalid operation in the ACL filter'
  if (filter.permission === AclPermission.UNKNOWN || !isCode(AclPermission, filter.permission)) return 'Invalid permission type in the ACL filter'
  return null
}

const isCode = (table: Record<string, number>, code: number): boolean => Object.values(table).includes(code)

/** "User:alice" → ok; Kafka principals are "<type>:<name>" with a non-empty type. */
export function principalProblem (principal: string): string | null {
  const colon = principal.indexOf(':')
  if (colon <= 0) return `Could not parse principal from \`${principal}\` (no colon is present separating the principal type from the principal name)`
  return null
}

/** Why CreateAcls must refuse a binding (Kafka's validation), or null. */
export function bindingProblem (binding: AclBinding): string | null {
  const concrete = (code: number, table: Record<string, number>): boolean => isCode(table, code) && code !== 0 && code !== 1
  if (!concrete(binding.resourceType, ResourceType)) return 'Invalid resource type: ' + resourceTypeName(binding.resourceType)
  if (binding.patternType !== PatternType.LITERAL && binding.patternType !== PatternType.PREFIXED) return 'Invalid pattern type: ' + patternTypeName(binding.patternType)
  if (!concrete(binding.operation, AclOperation)) return 'Invalid operation: ' + operationName(binding.operation)
  if (binding.permission !== AclPermission.ALLOW && binding.permission !== AclPermission.DENY) return 'Invalid permission type: ' + permissionName(binding.permission)
  if (binding.resourceName === '') return 'Resource name must not be empty'
  if (binding.resourceType === ResourceType.CLUSTER && (binding.resourceName !== CLUSTER_RESOURCE_NAME || binding.patternType !== PatternType.LITERAL)) {
    return `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`
  }
  if (binding.patternType === PatternType.PREFIXED && binding.resourceName === WILDCARD) return 'Prefixed resource patterns cannot use the wildcard name *'
  if (binding.host === '') return 'Host must not be empty (use * for any host)'
  return principalProblem(binding.principal)
}

export const bindingKey = (binding: AclBinding): string =>
  JSON.stringify([binding.resourceType, binding.resourceName, binding.patternType, binding.principal, binding.host, binding.operation, binding.permission])

/** A readable one-line form for logs and the CLI: "ALLOW User:alice READ TOPIC:orders (LITERAL) from *". */
export function describeBinding (binding: AclBinding): string {
  return `${permissionName(binding.permission)} ${binding.principal} ${operationName(binding.operation)} ${resourceTypeName(binding.resourceType)}:${binding.resourceName} (${patternTypeName(binding.patternType)}) from ${binding.host}`
}
