import { parseArgs } from 'node:util'
import {
  AclOperation, AclPermission, CLUSTER_RESOURCE_NAME, PatternType, ResourceType, operationName, patternTypeName,
  permissionName, resourceTypeName, type AclBinding
} from '@samsa/broker'
import { CreateAclsApi, DeleteAclsApi, DescribeAclsApi, ErrorCode, errorName } from '@samsa/protocol'
import { clientSecurity, openAdminConnection, type AdminConnection } from './admin-connection.js'
import { usageError } from './usage.js'

const HELP = `usage: samsa acls --bootstrap <b> [--command-config <file>] (--add | --remove | --list) [options]

Kafka-style ACL administration (flags as kafka-acls.sh):
  --allow-principal <p>      principal to allow, e.g. User:alice (repeatable)
  --deny-principal <p>       principal to deny (repeatable)
  --allow-host <h>           host of --allow-principal (repeatable, default *)
  --deny-host <h>            host of --deny-principal (repeatable, default *)
  --operation <op>           Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs,
                             AlterConfigs, IdempotentWrite, All (repeatable; default All)
  --topic <t> --group <g> --transactional-id <id> --cluster    resources (repeatable; "*" = all)
  --resource-pattern-type <t>  literal (default), prefixed; for --list/--remove also any, match
  --principal <p>            --list/--remove: only ACLs of this principal
  --producer                 Write, Describe, Create on the topics (+ Write/Describe on --transactional-id,
                             + IdempotentWrite on the cluster with --idempotent)
  --consumer                 Read, Describe on the topics and Read on the groups
  --force                    accepted for compatibility (samsa never asks)`

const OPERATIONS: Record<string, number> = {
  read: AclOperation.READ, write: AclOperation.WRITE, create: AclOperation.CREATE, delete: AclOperation.DELETE, alter: AclOperation.ALTER,
  describe: AclOperation.DESCRIBE, clusteraction: AclOperation.CLUSTER_ACTION, describeconfigs: AclOperation.DESCRIBE_CONFIGS,
  alterconfigs: AclOperation.ALTER_CONFIGS, idempotentwrite: AclOperation.IDEMPOTENT_WRITE, all: AclOperation.ALL, any: AclOperation.ANY
}
const PATTERNS: Record<string, number> = { literal: PatternType.LITERAL, prefixed: PatternType.PREFIXED, any: PatternType.ANY, match: PatternType.MATCH }

interface Resource { type: number, name: string }

