import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiVersionsApi, DeleteGroupsApi, DescribeGroupsApi, ErrorCode, FindCoordinatorApi, ListGroupsApi, OffsetCommitApi, OffsetDeleteApi, OffsetFetchApi } from '@samsa/protocol'
import { RawMember, connect, createTopic, expectError, sleep, startGroupBroker } from './group-helpers.js'

test('ApiVersions advertises the group APIs with Kafka\'s version spans', async (t) => {
  const server = await startGroupBroker(t)
  const client = await connect(t, server)
  const versions = await client.request(ApiVersionsApi, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' })
  const spans = Object.fromEntries(versions.apiKeys.map((key) => [key.apiKey, [key.minVersion, key.maxVersion]]))
  assert.deepEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 42, 47].map((key) => spans[key]), [[0, 9], [0, 9], [0, 6], [0, 9], [0, 4], [0, 5], [0, 5], [0, 5], [0, 5], [0, 2], [0, 0]])
})

test('FindCoordinator: this node for groups and transactions, batched from v4, INVALID_REQUEST for other key types', async (t) => {
  const server = await startGroupBroker(t)
  const client = await connect(t, server)
  for (const version of [0, 1, 2, 3]) {
    const response = await client.request(FindCoordinatorApi, version, { key: 'g', keyType: 0 })
    expectError(response.errorCode, ErrorCode.NONE)
    assert.deepEqual([response.nodeId, response.host, response.port], [1, '127.0.0.1', server.port], `v${version}`)
  }
  const txn = await client.request(FindCoordinatorApi, 3, { key: 'tx', keyType: 1 })
  assert.equal(txn.nodeId, 1)
  const bad = await client.request(FindCoordinatorApi, 3, { key: 'x', keyType: 2 })
  expectError(bad.errorCode, ErrorCode.INVALID_REQUEST)
  assert.deepEqual([bad.nodeId, bad.host, bad.port], [-1, '', -1])
  for (const version of [4, 5, 6]) {
    const batched = await client.request(FindCoordinatorApi, version, { keyType: 0, coordinatorKeys: ['a', 'b', ''] })
    assert.deepEqual(batched.coordinators.map((c) => [c.key, c.nodeId, c.port, c.errorCode]), [['a', 1, server.port, 0], ['b', 1, server.port, 0], ['', 1, server.port, 0]])
  }
})

test('DescribeGroups: states, members, protocol data only while Stable, unknown groups are Dead', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'd', topics: ['x'] })
  await a.joinAndSync(1)
  const client = await connect(t, server)
  const describe = async (version = 5, include = false) => (await client.request(DescribeGroupsApi, version, { groups: ['d', 'unknown'], includeAuthorizedOperations: include })).groups
  const [stable, unknown] = await describe(5, true)
  assert.deepEqual([stable!.errorCode, stable!.groupState, stable!.protocolType, stable!.protocolData], [0, 'Stable', 'consumer', 'range'])
  assert.equal(stable!.members.length, 1)
  assert.equal(stable!.members[0]!.memberId, a.memberId)
  assert.equal(stable!.members[0]!.clientId, 'samsa-test')
  assert.ok(stable!.members[0]!.memberMetadata.length > 0)
  assert.equal(stable!.authorizedOperations, (1 << 3) | (1 << 6) | (1 << 8))
  assert.deepEqual([unknown!.errorCode, unknown!.groupState, unknown!.protocolType, unknown!.members.length], [0, 'Dead', '', 0])
  const b = await RawMember.connect(t, server, { groupId: 'd', topics: ['x'] })
  const bJoin = b.join()
  await sleep(30)
  const [preparing] = await describe(0)
  assert.deepEqual([preparing!.groupState, preparing!.protocolData], ['PreparingRebalance', ''])
  assert.equal(preparing!.members[0]!.memberMetadata.length, 0)
  await Promise.all([a.join(), bJoin])
  const [completing] = await describe(4)
  assert.equal(completing!.groupState, 'CompletingRebalance')
  assert.equal(completing!.members.length, 2)
})

