import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AclOperation, AclPermission, AclStore, PatternType, ResourceType, type AclBinding } from '../../src/index.js'
import { AclAuthorizer } from '../../src/security/authorizer.js'

const acl = (partial: Partial<AclBinding> & { resourceName: string }): AclBinding => ({
  resourceType: ResourceType.TOPIC,
  patternType: PatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: AclOperation.READ,
  permission: AclPermission.ALLOW,
  ...partial
})

function authorizer (bindings: AclBinding[], options: { superUsers?: string[], allowEveryoneIfNoAclFound?: boolean } = {}): AclAuthorizer {
  const store = AclStore.memory()
  store.add(bindings)
  return new AclAuthorizer(store, { superUsers: new Set(options.superUsers ?? []), allowEveryoneIfNoAclFound: options.allowEveryoneIfNoAclFound ?? false })
}

test('literal, wildcard and prefixed patterns', () => {
  const auth = authorizer([
    acl({ resourceName: 'orders' }),
    acl({ resourceName: 'logs-', patternType: PatternType.PREFIXED }),
    acl({ resourceName: '*', principal: 'User:bob', operation: AclOperation.WRITE })
  ])
  assert.equal(auth.authorize('User:alice', '10.0.0.1', 'READ', 'TOPIC', 'orders'), true)
  assert.equal(auth.authorize('User:alice', '10.0.0.1', 'READ', 'TOPIC', 'orders2'), false)
  assert.equal(auth.authorize('User:alice', '10.0.0.1', 'READ', 'TOPIC', 'logs-app'), true)
  assert.equal(auth.authorize('User:alice', '10.0.0.1', 'READ', 'TOPIC', 'log'), false)
  assert.equal(auth.authorize('User:bob', '10.0.0.1', 'WRITE', 'TOPIC', 'anything'), true)
  assert.equal(auth.authorize('User:bob', '10.0.0.1', 'READ', 'TOPIC', 'anything'), false)
  assert.equal(auth.authorize('User:alice', '10.0.0.1', 'READ', 'GROUP', 'orders'), false, 'resource types are separate')
})

test('DENY wins over ALLOW, across patterns and for ALL', () => {
  const auth = authorizer([
    acl({ resourceName: '*', operation: AclOperation.ALL }),
    acl({ resourceName: 'secret-', patternType: PatternType.PREFIXED, permission: AclPermission.DENY }),
    acl({ resourceName: 'audit', principal: 'User:*', operation: AclOperation.ALL, permission: AclPermission.DENY })
  ])
  assert.equal(auth.authorize('User:alice', 'h', 'READ', 'TOPIC', 'public'), true)
  assert.equal(auth.authorize('User:alice', 'h', 'WRITE', 'TOPIC', 'public'), true, 'ALL covers WRITE')
  assert.equal(auth.authorize('User:alice', 'h', 'READ', 'TOPIC', 'secret-x'), false)
  assert.equal(auth.authorize('User:alice', 'h', 'WRITE', 'TOPIC', 'secret-x'), true, 'a DENY READ does not deny WRITE')
  assert.equal(auth.authorize('User:alice', 'h', 'DESCRIBE', 'TOPIC', 'audit'), false, 'DENY ALL for User:* denies everything')
})

test('implied operations: DESCRIBE from READ/WRITE/DELETE/ALTER, DESCRIBE_CONFIGS from ALTER_CONFIGS; never for DENY', () => {
  for (const operation of [AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER]) {
    assert.equal(authorizer([acl({ resourceName: 't', operation })]).authorize('User:alice', 'h', 'DESCRIBE', 'TOPIC', 't'), true)
  }
  assert.equal(authorizer([acl({ resourceName: 't', operation: AclOperation.CREATE })]).authorize('User:alice', 'h', 'DESCRIBE', 'TOPIC', 't'), false)
  assert.equal(authorizer([acl({ resourceName: 't', operation: AclOperation.ALTER_CONFIGS })]).authorize('User:alice', 'h', 'DESCRIBE_CONFIGS', 'TOPIC', 't'), true)
  assert.equal(authorizer([acl({ resourceName: 't', operation: AclOperation.READ })]).authorize('User:alice', 'h', 'WRITE', 'TOPIC', 't'), false)
  const denyRead = authorizer([acl({ resourceName: 't', operation: AclOperation.DESCRIBE }), acl({ resourceName: 't', permission: AclPermission.DENY })])
  assert.equal(denyRead.authorize('User:alice', 'h', 'DESCRIBE', 'TOPIC', 't'), true, 'DENY READ does not deny DESCRIBE')
})

