import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CreateAclsApi, DeleteAclsApi, DescribeAclsApi, ErrorCode } from '@samsa/protocol'
import { AclOperation, AclPermission, PatternType, ResourceType } from '../../src/index.js'
import { startBroker } from '../helpers.js'
import { SecureClient, addUser, listenerPort, saslLogin, startSecureBroker } from './secure-helpers.js'

const AUTHORIZER = { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer', 'super.users': 'User:admin;User:ANONYMOUS', 'sasl.enabled.mechanisms': 'PLAIN' }
const creation = (resourceName: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  resourceType: ResourceType.TOPIC, resourceName, resourcePatternType: PatternType.LITERAL, principal: 'User:alice', host: '*', operation: AclOperation.READ, permissionType: AclPermission.ALLOW, ...extra
})
const ANY_FILTER = { resourceTypeFilter: ResourceType.ANY, resourceNameFilter: null, patternTypeFilter: PatternType.ANY, principalFilter: null, hostFilter: null, operation: AclOperation.ANY, permissionType: AclPermission.ANY }

test('CreateAcls / DescribeAcls / DeleteAcls with filters, in every version, persisted across restarts', async (t) => {
  // The PLAINTEXT listener's ANONYMOUS principal is a super user here, so the test administers ACLs through it.
  let server = await startSecureBroker(['SASL_PLAINTEXT'], AUTHORIZER)
  t.after(() => server.stop())
  let admin = await SecureClient.connect(server.port)

  await t.test('creations are validated one by one', async () => {
    const result = await admin.request(CreateAclsApi, 3, {
      creations: [
        creation('orders'),
        creation('logs-', { resourcePatternType: PatternType.PREFIXED, operation: AclOperation.WRITE }),
        creation('orders', { permissionType: AclPermission.DENY, host: '10.0.0.9', principal: 'User:bob' }),
        creation('kafka-cluster', { resourceType: ResourceType.CLUSTER, operation: AclOperation.ALTER }),
        creation('x', { resourceType: ResourceType.ANY }),
        creation('x', { resourcePatternType: PatternType.MATCH }),
        creation('x', { operation: AclOperation.ANY }),
        creation('x', { permissionType: AclPermission.ANY }),
        creation('x', { principal: 'alice' }),
        creation('other', { resourceType: ResourceType.CLUSTER }),
        creation('*', { resourcePatternType: PatternType.PREFIXED })
      ]
    })
    assert.deepEqual(result.results.map((entry) => entry.errorCode), [0, 0, 0, 0, 42, 42, 42, 42, 42, 42, 42])
    assert.match(result.results[9]!.errorMessage ?? '', /kafka-cluster/)
  })

  await t.test('v0 creates literal ACLs (no pattern type on the wire)', async () => {
    const result = await admin.request(CreateAclsApi, 0, { creations: [creation('legacy', { operation: AclOperation.DESCRIBE })] })
    assert.equal(result.results[0]!.errorCode, ErrorCode.NONE)
  })

  await t.test('DescribeAcls groups by resource pattern and applies every filter field', async () => {
    const all = await admin.request(DescribeAclsApi, 3, ANY_FILTER)
    assert.equal(all.errorCode, ErrorCode.NONE)
    assert.equal(all.resources.flatMap((resource) => resource.acls).length, 5)
    const orders = all.resources.find((resource) => resource.resourceName === 'orders')!
    assert.equal(orders.acls.length, 2)
    const match = await admin.request(DescribeAclsApi, 2, { ...ANY_FILTER, resourceTypeFilter: ResourceType.TOPIC, resourceNameFilter: 'logs-app', patternTypeFilter: PatternType.MATCH })
    assert.deepEqual(match.resources.map((resource) => [resource.resourceName, resource.patternType]), [['logs-', PatternType.PREFIXED]])
    const bob = await admin.request(DescribeAclsApi, 1, { ...ANY_FILTER, principalFilter: 'User:bob', hostFilter: '10.0.0.9' })
    assert.deepEqual(bob.resources.map((resource) => resource.acls.map((entry) => entry.permissionType)), [[AclPermission.DENY]])
    const literalOnly = await admin.request(DescribeAclsApi, 0, { ...ANY_FILTER })
    assert.ok(literalOnly.resources.every((resource) => resource.resourceName !== 'logs-'), 'v0 sees literal patterns only')
    const invalid = await admin.request(DescribeAclsApi, 3, { ...ANY_FILTER, operation: AclOperation.UNKNOWN })
    assert.equal(invalid.errorCode, ErrorCode.INVALID_REQUEST)
  })

  await t.test('ACLs survive a restart', async () => {
    admin.close()
    const dataDir = server.dataDir
    await server.stop({ keepData: true })
    assert.match(readFileSync(join(dataDir, 'security', 'acls.json'), 'utf8'), /"logs-"/)
    server = await startBroker({ listeners: 'PLAINTEXT://127.0.0.1:0', ...AUTHORIZER }, dataDir)
    admin = await SecureClient.connect(server.port)
    const all = await admin.request(DescribeAclsApi, 3, ANY_FILTER)
    assert.equal(all.resources.flatMap((resource) => resource.acls).length, 5)
  })

  await t.test('DeleteAcls: each filter reports what it removed; invalid filters fail alone', async () => {
    const result = await admin.request(DeleteAclsApi, 3, {
      filters: [
        { ...ANY_FILTER, resourceTypeFilter: ResourceType.TOPIC, resourceNameFilter: 'orders', patternTypeFilter: PatternType.LITERAL, permissionType: AclPermission.DENY },
        { ...ANY_FILTER, permissionType: AclPermission.UNKNOWN },
        { ...ANY_FILTER, resourceTypeFilter: ResourceType.GROUP }
      ]
    })
    assert.deepEqual(result.filterResults.map((entry) => [entry.errorCode, entry.matchingAcls.length]), [[0, 1], [42, 0], [0, 0]])
    assert.equal(result.filterResults[0]!.matchingAcls[0]!.principal, 'User:bob')
    const left = await admin.request(DescribeAclsApi, 3, ANY_FILTER)
    assert.equal(left.resources.flatMap((resource) => resource.acls).length, 4)
    admin.close()
  })
})

