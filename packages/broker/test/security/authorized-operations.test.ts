import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ConsumerGroupDescribeApi, ConsumerGroupHeartbeatApi, CreateAclsApi, CreateTopicsApi, DescribeClusterApi,
  DescribeGroupsApi, ErrorCode, JoinGroupApi, MetadataApi
} from '@samsa/protocol'
import { AclOperation, AclPermission, PatternType, ResourceType } from '../../src/index.js'
import { startBroker } from '../helpers.js'
import { SecureClient, addUser, listenerPort, saslLogin, startSecureBroker } from './secure-helpers.js'

/**
 * KIP-430 authorized operations over the wire: bit n set = AclOperation code n allowed. Expected values are spelled
 * out from Kafka's codes (READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9,
 * DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12) so a wrong table in the broker cannot pass.
 */
const NOT_REQUESTED = -2147483648
const bits = (...codes: number[]): number => codes.reduce((sum, code) => sum | (1 << code), 0)
const ALL_TOPIC = bits(3, 4, 5, 6, 7, 8, 10, 11) // 3576
const ALL_GROUP = bits(3, 6, 8) // 328
const ALL_CLUSTER = bits(5, 7, 8, 9, 10, 11, 12) // 8096

test('the constants are the numbers Kafka reports', () => {
  assert.deepEqual([ALL_TOPIC, ALL_GROUP, ALL_CLUSTER], [3576, 328, 8096])
})

/** A classic group "classic" and a KIP-848 group "modern", both with one member, made through `client`. */
async function makeGroups (client: SecureClient): Promise<void> {
  const join = await client.request(JoinGroupApi, 5, { groupId: 'classic', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] })
  assert.equal(join.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  const heartbeat = await client.request(ConsumerGroupHeartbeatApi, 0, { groupId: 'modern', memberId: 'm-1', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['orders'], topicPartitions: [] })
  assert.equal(heartbeat.errorCode, ErrorCode.NONE)
}

test('without an authorizer every applicable operation is reported; not asked = -2147483648', async (t) => {
  const server = await startBroker({ 'group.initial.rebalance.delay.ms': '0' })
  t.after(() => server.stop())
  const client = await SecureClient.connect(server.port)
  t.after(() => client.close())
  await client.request(CreateTopicsApi, 5, { topics: [{ name: 'orders', numPartitions: 1, replicationFactor: 1 }] })
  await makeGroups(client)

  const asked = await client.request(MetadataApi, 10, { topics: [{ name: 'orders' }, { name: 'nope' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true })
  assert.deepEqual(asked.topics.map((topic) => [topic.name, topic.errorCode, topic.topicAuthorizedOperations]), [['orders', 0, ALL_TOPIC], ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ALL_TOPIC]])
  assert.equal(asked.clusterAuthorizedOperations, ALL_CLUSTER)
  const notAsked = await client.request(MetadataApi, 10, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
  assert.deepEqual([notAsked.topics[0]!.topicAuthorizedOperations, notAsked.clusterAuthorizedOperations], [NOT_REQUESTED, NOT_REQUESTED])
  // v11 dropped the cluster field (DescribeCluster replaces it); topic operations stay.
  const v12 = await client.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: true })
  assert.deepEqual([v12.topics[0]!.topicAuthorizedOperations, v12.clusterAuthorizedOperations], [ALL_TOPIC, NOT_REQUESTED])

  const cluster = await client.request(DescribeClusterApi, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 })
  assert.equal(cluster.clusterAuthorizedOperations, ALL_CLUSTER)
  assert.equal((await client.request(DescribeClusterApi, 0, { includeClusterAuthorizedOperations: false })).clusterAuthorizedOperations, NOT_REQUESTED)

  const groups = await client.request(DescribeGroupsApi, 5, { groups: ['classic', 'unknown'], includeAuthorizedOperations: true })
  assert.deepEqual(groups.groups.map((group) => [group.groupId, group.errorCode, group.authorizedOperations]), [['classic', 0, ALL_GROUP], ['unknown', 0, ALL_GROUP]])
  assert.equal((await client.request(DescribeGroupsApi, 5, { groups: ['classic'], includeAuthorizedOperations: false })).groups[0]!.authorizedOperations, NOT_REQUESTED)
  // v2 has no such field: the client decodes the schema default.
  assert.equal((await client.request(DescribeGroupsApi, 2, { groups: ['classic'] })).groups[0]!.authorizedOperations, NOT_REQUESTED)

  const modern = await client.request(ConsumerGroupDescribeApi, 0, { groupIds: ['modern', 'missing'], includeAuthorizedOperations: true })
  assert.deepEqual(modern.groups.map((group) => [group.groupId, group.errorCode, group.authorizedOperations]), [['modern', 0, ALL_GROUP], ['missing', ErrorCode.GROUP_ID_NOT_FOUND, NOT_REQUESTED]])
  assert.equal((await client.request(ConsumerGroupDescribeApi, 0, { groupIds: ['modern'], includeAuthorizedOperations: false })).groups[0]!.authorizedOperations, NOT_REQUESTED)
})