export async function runAcls (argv: string[]): Promise<number> {
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        bootstrap: { type: 'string' },
        'bootstrap-server': { type: 'string' },
        'command-config': { type: 'string' },
        add: { type: 'boolean' },
        remove: { type: 'boolean' },
        list: { type: 'boolean' },
        'allow-principal': { type: 'string', multiple: true },
        'deny-principal': { type: 'string', multiple: true },
        'allow-host': { type: 'string', multiple: true },
        'deny-host': { type: 'string', multiple: true },
        operation: { type: 'string', multiple: true },
        topic: { type: 'string', multiple: true },
        group: { type: 'string', multiple: true },
        'transactional-id': { type: 'string', multiple: true },
        cluster: { type: 'boolean' },
        'resource-pattern-type': { type: 'string' },
        principal: { type: 'string', multiple: true },
        producer: { type: 'boolean' },
        consumer: { type: 'boolean' },
        idempotent: { type: 'boolean' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }).values
  } catch (error) {
    return usage((error as Error).message)
  }
  if (values.help === true) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  const bootstrap = values.bootstrap ?? values['bootstrap-server']
  if (bootstrap === undefined) return usage('--bootstrap is required')
  const actions = [values.add, values.remove, values.list].filter((flag) => flag === true).length
  if (actions !== 1) return usage('give exactly one of --add, --remove, --list')
  const patternType = PATTERNS[(values['resource-pattern-type'] ?? 'literal').toLowerCase()]
  if (patternType === undefined) return usage(`unknown --resource-pattern-type ${values['resource-pattern-type']}`)
  if (values.add === true && patternType !== PatternType.LITERAL && patternType !== PatternType.PREFIXED) return usage('--add needs --resource-pattern-type literal or prefixed')
  const resources: Resource[] = [
    ...(values.topic ?? []).map((name) => ({ type: ResourceType.TOPIC, name })),
    ...(values.group ?? []).map((name) => ({ type: ResourceType.GROUP, name })),
    ...(values['transactional-id'] ?? []).map((name) => ({ type: ResourceType.TRANSACTIONAL_ID, name })),
    ...(values.cluster === true ? [{ type: ResourceType.CLUSTER, name: CLUSTER_RESOURCE_NAME }] : [])
  ]
  let operations: number[]
  try {
    operations = (values.operation ?? []).map((text) => {
      const code = OPERATIONS[text.toLowerCase().replaceAll('_', '').replaceAll('-', '')]
      if (code === undefined) throw new Error(`unknown --operation ${text}`)
      return code
    })
  } catch (error) {
    return usage((error as Error).message)
  }
  let connection: AdminConnection
  try {
    connection = await openAdminConnection(bootstrap, clientSecurity(values['command-config']))
  } catch (error) {
    process.stderr.write(`samsa acls: ${(error as Error).message}\n`)
    return 1
  }
  try {
    if (values.list === true) return await list(connection, resources, patternType, values.principal ?? [])
    const entries = [
      ...(values['allow-principal'] ?? []).flatMap((principal) => (values['allow-host'] ?? ['*']).map((host) => ({ principal, host, permission: AclPermission.ALLOW }))),
      ...(values['deny-principal'] ?? []).flatMap((principal) => (values['deny-host'] ?? ['*']).map((host) => ({ principal, host, permission: AclPermission.DENY })))
    ]
    if (values.add === true) {
      const bindings = expand(resources, operations, entries, patternType, { producer: values.producer === true, consumer: values.consumer === true, idempotent: values.idempotent === true })
      if (bindings.length === 0) return usage('--add needs a principal (--allow-principal/--deny-principal) and a resource (--topic, --group, --transactional-id, --cluster)')
      return await add(connection, bindings)
    }
    if (resources.length === 0 && entries.length === 0 && (values.principal ?? []).length === 0) return usage('--remove needs a resource or a principal')
    return await remove(connection, resources, patternType, operations, entries.length > 0 ? entries : (values.principal ?? []).map((principal) => ({ principal, host: null, permission: AclPermission.ANY })))
  } catch (error) {
    process.stderr.write(`samsa acls: ${(error as Error).message}\n`)
    return 1
  } finally {
    connection.close()
  }
}

const usage = (message: string): number => usageError('acls', message)

/** The bindings an --add creates, including the --producer/--consumer conveniences of kafka-acls. */
function expand (resources: Resource[], operations: number[], entries: Array<{ principal: string, host: string, permission: number }>, patternType: number, convenience: { producer: boolean, consumer: boolean, idempotent: boolean }): AclBinding[] {
  const pairs: Array<{ resource: Resource, operation: number }> = []
  const on = (type: number, ops: number[]): void => {
    for (const resource of resources.filter((entry) => entry.type === type)) for (const operation of ops) pairs.push({ resource, operation })
  }
  if (convenience.producer || convenience.consumer) {
    if (convenience.producer) {
      on(ResourceType.TOPIC, [AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE])
      on(ResourceType.TRANSACTIONAL_ID, [AclOperation.WRITE, AclOperation.DESCRIBE])
      if (convenience.idempotent) pairs.push({ resource: { type: ResourceType.CLUSTER, name: CLUSTER_RESOURCE_NAME }, operation: AclOperation.IDEMPOTENT_WRITE })
    }
    if (convenience.consumer) {
      on(ResourceType.TOPIC, [AclOperation.READ, AclOperation.DESCRIBE])
      on(ResourceType.GROUP, [AclOperation.READ])
    }
  } else {
    for (const resource of resources) for (const operation of operations.length > 0 ? operations : [AclOperation.ALL]) pairs.push({ resource, operation })
  }
  return entries.flatMap((entry) => pairs.map(({ resource, operation }) => ({
    resourceType: resource.type,
    resourceName: resource.name,
    patternType: resource.type === ResourceType.CLUSTER ? PatternType.LITERAL : patternType,
    principal: entry.principal,
    host: entry.host,
    operation,
    permission: entry.permission
  })))
}

