import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  AddOffsetsToTxnApi, AddPartitionsToTxnApi, CreateAclsApi, CreatePartitionsApi, CreateTopicsApi, DeleteGroupsApi,
  DeleteRecordsApi, DeleteTopicsApi, DescribeConfigsApi, DescribeGroupsApi, DescribeLogDirsApi, DescribeProducersApi,
  DescribeTransactionsApi, EndTxnApi, ErrorCode, FetchApi, FindCoordinatorApi, HeartbeatApi, IncrementalAlterConfigsApi,
  InitProducerIdApi, JoinGroupApi, ListGroupsApi, ListOffsetsApi, ListTransactionsApi, MetadataApi, OffsetCommitApi,
  OffsetDeleteApi, OffsetFetchApi, OffsetForLeaderEpochApi, ProduceApi, SyncGroupApi, TxnOffsetCommitApi, encodeRecordBatch
} from '@samsa/protocol'
import { AclOperation, AclPermission, PatternType, ResourceType } from '../../src/index.js'
import { SecureClient, addUser, listenerPort, saslLogin, startSecureBroker, scratchDir } from './secure-helpers.js'

/**
 * The authorization matrix over the wire: for each API, alice (who has the ACL) succeeds and bob (who has none)
 * gets the exact *_AUTHORIZATION_FAILED code. The PLAINTEXT listener's ANONYMOUS principal is a super user here
 * and prepares topics and ACLs.
 */
const AUTH_CODES = new Set<number>([ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.GROUP_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED])
const records = (): Buffer => encodeRecordBatch([{ key: 'k', value: 'v' }])

