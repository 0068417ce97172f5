import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiVersionsApi, ConsumerGroupHeartbeatApi, ErrorCode } from '@samsa/protocol'
import { connect, createTopic } from '../group-helpers.js'
import { Kip848Member, consumerGroupOf, describe, expectCode, settledPair, startConsumerBroker, topicId } from './consumer-helpers.js'

test('ApiVersions advertises ConsumerGroupHeartbeat 0–1 and ConsumerGroupDescribe 0', async (t) => {
  const server = await startConsumerBroker(t)
  const client = await connect(t, server)
  const { apiKeys } = await client.request(ApiVersionsApi, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' })
  assert.deepEqual(apiKeys.filter((key) => key.apiKey === 68 || key.apiKey === 69).map((key) => [key.apiKey, key.minVersion, key.maxVersion]), [[68, 0, 1], [69, 0, 0]])
})

test('a v0 member joins with epoch 0, gets a broker-made id, epoch 1, every partition and the heartbeat interval', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 't', 4)
  const member = await Kip848Member.connect(t, server, { groupId: 'g', version: 0 })
  const joined = await member.heartbeat()
  expectCode(joined.errorCode, ErrorCode.NONE)
  assert.match(joined.memberId!, /^[A-Za-z0-9_-]{22}$/)
  assert.equal(joined.memberEpoch, 1)
  assert.equal(joined.heartbeatIntervalMs, 100)
  assert.deepEqual(joined.assignment, { topicPartitions: [{ topicId: topicId(server, 't'), partitions: [0, 1, 2, 3] }] })
  // A heartbeat that changes nothing carries no assignment.
  const again = await member.heartbeat({ subscribedTopicNames: null, rebalanceTimeoutMs: -1, topicPartitions: null })
  expectCode(again.errorCode, ErrorCode.NONE)
  assert.equal(again.memberEpoch, 1)
  assert.equal(again.assignment, null)
  // A full request (every field given) always carries it.
  const full = await member.heartbeat({ subscribedTopicNames: ['t'], rebalanceTimeoutMs: 30_000 })
  assert.deepEqual(full.assignment?.topicPartitions[0]?.partitions, [0, 1, 2, 3])
  const described = await describe(member.client, 'g')
  expectCode(described.errorCode, ErrorCode.NONE)
  assert.equal(described.groupState, 'Stable')
  assert.equal(described.groupEpoch, 1)
  assert.equal(described.assignmentEpoch, 1)
  assert.equal(described.assignorName, 'uniform')
  assert.equal(described.members[0]!.memberEpoch, 1)
  assert.equal(described.members[0]!.clientId, 'samsa-test')
  assert.equal(described.members[0]!.clientHost, '/127.0.0.1')
  assert.deepEqual(described.members[0]!.subscribedTopicNames, ['t'])
  assert.deepEqual(described.members[0]!.assignment.topicPartitions, [{ topicId: topicId(server, 't'), topicName: 't', partitions: [0, 1, 2, 3] }])
  assert.deepEqual(described.members[0]!.targetAssignment.topicPartitions, described.members[0]!.assignment.topicPartitions)
})