test('ACL APIs need DESCRIBE/ALTER on the cluster; without an authorizer they answer SECURITY_DISABLED', async (t) => {
  const server = await startSecureBroker(['SASL_PLAINTEXT'], { ...AUTHORIZER, 'super.users': 'User:admin' })
  t.after(() => server.stop())
  addUser(server, 'alice', 'alice-secret')
  addUser(server, 'admin', 'admin-secret')
  const alice = await SecureClient.connect(listenerPort(server, 'SASL_PLAINTEXT'))
  t.after(() => alice.close())
  await saslLogin(alice, 'PLAIN', 'alice', 'alice-secret')
  assert.equal((await alice.request(DescribeAclsApi, 3, ANY_FILTER)).errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
  assert.equal((await alice.request(CreateAclsApi, 3, { creations: [creation('t')] })).results[0]!.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
  assert.equal((await alice.request(DeleteAclsApi, 3, { filters: [ANY_FILTER] })).filterResults[0]!.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)

  const admin = await SecureClient.connect(listenerPort(server, 'SASL_PLAINTEXT'))
  t.after(() => admin.close())
  await saslLogin(admin, 'PLAIN', 'admin', 'admin-secret')
  assert.equal((await admin.request(CreateAclsApi, 3, { creations: [creation('kafka-cluster', { resourceType: ResourceType.CLUSTER, operation: AclOperation.DESCRIBE })] })).results[0]!.errorCode, ErrorCode.NONE)
  assert.equal((await alice.request(DescribeAclsApi, 3, ANY_FILTER)).errorCode, ErrorCode.NONE, 'alice may now describe ACLs')

  const open = await startBroker()
  t.after(() => open.stop())
  const client = await SecureClient.connect(open.port)
  t.after(() => client.close())
  assert.equal((await client.request(DescribeAclsApi, 3, ANY_FILTER)).errorCode, ErrorCode.SECURITY_DISABLED)
  assert.equal((await client.request(CreateAclsApi, 1, { creations: [creation('t')] })).results[0]!.errorCode, ErrorCode.SECURITY_DISABLED)
})