test('every API checks its ACLs: allowed principal succeeds, the other gets the exact authorization error', async (t) => {
  const audit = join(scratchDir('samsa-audit-'), 'audit.log')
  const server = await startSecureBroker(['SASL_PLAINTEXT'], {
    'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    'super.users': 'User:ANONYMOUS',
    'sasl.enabled.mechanisms': 'PLAIN',
    'audit.log.file': audit,
    'auto.create.topics.enable': 'false',
    'group.initial.rebalance.delay.ms': '0'
  })
  t.after(() => server.stop())
  addUser(server, 'alice', 'a-pass')
  addUser(server, 'bob', 'b-pass')
  const admin = await SecureClient.connect(server.port)
  t.after(() => admin.close())
  const created = await admin.request(CreateTopicsApi, 5, { topics: ['orders', 'doomed', 'alice-grow', 'bob-grow'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1 })) })
  assert.deepEqual(created.topics.map((topic) => topic.errorCode), [0, 0, 0, 0])
  const allow = (resourceType: number, resourceName: string, operation: number, patternType: number = PatternType.LITERAL): Record<string, unknown> =>
    ({ resourceType, resourceName, resourcePatternType: patternType, principal: 'User:alice', host: '*', operation, permissionType: AclPermission.ALLOW })
  const acls = await admin.request(CreateAclsApi, 3, {
    creations: [
      allow(ResourceType.TOPIC, 'orders', AclOperation.READ),
      allow(ResourceType.TOPIC, 'orders', AclOperation.WRITE),
      allow(ResourceType.TOPIC, 'orders', AclOperation.DESCRIBE_CONFIGS),
      allow(ResourceType.TOPIC, 'orders', AclOperation.ALTER_CONFIGS),
      allow(ResourceType.TOPIC, 'orders', AclOperation.DELETE),
      allow(ResourceType.TOPIC, 'doomed', AclOperation.DELETE),
      allow(ResourceType.TOPIC, 'alice-', AclOperation.ALL, PatternType.PREFIXED),
      allow(ResourceType.GROUP, 'g1', AclOperation.READ),
      allow(ResourceType.GROUP, 'g1', AclOperation.DELETE),
      allow(ResourceType.TRANSACTIONAL_ID, 'tx1', AclOperation.WRITE),
      allow(ResourceType.CLUSTER, 'kafka-cluster', AclOperation.DESCRIBE)
    ]
  })
  assert.ok(acls.results.every((result) => result.errorCode === ErrorCode.NONE))

  const login = async (user: string, password: string): Promise<SecureClient> => {
    const client = await SecureClient.connect(listenerPort(server, 'SASL_PLAINTEXT'))
    assert.equal((await saslLogin(client, 'PLAIN', user, password)).errorCode, ErrorCode.NONE)
    t.after(() => client.close())
    return client
  }
  const alice = await login('alice', 'a-pass')
  const bob = await login('bob', 'b-pass')

  const cases: Array<[string, number, (client: SecureClient) => Promise<number>]> = [
    ['Produce (WRITE topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(ProduceApi, 9, { acks: -1, timeoutMs: 5000, topicData: [{ name: 'orders', partitionData: [{ index: 0, records: records() }] }] })).responses[0]!.partitionResponses[0]!.errorCode],
    ['transactional Produce (WRITE transactional id)', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, async (c) => {
      const code = (await c.request(ProduceApi, 9, { transactionalId: c === alice ? 'tx-none' : 'tx1', acks: -1, timeoutMs: 5000, topicData: [{ name: 'orders', partitionData: [{ index: 0, records: records() }] }] })).responses[0]!.partitionResponses[0]!.errorCode
      return c === alice ? (code === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED ? ErrorCode.NONE : -100) : code
    }],
    ['Fetch (READ topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(FetchApi, 12, { maxWaitMs: 0, minBytes: 0, topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] })).responses[0]!.partitions[0]!.errorCode],
    ['ListOffsets (DESCRIBE topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(ListOffsetsApi, 7, { replicaId: -1, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] })).topics[0]!.partitions[0]!.errorCode],
    ['OffsetForLeaderEpoch (DESCRIBE topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(OffsetForLeaderEpochApi, 4, { replicaId: -1, topics: [{ topic: 'orders', partitions: [{ partition: 0, leaderEpoch: 0 }] }] })).topics[0]!.partitions[0]!.errorCode],
    ['Metadata by name (DESCRIBE topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(MetadataApi, 12, { topics: [{ name: 'orders' }], allowAutoTopicCreation: false })).topics[0]!.errorCode],
    ['DescribeConfigs (DESCRIBE_CONFIGS topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: 2, resourceName: 'orders', configurationKeys: null }] })).results[0]!.errorCode],
    ['DescribeConfigs broker (DESCRIBE_CONFIGS cluster)', ErrorCode.CLUSTER_AUTHORIZATION_FAILED, async (c) => c === alice ? ErrorCode.NONE : (await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: 4, resourceName: '1', configurationKeys: null }] })).results[0]!.errorCode],
    ['IncrementalAlterConfigs (ALTER_CONFIGS topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(IncrementalAlterConfigsApi, 1, { validateOnly: false, resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', configOperation: 0, value: '3600000' }] }] })).responses[0]!.errorCode],
    ['CreateTopics (CREATE cluster or topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(CreateTopicsApi, 5, { topics: [{ name: c === alice ? 'alice-new' : 'bob-new', numPartitions: 1, replicationFactor: 1 }] })).topics[0]!.errorCode],
    ['CreatePartitions (ALTER topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(CreatePartitionsApi, 3, { topics: [{ name: c === alice ? 'alice-grow' : 'bob-grow', count: 2, assignments: null }], timeoutMs: 5000, validateOnly: false })).results[0]!.errorCode],
    ['DeleteRecords (DELETE topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(DeleteRecordsApi, 2, { topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 0 }] }], timeoutMs: 5000 })).topics[0]!.partitions[0]!.errorCode],
    ['FindCoordinator group (DESCRIBE group)', ErrorCode.GROUP_AUTHORIZATION_FAILED, async (c) => (await c.request(FindCoordinatorApi, 3, { key: 'g1', keyType: 0 })).errorCode],
    ['FindCoordinator transaction (DESCRIBE transactional id)', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, async (c) => (await c.request(FindCoordinatorApi, 4, { keyType: 1, coordinatorKeys: ['tx1'] })).coordinators[0]!.errorCode],
    ['JoinGroup (READ group)', ErrorCode.GROUP_AUTHORIZATION_FAILED, async (c) => {
      const code = (await c.request(JoinGroupApi, 5, { groupId: 'g1', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] })).errorCode
      return code === ErrorCode.MEMBER_ID_REQUIRED ? ErrorCode.NONE : code
    }],
    ['SyncGroup (READ group)', ErrorCode.GROUP_AUTHORIZATION_FAILED, async (c) => c === alice ? ErrorCode.NONE : (await c.request(SyncGroupApi, 3, { groupId: 'g1', generationId: 1, memberId: 'm', assignments: [] })).errorCode],
    ['Heartbeat (READ group)', ErrorCode.GROUP_AUTHORIZATION_FAILED, async (c) => c === alice ? ErrorCode.NONE : (await c.request(HeartbeatApi, 3, { groupId: 'g1', generationId: 1, memberId: 'm' })).errorCode],
    ['OffsetCommit (READ group)', ErrorCode.GROUP_AUTHORIZATION_FAILED, async (c) => (await c.request(OffsetCommitApi, 8, { groupId: 'g1', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1 }] }] })).topics[0]!.partitions[0]!.errorCode],
    ['OffsetFetch (DESCRIBE group)', ErrorCode.GROUP_AUTHORIZATION_FAILED, async (c) => (await c.request(OffsetFetchApi, 7, { groupId: 'g1', topics: [{ name: 'orders', partitionIndexes: [0] }] })).errorCode],
    ['DescribeGroups (DESCRIBE group)', ErrorCode.GROUP_AUTHORIZATION_FAILED, async (c) => (await c.request(DescribeGroupsApi, 5, { groups: ['g1'] })).groups[0]!.errorCode],
    ['InitProducerId transactional (WRITE transactional id)', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, async (c) => (await c.request(InitProducerIdApi, 4, { transactionalId: 'tx1', transactionTimeoutMs: 60000 })).errorCode],
    ['InitProducerId idempotent (WRITE on some topic)', ErrorCode.CLUSTER_AUTHORIZATION_FAILED, async (c) => (await c.request(InitProducerIdApi, 4, { transactionalId: null, transactionTimeoutMs: 60000 })).errorCode],
    ['AddPartitionsToTxn (WRITE transactional id)', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, async (c) => c === alice ? ErrorCode.NONE : (await c.request(AddPartitionsToTxnApi, 3, { v3AndBelowTransactionalId: 'tx1', v3AndBelowProducerId: 1, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [{ name: 'orders', partitions: [0] }] })).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode],
    ['AddOffsetsToTxn (WRITE transactional id)', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, async (c) => c === alice ? ErrorCode.NONE : (await c.request(AddOffsetsToTxnApi, 3, { transactionalId: 'tx1', producerId: 1, producerEpoch: 0, groupId: 'g1' })).errorCode],
    ['TxnOffsetCommit (WRITE transactional id)', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, async (c) => c === alice ? ErrorCode.NONE : (await c.request(TxnOffsetCommitApi, 3, { transactionalId: 'tx1', groupId: 'g1', producerId: 1, producerEpoch: 0, generationId: -1, memberId: '', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1 }] }] })).topics[0]!.partitions[0]!.errorCode],
    ['EndTxn (WRITE transactional id)', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, async (c) => c === alice ? ErrorCode.NONE : (await c.request(EndTxnApi, 3, { transactionalId: 'tx1', producerId: 1, producerEpoch: 0, committed: true })).errorCode],
    ['DescribeTransactions (DESCRIBE transactional id)', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, async (c) => {
      const code = (await c.request(DescribeTransactionsApi, 0, { transactionalIds: ['tx1'] })).transactionStates[0]!.errorCode
      return code === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND ? ErrorCode.NONE : code
    }],
    ['DescribeProducers (READ topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(DescribeProducersApi, 0, { topics: [{ name: 'orders', partitionIndexes: [0] }] })).topics[0]!.partitions[0]!.errorCode],
    ['DescribeLogDirs (DESCRIBE cluster)', ErrorCode.CLUSTER_AUTHORIZATION_FAILED, async (c) => (await c.request(DescribeLogDirsApi, 4, { topics: null })).errorCode],
    ['OffsetDelete (DELETE group)', ErrorCode.GROUP_AUTHORIZATION_FAILED, async (c) => {
      const code = (await c.request(OffsetDeleteApi, 0, { groupId: 'g1', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }] })).errorCode
      return code === ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC || code === ErrorCode.GROUP_ID_NOT_FOUND ? ErrorCode.NONE : code
    }],
    ['DeleteGroups (DELETE group)', ErrorCode.GROUP_AUTHORIZATION_FAILED, async (c) => {
      const code = (await c.request(DeleteGroupsApi, 2, { groupsNames: ['g1'] })).results[0]!.errorCode
      return code === ErrorCode.NON_EMPTY_GROUP || code === ErrorCode.GROUP_ID_NOT_FOUND ? ErrorCode.NONE : code
    }],
    ['DeleteTopics (DELETE topic)', ErrorCode.TOPIC_AUTHORIZATION_FAILED, async (c) => (await c.request(DeleteTopicsApi, 5, { topicNames: ['doomed'], timeoutMs: 5000 })).responses[0]!.errorCode]
  ]
  for (const [label, deniedCode, run] of cases) {
    await t.test(label, async () => {
      assert.equal(await run(bob), deniedCode, 'bob is refused with the exact code')
      const allowed = await run(alice)
      assert.ok(!AUTH_CODES.has(allowed), `alice is allowed (got ${allowed})`)
    })
  }

  await t.test('Metadata of all topics shows only what the principal may DESCRIBE; ListGroups and ListTransactions filter too', async () => {
    const names = async (c: SecureClient): Promise<string[]> => (await c.request(MetadataApi, 12, { topics: null })).topics.map((topic) => topic.name ?? '').sort()
    assert.deepEqual(await names(bob), [])
    assert.deepEqual(await names(alice), ['alice-grow', 'alice-new', 'orders'])
    assert.deepEqual(await names(admin), ['alice-grow', 'alice-new', 'bob-grow', 'orders'])
    assert.deepEqual((await bob.request(ListGroupsApi, 4, {})).groups, [])
    assert.deepEqual((await bob.request(ListTransactionsApi, 0, {})).transactionStates, [])
  })

  await t.test('denials are in the audit log with principal, operation and resource', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100))
    const events = readFileSync(audit, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    const denial = events.find((event) => event.event === 'authorization' && event.api === 'Produce' && event.allowed === false)
    assert.deepEqual({ ...denial, time: undefined }, { time: undefined, event: 'authorization', principal: 'User:bob', client: '127.0.0.1', listener: 'SASL_PLAINTEXT', api: 'Produce', operation: 'WRITE', resourceType: 'TOPIC', resourceName: 'orders', allowed: false })
    assert.ok(events.some((event) => event.event === 'authorization' && event.api === 'DeleteTopics' && event.allowed === true && event.principal === 'User:alice'), 'allowed admin operations are audited')
    assert.ok(events.some((event) => event.event === 'change' && event.action === 'acl.create'), 'ACL changes are audited')
    assert.ok(events.some((event) => event.event === 'authentication' && event.principal === 'User:alice' && event.result === 'success'))
    assert.ok(!events.some((event) => event.event === 'authorization' && event.api === 'Produce' && event.allowed === true), 'plain reads and writes that are allowed are not audited by default')
  })
})
