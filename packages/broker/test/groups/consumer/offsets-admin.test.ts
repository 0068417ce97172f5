import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DeleteGroupsApi, DescribeGroupsApi, ErrorCode, ListGroupsApi, OffsetCommitApi, OffsetDeleteApi, OffsetFetchApi } from '@samsa/protocol'
import { connect, createTopic } from '../group-helpers.js'
import { Kip848Member, consumerGroupOf, expectCode, settle, startConsumerBroker } from './consumer-helpers.js'

const commitBody = (member: { memberId: string }, epoch: number, offset: number): Record<string, unknown> => ({
  groupId: 'o', generationIdOrMemberEpoch: epoch, memberId: member.memberId,
  topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'm' }] }]
})

test('OffsetCommit with member epochs: the current epoch commits, an old one is STALE_MEMBER_EPOCH, pre-v9 versions are refused', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 't', 2)
  const a = await Kip848Member.connect(t, server, { groupId: 'o' })
  await a.heartbeat()
  const commit = async (version: number, body: Record<string, unknown>): Promise<number> =>
    (await a.client.request(OffsetCommitApi, version, body as never)).topics[0]!.partitions[0]!.errorCode
  expectCode(await commit(9, commitBody(a, a.epoch, 10)), ErrorCode.NONE)
  const b = await Kip848Member.connect(t, server, { groupId: 'o' })
  await b.heartbeat()
  await settle([a, b], () => consumerGroupOf(server, 'o'))
  expectCode(await commit(9, commitBody(a, 1, 11)), ErrorCode.STALE_MEMBER_EPOCH, 'epoch 1 is over')
  expectCode(await commit(9, commitBody(a, a.epoch, 12)), ErrorCode.NONE)
  expectCode(await commit(8, commitBody(a, a.epoch, 13)), ErrorCode.UNSUPPORTED_VERSION, 'members of this protocol need v9')
  expectCode(await commit(9, commitBody({ memberId: 'nobody' }, 2, 14)), ErrorCode.UNKNOWN_MEMBER_ID)
  expectCode(await commit(9, commitBody({ memberId: '' }, -1, 15)), ErrorCode.UNKNOWN_MEMBER_ID, 'outsiders may not commit while there are members')
  expectCode(await commit(9, { ...commitBody(a, 3, 1), groupId: 'no-such-group' }), ErrorCode.GROUP_ID_NOT_FOUND)
  expectCode(await commit(8, { ...commitBody(a, 3, 1), groupId: 'no-such-group' }), ErrorCode.ILLEGAL_GENERATION)
  // Transactional commits (KIP-447) check the epoch too, answering ILLEGAL_GENERATION.
  const sink = server.broker.context.groups.txnOffsetSink
  expectCode(sink.validateMember('o', 1, a.memberId, null), ErrorCode.ILLEGAL_GENERATION)
  expectCode(sink.validateMember('o', a.epoch, a.memberId, null), ErrorCode.NONE)

  // OffsetFetch v9 with member id and epoch.
  const fetch = async (memberId: string | null, memberEpoch: number): Promise<{ errorCode: number, offset: number | undefined }> => {
    const response = await a.client.request(OffsetFetchApi, 9, { groups: [{ groupId: 'o', memberId, memberEpoch, topics: [{ name: 't', partitionIndexes: [0] }] }], requireStable: false })
    const group = response.groups[0]!
    return { errorCode: group.errorCode, offset: group.topics[0]?.partitions[0]?.committedOffset }
  }
  assert.deepEqual(await fetch(a.memberId, a.epoch), { errorCode: ErrorCode.NONE, offset: 12 })
  assert.deepEqual(await fetch(null, -1), { errorCode: ErrorCode.NONE, offset: 12 })
  assert.equal((await fetch(a.memberId, 1)).errorCode, ErrorCode.STALE_MEMBER_EPOCH)
  assert.equal((await fetch('nobody', 2)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)

  // Once the group is empty, tools may commit from outside.
  await a.leave()
  await b.leave()
  expectCode(await commit(9, commitBody({ memberId: '' }, -1, 20)), ErrorCode.NONE)
})

test('ListGroups, DescribeGroups, OffsetDelete and DeleteGroups on a consumer group', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 't', 2)
  createTopic(server, 'other', 1)
  const a = await Kip848Member.connect(t, server, { groupId: 'o' })
  await a.heartbeat()
  const client = await connect(t, server)
  await client.request(OffsetCommitApi, 9, commitBody(a, a.epoch, 5) as never)
  await client.request(OffsetCommitApi, 9, { ...commitBody(a, a.epoch, 5), topics: [{ name: 'other', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }] } as never)

  const listed = await client.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['Consumer'] })
  assert.deepEqual(listed.groups.map((group) => [group.groupId, group.protocolType, group.groupState, group.groupType]), [['o', 'consumer', 'Stable', 'consumer']])
  assert.deepEqual((await client.request(ListGroupsApi, 5, { statesFilter: [], typesFilter: ['classic'] })).groups, [])
  assert.equal((await client.request(ListGroupsApi, 4, { statesFilter: ['stable'] })).groups.length, 1)

  const described = await client.request(DescribeGroupsApi, 5, { groups: ['o'], includeAuthorizedOperations: false })
  assert.equal(described.groups[0]!.groupState, 'Dead', 'DescribeGroups (v0–5) does not describe consumer-protocol groups')
  expectCode(described.groups[0]!.errorCode, ErrorCode.NONE)

  const deleted = await client.request(OffsetDeleteApi, 0, { groupId: 'o', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }, { name: 'other', partitions: [{ partitionIndex: 0 }] }] })
  expectCode(deleted.errorCode, ErrorCode.NONE)
  assert.deepEqual(deleted.topics.map((topic) => topic.partitions[0]!.errorCode), [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE])

  expectCode((await client.request(DeleteGroupsApi, 2, { groupsNames: ['o'] })).results[0]!.errorCode, ErrorCode.NON_EMPTY_GROUP)
  await a.leave()
  expectCode((await client.request(DeleteGroupsApi, 2, { groupsNames: ['o'] })).results[0]!.errorCode, ErrorCode.NONE)
  assert.equal(server.broker.context.groups.get('o'), undefined)
  const fetched = await client.request(OffsetFetchApi, 8, { groups: [{ groupId: 'o', topics: null }], requireStable: false })
  assert.deepEqual(fetched.groups[0]!.topics, [])
})
