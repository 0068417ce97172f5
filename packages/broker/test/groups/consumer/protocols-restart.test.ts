import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConsumerGroupDescribeApi, ErrorCode, HeartbeatApi, LeaveGroupApi, OffsetCommitApi, OffsetFetchApi } from '@samsa/protocol'
import { ClassicGroup } from '../../../src/groups/classic/classic-group.js'
import { RawClient, startBroker, type TestBroker } from '../../helpers.js'
import { RawMember, connect, createTopic, FAST_GROUPS } from '../group-helpers.js'
import { FAST_CONSUMER, Kip848Member, consumerGroupOf, expectCode, settle, settledPair, startConsumerBroker } from './consumer-helpers.js'

test('a classic JoinGroup cannot enter a consumer group with members (INCONSISTENT_GROUP_PROTOCOL); nor the reverse (GROUP_ID_NOT_FOUND)', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 't', 2)
  const modern = await Kip848Member.connect(t, server, { groupId: 'new' })
  await modern.heartbeat()
  const classic = await RawMember.connect(t, server, { groupId: 'new' })
  const refused = await classic.joinOnce()
  expectCode(refused.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  // Classic requests naming a member of a consumer group: it is not one of theirs.
  const client = await connect(t, server)
  expectCode((await client.request(HeartbeatApi, 4, { groupId: 'new', generationId: 1, memberId: modern.memberId, groupInstanceId: null })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  const left = await client.request(LeaveGroupApi, 5, { groupId: 'new', members: [{ memberId: modern.memberId, groupInstanceId: null, reason: null }] })
  expectCode(left.members[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)

  const old = await RawMember.connect(t, server, { groupId: 'old', topics: ['t'] })
  await old.joinAndSync(2)
  const intruder = await Kip848Member.connect(t, server, { groupId: 'old' })
  const answer = await intruder.heartbeat()
  expectCode(answer.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
  assert.equal(answer.errorMessage, 'Group old is not a consumer group.')
  const described = await client.request(ConsumerGroupDescribeApi, 0, { groupIds: ['old', 'missing', ''], includeAuthorizedOperations: false })
  assert.deepEqual(described.groups.map((group) => [group.groupId, group.errorCode, group.errorMessage]), [
    ['old', ErrorCode.GROUP_ID_NOT_FOUND, 'Group old is not a consumer group.'],
    ['missing', ErrorCode.GROUP_ID_NOT_FOUND, 'Group missing not found.'],
    ['', ErrorCode.INVALID_GROUP_ID, null]
  ])
})

test('empty groups change protocol, keeping their committed offsets: classic → consumer → classic', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 't', 2)
  const client = await connect(t, server)
  const commit = await client.request(OffsetCommitApi, 8, { groupId: 'flip', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 77, committedLeaderEpoch: -1, committedMetadata: '' }] }] })
  expectCode(commit.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE)
  assert.ok(server.broker.context.groups.get('flip') instanceof ClassicGroup)

  const modern = await Kip848Member.connect(t, server, { groupId: 'flip' })
  expectCode((await modern.heartbeat()).errorCode, ErrorCode.NONE)
  assert.equal(consumerGroupOf(server, 'flip').size, 1)
  const fetched = await client.request(OffsetFetchApi, 9, { groups: [{ groupId: 'flip', memberId: modern.memberId, memberEpoch: modern.epoch, topics: [{ name: 't', partitionIndexes: [1] }] }], requireStable: false })
  assert.equal(fetched.groups[0]!.topics[0]!.partitions[0]!.committedOffset, 77)
  await modern.leave()

  const classic = await RawMember.connect(t, server, { groupId: 'flip', topics: ['t'] })
  await classic.joinAndSync(2)
  assert.ok(server.broker.context.groups.get('flip') instanceof ClassicGroup)
  const again = await client.request(OffsetFetchApi, 8, { groups: [{ groupId: 'flip', topics: [{ name: 't', partitionIndexes: [1] }] }], requireStable: false })
  assert.equal(again.groups[0]!.topics[0]!.partitions[0]!.committedOffset, 77)
})

test('consumer groups survive a restart: members carry on in their epochs, mid-reconciliation included', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-kip848-'))
  const servers: TestBroker[] = []
  t.after(async () => {
    for (const server of servers) await server.stop({ keepData: true }).catch(() => {})
    rmSync(dataDir, { recursive: true, force: true })
  })
  const settings = { ...FAST_GROUPS, ...FAST_CONSUMER, 'group.consumer.session.timeout.ms': '30000' }
  let server = await startBroker(settings, dataDir)
  servers.push(server)
  createTopic(server, 't', 6)
  const noCleanup = { after: () => {} }
  const { a, b } = await settledPair(noCleanup, server, { groupId: 'dur', memberId: 'a' }, { groupId: 'dur', memberId: 'b' })
  const commit = await a.client.request(OffsetCommitApi, 9, { groupId: 'dur', generationIdOrMemberEpoch: a.epoch, memberId: 'a', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: -1, committedMetadata: '' }] }] })
  expectCode(commit.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE)
  // c joins; a is asked to revoke and has not yet when the broker stops.
  const c = await Kip848Member.connect(noCleanup, server, { groupId: 'dur', memberId: 'c' })
  await c.heartbeat()
  await a.send()
  const before = consumerGroupOf(server, 'dur')
  const snapshot = { epoch: before.groupEpoch, states: [...before.members.values()].map((m) => [m.memberId, m.memberEpoch, m.state]) }
  for (const member of [a, b, c]) member.close()
  await server.stop({ keepData: true })

  server = await startBroker(settings, dataDir)
  servers.push(server)
  const after = consumerGroupOf(server, 'dur')
  assert.deepEqual({ epoch: after.groupEpoch, states: [...after.members.values()].map((m) => [m.memberId, m.memberEpoch, m.state]) }, snapshot)
  const reconnect = async (member: Kip848Member): Promise<Kip848Member> => {
    const fresh = await Kip848Member.connect(t, server, { groupId: 'dur', memberId: member.memberId })
    fresh.epoch = member.epoch
    fresh.owned = member.owned
    fresh.received = member.received
    return fresh
  }
  const members = [await reconnect(a), await reconnect(b), await reconnect(c)]
  await settle(members, () => after)
  assert.equal(after.groupEpoch, snapshot.epoch, 'no rebalance caused by the restart')
  assert.equal(members.reduce((sum, member) => sum + member.ownedCount(), 0), 6)
  const client = await RawClient.connect(server.port)
  t.after(() => client.close())
  const fetched = await client.request(OffsetFetchApi, 9, { groups: [{ groupId: 'dur', memberId: 'a', memberEpoch: members[0]!.epoch, topics: [{ name: 't', partitionIndexes: [0] }] }], requireStable: false })
  assert.equal(fetched.groups[0]!.topics[0]!.partitions[0]!.committedOffset, 9)
})