test('with an authorizer: exactly the operations the ACLs allow, implied ones included', async (t) => {
  const server = await startSecureBroker(['SASL_PLAINTEXT'], {
    'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    'super.users': 'User:ANONYMOUS',
    'sasl.enabled.mechanisms': 'PLAIN',
    'group.initial.rebalance.delay.ms': '0'
  })
  t.after(() => server.stop())
  addUser(server, 'alice', 'a-pass')
  addUser(server, 'bob', 'b-pass')
  const admin = await SecureClient.connect(server.port)
  t.after(() => admin.close())
  await admin.request(CreateTopicsApi, 5, { topics: ['orders', 'alice-data'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1 })) })
  await makeGroups(admin)
  const acl = (resourceType: number, resourceName: string, operation: number, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ resourceType, resourceName, resourcePatternType: PatternType.LITERAL, principal: 'User:alice', host: '*', operation, permissionType: AclPermission.ALLOW, ...extra })
  const created = await admin.request(CreateAclsApi, 3, {
    creations: [
      acl(ResourceType.TOPIC, 'orders', AclOperation.READ),
      acl(ResourceType.TOPIC, 'orders', AclOperation.ALTER_CONFIGS),
      acl(ResourceType.TOPIC, 'alice-', AclOperation.ALL, { resourcePatternType: PatternType.PREFIXED }),
      acl(ResourceType.TOPIC, 'alice-data', AclOperation.DELETE, { permissionType: AclPermission.DENY }),
      acl(ResourceType.GROUP, 'classic', AclOperation.READ),
      acl(ResourceType.GROUP, 'modern', AclOperation.DESCRIBE),
      acl(ResourceType.GROUP, 'modern', AclOperation.DELETE),
      acl(ResourceType.CLUSTER, 'kafka-cluster', AclOperation.DESCRIBE),
      acl(ResourceType.CLUSTER, 'kafka-cluster', AclOperation.IDEMPOTENT_WRITE),
      acl(ResourceType.GROUP, 'classic', AclOperation.DESCRIBE, { principal: 'User:bob' })
    ]
  })
  assert.ok(created.results.every((result) => result.errorCode === ErrorCode.NONE))
  const login = async (user: string, password: string): Promise<SecureClient> => {
    const client = await SecureClient.connect(listenerPort(server, 'SASL_PLAINTEXT'))
    t.after(() => client.close())
    assert.equal((await saslLogin(client, 'PLAIN', user, password)).errorCode, ErrorCode.NONE)
    return client
  }
  const alice = await login('alice', 'a-pass')
  const bob = await login('bob', 'b-pass')
  const metadata = async (client: SecureClient, names: string[] | null): Promise<Array<[string | null, number, number]>> => {
    const response = await client.request(MetadataApi, 10, { topics: names?.map((name) => ({ name })) ?? null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true })
    return [...response.topics.map((topic): [string | null, number, number] => [topic.name, topic.errorCode, topic.topicAuthorizedOperations]), ['cluster', 0, response.clusterAuthorizedOperations]]
  }

  await t.test('Metadata: per topic, and the cluster with DESCRIBE on it', async () => {
    assert.deepEqual(await metadata(alice, ['orders', 'alice-data']), [
      ['orders', 0, bits(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS)], // 3336
      ['alice-data', 0, ALL_TOPIC & ~bits(AclOperation.DELETE)], // DENY DELETE wins over the prefixed ALL
      ['cluster', 0, bits(AclOperation.DESCRIBE, AclOperation.IDEMPOTENT_WRITE)]
    ])
    assert.deepEqual((await metadata(alice, ['orders']))[0]![2], 3336)
    // Refused topics keep the default; without DESCRIBE on the cluster its operations are 0, as in Kafka.
    assert.deepEqual(await metadata(bob, ['orders']), [['orders', ErrorCode.TOPIC_AUTHORIZATION_FAILED, NOT_REQUESTED], ['cluster', 0, 0]])
    assert.deepEqual(await metadata(bob, null), [['cluster', 0, 0]])
    assert.deepEqual(await metadata(admin, ['orders']), [['orders', 0, ALL_TOPIC], ['cluster', 0, ALL_CLUSTER]], 'super users may do everything')
  })

  await t.test('DescribeCluster', async () => {
    const cluster = async (client: SecureClient): Promise<number> => (await client.request(DescribeClusterApi, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 })).clusterAuthorizedOperations
    assert.deepEqual([await cluster(alice), await cluster(bob), await cluster(admin)], [bits(8, 12), 0, ALL_CLUSTER])
  })

  await t.test('DescribeGroups', async () => {
    const describe = async (client: SecureClient, version: number): Promise<Array<[string, number, number]>> =>
      (await client.request(DescribeGroupsApi, version, { groups: ['classic', 'modern'], includeAuthorizedOperations: true })).groups.map((group) => [group.groupId, group.errorCode, group.authorizedOperations])
    assert.deepEqual(await describe(alice, 5), [['classic', 0, bits(AclOperation.READ, AclOperation.DESCRIBE)], ['modern', 0, bits(AclOperation.DELETE, AclOperation.DESCRIBE)]])
    assert.deepEqual(await describe(alice, 3), [['classic', 0, 264], ['modern', 0, 320]])
    assert.deepEqual(await describe(bob, 5), [['classic', 0, bits(AclOperation.DESCRIBE)], ['modern', ErrorCode.GROUP_AUTHORIZATION_FAILED, NOT_REQUESTED]])
  })

  await t.test('ConsumerGroupDescribe', async () => {
    const describe = async (client: SecureClient): Promise<Array<[string, number, number]>> =>
      (await client.request(ConsumerGroupDescribeApi, 0, { groupIds: ['modern'], includeAuthorizedOperations: true })).groups.map((group) => [group.groupId, group.errorCode, group.authorizedOperations])
    assert.deepEqual(await describe(alice), [['modern', 0, bits(AclOperation.DELETE, AclOperation.DESCRIBE)]])
    assert.deepEqual(await describe(bob), [['modern', ErrorCode.GROUP_AUTHORIZATION_FAILED, NOT_REQUESTED]])
    assert.deepEqual(await describe(admin), [['modern', 0, ALL_GROUP]])
  })
})