test('requests Kafka rejects: INVALID_REQUEST with its messages, UNSUPPORTED_ASSIGNOR, invalid regex, unknown groups and members', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 't', 2)
  const client = await connect(t, server)
  const base = { groupId: 'g', memberId: 'm1', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['t'], topicPartitions: [] }
  const cases: Array<[number, Record<string, unknown>, number, string | null]> = [
    [1, { groupId: '' }, ErrorCode.INVALID_REQUEST, 'GroupId can\'t be empty.'],
    [1, { memberId: '' }, ErrorCode.INVALID_REQUEST, 'MemberId can\'t be empty.'],
    [0, { memberId: '', memberEpoch: 3 }, ErrorCode.INVALID_REQUEST, 'MemberId can\'t be empty.'],
    [1, { instanceId: '' }, ErrorCode.INVALID_REQUEST, 'InstanceId can\'t be empty.'],
    [1, { rackId: '' }, ErrorCode.INVALID_REQUEST, 'RackId can\'t be empty.'],
    [1, { rebalanceTimeoutMs: -1 }, ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.'],
    [1, { topicPartitions: null }, ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.'],
    [1, { subscribedTopicNames: null }, ErrorCode.INVALID_REQUEST, 'Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.'],
    [1, { memberEpoch: -3 }, ErrorCode.INVALID_REQUEST, 'MemberEpoch is invalid.'],
    [1, { memberEpoch: -2 }, ErrorCode.INVALID_REQUEST, 'InstanceId can\'t be null.'],
    [1, { serverAssignor: 'sticky' }, ErrorCode.UNSUPPORTED_ASSIGNOR, 'ServerAssignor sticky is not supported. Supported assignors: uniform, range.'],
    [1, { subscribedTopicRegex: 'orders-(' }, 128, null],
    [1, { memberEpoch: 4 }, ErrorCode.GROUP_ID_NOT_FOUND, 'Consumer group g not found.']
  ]
  for (const [version, fields, code, message] of cases) {
    const response = await client.request(ConsumerGroupHeartbeatApi, version, { ...base, ...fields } as never)
    assert.equal(response.errorCode, code, JSON.stringify(fields))
    if (message !== null) assert.equal(response.errorMessage, message)
    assert.equal(response.memberId, null)
    assert.equal(response.assignment, null)
  }
  const member = await Kip848Member.connect(t, server, { groupId: 'g' })
  expectCode((await member.heartbeat()).errorCode, ErrorCode.NONE)
  const unknown = await client.request(ConsumerGroupHeartbeatApi, 1, { ...base, memberId: 'nobody', memberEpoch: 1 })
  expectCode(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(unknown.errorMessage, 'Member nobody is not a member of group g.')
})

test('member epochs: a greater or an unknown smaller epoch is FENCED_MEMBER_EPOCH; the previous epoch with a subset of the partitions is accepted', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 't', 4)
  const { a, b } = await settledPair(t, server, { groupId: 'g' })
  assert.equal(a.epoch, 2)
  expectCode((await a.send({ memberEpoch: 3 })).errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
  expectCode((await a.send({ memberEpoch: 0, topicPartitions: [], rebalanceTimeoutMs: 1000, subscribedTopicNames: ['t'] })).errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
  // a's previous epoch was 1 (it moved 1 → 2 when b joined); the answer bumping it "was lost".
  const lost = await a.send({ memberEpoch: 1 })
  expectCode(lost.errorCode, ErrorCode.NONE)
  assert.equal(lost.memberEpoch, 2)
  expectCode((await a.send({ memberEpoch: 1, topicPartitions: null })).errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
  const foreign = [{ topicId: topicId(server, 't'), partitions: [0, 1, 2, 3] }]
  expectCode((await a.send({ memberEpoch: 1, topicPartitions: foreign })).errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
  // Fenced members must rejoin: the member still exists, so its session ends it and b takes over.
  assert.equal(consumerGroupOf(server, 'g').size, 2)
})

test('leaving: epoch -1 removes the member, bumps the group epoch and the others take its partitions; the last one leaves the group Empty', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 't', 6)
  const { a, b } = await settledPair(t, server, { groupId: 'g' })
  assert.deepEqual([a.ownedCount(), b.ownedCount()], [3, 3])
  const left = await b.leave()
  expectCode(left.errorCode, ErrorCode.NONE)
  assert.equal(left.memberEpoch, -1)
  assert.equal(left.memberId, b.memberId)
  const group = consumerGroupOf(server, 'g')
  assert.equal(group.stateName, 'Assigning')
  assert.equal(group.groupEpoch, 3)
  const after = await a.heartbeat()
  assert.equal(after.memberEpoch, 3)
  assert.equal(a.ownedCount(), 6, 'freed partitions go at once: nobody owns them')
  assert.equal(group.stateName, 'Stable')
  expectCode((await b.send({ memberEpoch: 2 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  expectCode((await b.send({ memberEpoch: -1 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  expectCode((await a.leave()).errorCode, ErrorCode.NONE)
  assert.equal(group.stateName, 'Empty')
  assert.equal((await describe(a.client, 'g')).groupState, 'Empty')
})

test('group.consumer.max.size: a member beyond it gets GROUP_MAX_SIZE_REACHED; members already in may keep heartbeating', async (t) => {
  const server = await startConsumerBroker(t, { 'group.consumer.max.size': '2' })
  createTopic(server, 't', 2)
  const members = await Promise.all([1, 2, 3].map(async () => await Kip848Member.connect(t, server, { groupId: 'full' })))
  expectCode((await members[0]!.heartbeat()).errorCode, ErrorCode.NONE)
  expectCode((await members[1]!.heartbeat()).errorCode, ErrorCode.NONE)
  const third = await members[2]!.heartbeat()
  expectCode(third.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
  assert.equal(third.errorMessage, 'The consumer group has reached its maximum capacity of 2 members.')
  expectCode((await members[0]!.heartbeat()).errorCode, ErrorCode.NONE)
})

test('serverAssignor: the assignor most members ask for is used (range here), the default otherwise', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 't', 5)
  const { a, b } = await settledPair(t, server, { groupId: 'r', serverAssignor: 'range', memberId: 'a' }, { groupId: 'r', serverAssignor: 'range', memberId: 'b' })
  const id = topicId(server, 't')
  assert.deepEqual([...a.owned.get(id)!].sort(), [0, 1, 2])
  assert.deepEqual([...b.owned.get(id)!].sort(), [3, 4])
  assert.equal((await describe(a.client, 'r')).assignorName, 'range')
})