async function add (connection: AdminConnection, bindings: AclBinding[]): Promise<number> {
  const response = await connection.request(CreateAclsApi, 3, {
    creations: bindings.map((binding) => ({ resourceType: binding.resourceType, resourceName: binding.resourceName, resourcePatternType: binding.patternType, principal: binding.principal, host: binding.host, operation: binding.operation, permissionType: binding.permission }))
  })
  let failed = 0
  response.results.forEach((result, index) => {
    const binding = bindings[index]!
    if (result.errorCode === ErrorCode.NONE) {
      process.stdout.write(`Added ACL ${entryText(binding)} for resource ${patternText(binding)}\n`)
    } else {
      failed++
      process.stderr.write(`samsa acls: cannot add ${entryText(binding)} for ${patternText(binding)}: ${errorName(result.errorCode)}${result.errorMessage !== null ? ` (${result.errorMessage})` : ''}\n`)
    }
  })
  return failed === 0 ? 0 : 1
}

async function remove (connection: AdminConnection, resources: Resource[], patternType: number, operations: number[], entries: Array<{ principal: string, host: string | null, permission: number }>): Promise<number> {
  const scopes: Array<{ type: number, name: string | null }> = resources.length > 0 ? resources : [{ type: ResourceType.ANY, name: null }]
  const entryFilters = entries.length > 0 ? entries : [{ principal: null, host: null, permission: AclPermission.ANY }]
  const filters = scopes.flatMap((scope) => entryFilters.flatMap((entry) => (operations.length > 0 ? operations : [AclOperation.ANY]).map((operation) => ({
    resourceTypeFilter: scope.type,
    resourceNameFilter: scope.name,
    patternTypeFilter: scope.name === null ? PatternType.ANY : patternType,
    principalFilter: entry.principal,
    hostFilter: entry.host,
    operation,
    permissionType: entry.permission
  }))))
  const response = await connection.request(DeleteAclsApi, 3, { filters })
  let failed = 0
  for (const result of response.filterResults) {
    if (result.errorCode !== ErrorCode.NONE) {
      failed++
      process.stderr.write(`samsa acls: ${errorName(result.errorCode)}${result.errorMessage !== null ? ` (${result.errorMessage})` : ''}\n`)
      continue
    }
    for (const acl of result.matchingAcls) {
      const binding = { resourceType: acl.resourceType, resourceName: acl.resourceName, patternType: acl.patternType, principal: acl.principal, host: acl.host, operation: acl.operation, permission: acl.permissionType }
      process.stdout.write(`Removed ACL ${entryText(binding)} from resource ${patternText(binding)}\n`)
    }
  }
  return failed === 0 ? 0 : 1
}

async function list (connection: AdminConnection, resources: Resource[], patternType: number, principals: string[]): Promise<number> {
  const scopes: Array<{ type: number, name: string | null }> = resources.length > 0 ? resources : [{ type: ResourceType.ANY, name: null }]
  for (const scope of scopes) {
    for (const principal of principals.length > 0 ? principals : [null]) {
      const response = await connection.request(DescribeAclsApi, 3, {
        resourceTypeFilter: scope.type,
        resourceNameFilter: scope.name,
        patternTypeFilter: scope.name === null ? PatternType.ANY : patternType,
        principalFilter: principal,
        hostFilter: null,
        operation: AclOperation.ANY,
        permissionType: AclPermission.ANY
      })
      if (response.errorCode !== ErrorCode.NONE) {
        process.stderr.write(`samsa acls: ${errorName(response.errorCode)}${response.errorMessage !== null ? ` (${response.errorMessage})` : ''}\n`)
        return 1
      }
      for (const resource of response.resources) {
        process.stdout.write(`Current ACLs for resource \`ResourcePattern(resourceType=${resourceTypeName(resource.resourceType)}, name=${resource.resourceName}, patternType=${patternTypeName(resource.patternType)})\`:\n`)
        for (const acl of resource.acls) process.stdout.write(`\t(principal=${acl.principal}, host=${acl.host}, operation=${operationName(acl.operation)}, permissionType=${permissionName(acl.permissionType)})\n`)
        process.stdout.write('\n')
      }
    }
  }
  return 0
}

const entryText = (binding: AclBinding): string => `(principal=${binding.principal}, host=${binding.host}, operation=${operationName(binding.operation)}, permissionType=${permissionName(binding.permission)})`
const patternText = (binding: AclBinding): string => `ResourcePattern(resourceType=${resourceTypeName(binding.resourceType)}, name=${binding.resourceName}, patternType=${patternTypeName(binding.patternType)})`
