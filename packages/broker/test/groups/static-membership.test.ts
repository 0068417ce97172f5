import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, HeartbeatApi, JoinGroupApi, LeaveGroupApi, OffsetCommitApi, SyncGroupApi } from '@samsa/protocol'
import { RawMember, createTopic, decodeAssignment, eventually, expectError, formGroupOfTwo, startGroupBroker, subscription } from './group-helpers.js'

async function stableStaticPair (t: Parameters<typeof startGroupBroker>[0], groupId: string, server: Awaited<ReturnType<typeof startGroupBroker>>, joinVersion = 9): Promise<[RawMember, RawMember]> {
  const a = await RawMember.connect(t, server, { groupId, groupInstanceId: 'instance-a', topics: ['t'], joinVersion })
  const b = await RawMember.connect(t, server, { groupId, groupInstanceId: 'instance-b', topics: ['t'], joinVersion })
  await formGroupOfTwo(a, b, 4)
  return [a, b]
}

test('a restarted static member takes over its identity without a rebalance and gets its old assignment', async (t) => {
  const server = await startGroupBroker(t)
  createTopic(server, 't', 4)
  const [a, b] = await stableStaticPair(t, 'static', server)
  const generation = b.generationId
  const before = decodeAssignment((await b.sync(4)).assignment)
  const oldMemberId = b.memberId
  b.close()
  // "Restart": a new connection, no member id, the same instance id and subscription.
  const restarted = await RawMember.connect(t, server, { groupId: 'static', groupInstanceId: 'instance-b', topics: ['t'] })
  const joined = await restarted.joinOnce()
  expectError(joined.errorCode, ErrorCode.NONE, 'no MEMBER_ID_REQUIRED for static members')
  assert.equal(joined.generationId, generation)
  assert.notEqual(restarted.memberId, oldMemberId)
  assert.equal(joined.leader, a.memberId)
  const synced = await restarted.sync()
  expectError(synced.errorCode, ErrorCode.NONE)
  assert.deepEqual(decodeAssignment(synced.assignment), before)
  expectError(await a.heartbeat(), ErrorCode.NONE, 'the other member saw no rebalance')
  // The old member id is fenced everywhere.
  const client = restarted.client
  expectError((await client.request(HeartbeatApi, 4, { groupId: 'static', generationId: generation, memberId: oldMemberId, groupInstanceId: 'instance-b' })).errorCode, ErrorCode.FENCED_INSTANCE_ID)
  expectError((await client.request(SyncGroupApi, 5, { groupId: 'static', generationId: generation, memberId: oldMemberId, groupInstanceId: 'instance-b', assignments: [] })).errorCode, ErrorCode.FENCED_INSTANCE_ID)
  const commit = await client.request(OffsetCommitApi, 8, { groupId: 'static', generationIdOrMemberEpoch: generation, memberId: oldMemberId, groupInstanceId: 'instance-b', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1 }] }] })
  expectError(commit.topics[0]!.partitions[0]!.errorCode, ErrorCode.FENCED_INSTANCE_ID)
  const join = await client.request(JoinGroupApi, 9, { ...restarted.joinBody() as object, memberId: oldMemberId } as never)
  expectError(join.errorCode, ErrorCode.FENCED_INSTANCE_ID)
})

test('v9: a restarted static leader is told to skip the assignment; before v9 it is given the old leader id', async (t) => {
  const server = await startGroupBroker(t)
  const [a] = await stableStaticPair(t, 'static-leader', server)
  const generation = a.generationId
  const oldLeader = a.memberId
  a.close()
  const v9 = await RawMember.connect(t, server, { groupId: 'static-leader', groupInstanceId: 'instance-a', topics: ['t'], joinVersion: 9 })
  const joined = await v9.joinOnce()
  assert.equal(joined.generationId, generation)
  assert.equal(joined.skipAssignment, true)
  assert.equal(joined.leader, v9.memberId)
  assert.equal(joined.members.length, 2)

  const [c] = await stableStaticPair(t, 'static-leader-old', server, 5)
  const oldLeaderOfC = c.memberId
  c.close()
  const v5 = await RawMember.connect(t, server, { groupId: 'static-leader-old', groupInstanceId: 'instance-a', topics: ['t'], joinVersion: 5 })
  const old = await v5.joinOnce()
  assert.equal(old.skipAssignment, false)
  assert.equal(old.leader, oldLeaderOfC, 'the old leader id, so the client does not assign')
  assert.equal(old.members.length, 0)
  assert.notEqual(oldLeader, '')
})

test('a static member rejoining with a different subscription triggers a rebalance', async (t) => {
  const server = await startGroupBroker(t)
  const [a, b] = await stableStaticPair(t, 'static-change', server)
  b.close()
  const changed = await RawMember.connect(t, server, { groupId: 'static-change', groupInstanceId: 'instance-b', topics: ['t', 'u'] })
  const joining = changed.joinOnce()
  await new Promise((resolve) => setTimeout(resolve, 30))
  expectError(await a.heartbeat(), ErrorCode.REBALANCE_IN_PROGRESS)
  const [x, y] = await Promise.all([joining, a.join()])
  assert.equal(x.generationId, y.generationId)
  assert.equal(x.generationId, 3)
})

test('LeaveGroup by group instance id removes a static member (administrative removal)', async (t) => {
  const server = await startGroupBroker(t)
  const [a, b] = await stableStaticPair(t, 'static-leave', server)
  const left = await a.client.request(LeaveGroupApi, 5, { groupId: 'static-leave', members: [{ memberId: '', groupInstanceId: 'instance-b', reason: 'scale down' }, { memberId: '', groupInstanceId: 'nobody' }] })
  expectError(left.errorCode, ErrorCode.NONE)
  assert.deepEqual(left.members.map((m) => [m.groupInstanceId, m.errorCode]), [['instance-b', ErrorCode.NONE], ['nobody', ErrorCode.UNKNOWN_MEMBER_ID]])
  expectError(await a.heartbeat(), ErrorCode.REBALANCE_IN_PROGRESS)
  expectError(await b.heartbeat(), ErrorCode.UNKNOWN_MEMBER_ID)
  const rejoined = await a.join()
  assert.equal(rejoined.members.length, 1)
})

test('a static member that does not rejoin keeps its place through the rebalance until its session expires', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'static-slow', groupInstanceId: 'fast', sessionTimeoutMs: 5000, rebalanceTimeoutMs: 200 })
  const b = await RawMember.connect(t, server, { groupId: 'static-slow', groupInstanceId: 'slow', sessionTimeoutMs: 600, rebalanceTimeoutMs: 200 })
  await formGroupOfTwo(a, b)
  // a rejoins (as leader it forces a rebalance); b stays silent.
  const started = Date.now()
  const rejoin = await a.join()
  assert.ok(Date.now() - started >= 150, 'the join phase waited for the rebalance timeout')
  assert.equal(rejoin.members.length, 2, 'the silent static member is still a member')
  // SyncGroup completes for a; b never syncs and is removed after the rebalance timeout, or its session.
  await a.sync()
  await eventually(async () => {
    const code = await a.heartbeat()
    if (code === ErrorCode.REBALANCE_IN_PROGRESS) await a.joinAndSync()
    return code === ErrorCode.NONE && a.lastJoin!.members.length === 1
  }, 5000, 'the silent static member removed')
})