test('host filters', () => {
  const auth = authorizer([acl({ resourceName: 't', host: '10.0.0.1' }), acl({ resourceName: 't', host: '10.0.0.9', permission: AclPermission.DENY, operation: AclOperation.ALL })])
  assert.equal(auth.authorize('User:alice', '10.0.0.1', 'READ', 'TOPIC', 't'), true)
  assert.equal(auth.authorize('User:alice', '10.0.0.2', 'READ', 'TOPIC', 't'), false)
  assert.equal(auth.authorize('User:alice', '10.0.0.9', 'READ', 'TOPIC', 't'), false)
})

test('super users and allow.everyone.if.no.acl.found', () => {
  const auth = authorizer([acl({ resourceName: 't', permission: AclPermission.DENY, principal: 'User:*', operation: AclOperation.ALL })], { superUsers: ['User:admin'] })
  assert.equal(auth.authorize('User:admin', 'h', 'ALTER', 'CLUSTER', 'kafka-cluster'), true)
  assert.equal(auth.authorize('User:admin', 'h', 'READ', 'TOPIC', 't'), true, 'super users bypass even DENY')
  assert.equal(auth.authorize('User:alice', 'h', 'READ', 'TOPIC', 'no-acl'), false, 'default: no ACL, no access')
  const open = authorizer([acl({ resourceName: 't' })], { allowEveryoneIfNoAclFound: true })
  assert.equal(open.authorize('User:bob', 'h', 'READ', 'TOPIC', 'no-acl'), true)
  assert.equal(open.authorize('User:bob', 'h', 'READ', 'TOPIC', 't'), false, 'a resource with ACLs follows them')
})

test('decisions follow ACL changes (cache invalidated)', () => {
  const store = AclStore.memory()
  const auth = new AclAuthorizer(store, { superUsers: new Set(), allowEveryoneIfNoAclFound: false })
  assert.equal(auth.authorize('User:alice', 'h', 'READ', 'TOPIC', 't'), false)
  store.add([acl({ resourceName: 't' })])
  assert.equal(auth.authorize('User:alice', 'h', 'READ', 'TOPIC', 't'), true)
  store.remove([{ resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: AclOperation.ANY, permission: AclPermission.ANY }])
  assert.equal(auth.authorize('User:alice', 'h', 'READ', 'TOPIC', 't'), false)
})

test('authorizeAny (idempotent producers: WRITE on some topic)', () => {
  assert.equal(authorizer([acl({ resourceName: 'x', operation: AclOperation.WRITE })]).authorizeAny('User:alice', 'h', 'WRITE', 'TOPIC'), true)
  assert.equal(authorizer([acl({ resourceName: 'x' })]).authorizeAny('User:alice', 'h', 'WRITE', 'TOPIC'), false)
  assert.equal(authorizer([acl({ resourceName: 'x', operation: AclOperation.WRITE }), acl({ resourceName: '*', operation: AclOperation.WRITE, permission: AclPermission.DENY })]).authorizeAny('User:alice', 'h', 'WRITE', 'TOPIC'), false)
  assert.equal(authorizer([acl({ resourceName: 'app-1', operation: AclOperation.WRITE }), acl({ resourceName: 'app-', patternType: PatternType.PREFIXED, operation: AclOperation.WRITE, permission: AclPermission.DENY })]).authorizeAny('User:alice', 'h', 'WRITE', 'TOPIC'), false)
  assert.equal(authorizer([acl({ resourceName: 'app-', patternType: PatternType.PREFIXED, operation: AclOperation.WRITE }), acl({ resourceName: 'app-1', operation: AclOperation.WRITE, permission: AclPermission.DENY })]).authorizeAny('User:alice', 'h', 'WRITE', 'TOPIC'), true)
})