test('ListGroups: every group, state (v4) and type (v5) filters, offsets-only groups as Empty with no protocol type', async (t) => {
  const server = await startGroupBroker(t)
  createTopic(server, 'l', 1)
  const a = await RawMember.connect(t, server, { groupId: 'listed-stable' })
  await a.joinAndSync()
  const client = await connect(t, server)
  await client.request(OffsetCommitApi, 8, { groupId: 'listed-offsets', topics: [{ name: 'l', partitions: [{ partitionIndex: 0, committedOffset: 1 }] }] })
  const all = await client.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: [] })
  assert.deepEqual(all.groups.map((g) => [g.groupId, g.protocolType, g.groupState, g.groupType]).sort(), [['listed-offsets', '', 'Empty', 'classic'], ['listed-stable', 'consumer', 'Stable', 'classic']])
  const stableOnly = await client.request(ListGroupsApi, 4, { statesFilter: ['stable'] })
  assert.deepEqual(stableOnly.groups.map((g) => g.groupId), ['listed-stable'])
  const consumerType = await client.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['consumer'] })
  assert.deepEqual(consumerType.groups, [])
  const v0 = await client.request(ListGroupsApi, 0, {})
  expectError(v0.errorCode, ErrorCode.NONE)
  assert.equal(v0.groups.length, 2)
})

test('DeleteGroups: NON_EMPTY_GROUP with members, GROUP_ID_NOT_FOUND when unknown, offsets deleted with the group', async (t) => {
  const server = await startGroupBroker(t)
  createTopic(server, 'del', 1)
  const a = await RawMember.connect(t, server, { groupId: 'busy' })
  await a.joinAndSync()
  const client = await connect(t, server)
  await client.request(OffsetCommitApi, 8, { groupId: 'idle', topics: [{ name: 'del', partitions: [{ partitionIndex: 0, committedOffset: 5 }] }] })
  const response = await client.request(DeleteGroupsApi, 2, { groupsNames: ['busy', 'idle', 'nope'] })
  assert.deepEqual(response.results.map((r) => [r.groupId, r.errorCode]), [['busy', ErrorCode.NON_EMPTY_GROUP], ['idle', ErrorCode.NONE], ['nope', ErrorCode.GROUP_ID_NOT_FOUND]])
  const fetched = await client.request(OffsetFetchApi, 6, { groupId: 'idle', topics: [{ name: 'del', partitionIndexes: [0] }] })
  assert.equal(fetched.topics[0]!.partitions[0]!.committedOffset, -1)
  const again = await client.request(DeleteGroupsApi, 0, { groupsNames: ['idle'] })
  expectError(again.results[0]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
  expectError(await a.heartbeat(), ErrorCode.NONE)
})

test('OffsetDelete: GROUP_SUBSCRIBED_TO_TOPIC for consumed topics, others deleted; group-level errors', async (t) => {
  const server = await startGroupBroker(t)
  createTopic(server, 'consumed', 1)
  createTopic(server, 'old', 1)
  const a = await RawMember.connect(t, server, { groupId: 'od', topics: ['consumed'] })
  await a.joinAndSync(1)
  const client = await connect(t, server)
  await client.request(OffsetCommitApi, 8, { groupId: 'od', generationIdOrMemberEpoch: a.generationId, memberId: a.memberId, topics: [{ name: 'consumed', partitions: [{ partitionIndex: 0, committedOffset: 1 }] }, { name: 'old', partitions: [{ partitionIndex: 0, committedOffset: 2 }] }] })
  const response = await client.request(OffsetDeleteApi, 0, { groupId: 'od', topics: [{ name: 'consumed', partitions: [{ partitionIndex: 0 }] }, { name: 'old', partitions: [{ partitionIndex: 0 }] }, { name: 'gone', partitions: [{ partitionIndex: 0 }] }] })
  expectError(response.errorCode, ErrorCode.NONE)
  assert.deepEqual(response.topics.map((topic) => [topic.name, topic.partitions[0]!.errorCode]), [['consumed', ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC], ['old', ErrorCode.NONE], ['gone', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
  const fetched = await client.request(OffsetFetchApi, 6, { groupId: 'od', topics: null })
  assert.deepEqual(fetched.topics.map((topic) => topic.name), ['consumed'])
  expectError((await client.request(OffsetDeleteApi, 0, { groupId: 'unknown', topics: [] })).errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
  expectError((await client.request(OffsetDeleteApi, 0, { groupId: '', topics: [] })).errorCode, ErrorCode.INVALID_GROUP_ID)
  // A protocol the broker cannot read subscriptions of: NON_EMPTY_GROUP while it has members.
  const c = await RawMember.connect(t, server, { groupId: 'opaque', protocolType: 'connect', protocols: [{ name: 'p', metadata: Buffer.from('?') }] })
  await c.joinAndSync()
  expectError((await client.request(OffsetDeleteApi, 0, { groupId: 'opaque', topics: [{ name: 'old', partitions: [{ partitionIndex: 0 }] }] })).errorCode, ErrorCode.NON_EMPTY_GROUP)
})
