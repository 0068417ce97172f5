import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DescribeGroupsApi, ErrorCode, JoinGroupApi, LeaveGroupApi } from '@samsa/protocol'
import { RawMember, connect, eventually, expectError, formGroupOfTwo, joinSecondMember, sleep, startGroupBroker } from './group-helpers.js'

test('a member that stops heartbeating is evicted after its session timeout and the group rebalances', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'hb', sessionTimeoutMs: 2000 })
  const b = await RawMember.connect(t, server, { groupId: 'hb', sessionTimeoutMs: 300 })
  await formGroupOfTwo(a, b)
  // b keeps heartbeating for a while: it stays.
  for (let i = 0; i < 4; i++) {
    await sleep(100)
    expectError(await b.heartbeat(), ErrorCode.NONE)
    expectError(await a.heartbeat(), ErrorCode.NONE)
  }
  // b goes silent; a keeps heartbeating and is told to rebalance once b's 300 ms session ran out.
  const silentSince = Date.now()
  await eventually(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS, 3000, 'rebalance after eviction')
  assert.ok(Date.now() - silentSince >= 250, `evicted after ${Date.now() - silentSince} ms`)
  const rejoined = await a.join()
  assert.equal(rejoined.members.length, 1)
  expectError(await b.heartbeat(), ErrorCode.UNKNOWN_MEMBER_ID)
})

test('the last member timing out leaves the group Empty', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'alone', sessionTimeoutMs: 100 })
  await a.joinAndSync()
  await eventually(async () => {
    const described = await a.client.request(DescribeGroupsApi, 5, { groups: ['alone'], includeAuthorizedOperations: false })
    return described.groups[0]!.groupState === 'Empty'
  }, 3000, 'Empty')
})

test('rebalance timeout: a dynamic member that does not rejoin is removed when the join phase ends', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'rt', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300 })
  const b = await RawMember.connect(t, server, { groupId: 'rt', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300 })
  await formGroupOfTwo(a, b)
  const started = Date.now()
  const rejoin = await a.join() // leader rejoin: rebalance; b (max.poll.interval exceeded, say) never rejoins
  const waited = Date.now() - started
  assert.ok(waited >= 250 && waited < 3000, `join phase took ${waited} ms`)
  assert.equal(rejoin.members.length, 1)
  assert.equal(rejoin.generationId, 3)
  expectError(await b.heartbeat(), ErrorCode.UNKNOWN_MEMBER_ID)
})

test('a member that never sends SyncGroup is removed after the rebalance timeout', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'nosync', rebalanceTimeoutMs: 300 })
  const b = await RawMember.connect(t, server, { groupId: 'nosync', rebalanceTimeoutMs: 300 })
  await joinSecondMember(a, b)
  await a.sync() // b never syncs
  await eventually(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS, 3000, 'rebalance after the sync timeout')
  const rejoined = await a.join()
  assert.equal(rejoined.members.length, 1)
})

test('a member id handed out with MEMBER_ID_REQUIRED expires after the session timeout', async (t) => {
  const server = await startGroupBroker(t)
  const client = await connect(t, server)
  const body = { groupId: 'pending', sessionTimeoutMs: 100, rebalanceTimeoutMs: 1000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] }
  const first = await client.request(JoinGroupApi, 6, body)
  expectError(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  await sleep(250)
  const late = await client.request(JoinGroupApi, 6, { ...body, memberId: first.memberId })
  expectError(late.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
})

test('a pending member delays the join phase until it joins', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'wait-pending', rebalanceTimeoutMs: 5000 })
  await a.joinAndSync()
  const b = await RawMember.connect(t, server, { groupId: 'wait-pending', rebalanceTimeoutMs: 5000 })
  expectError((await b.joinOnce()).errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  const leaderRejoin = a.join()
  await sleep(100)
  const [x, y] = await Promise.all([leaderRejoin, b.join()])
  assert.equal(x.generationId, y.generationId)
  assert.equal(x.members.length, 2)
})

test('LeaveGroup: v0–2 report the member error at the top level; v3+ per member; unknown groups', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'leave' })
  const b = await RawMember.connect(t, server, { groupId: 'leave' })
  await formGroupOfTwo(a, b)
  const client = await connect(t, server)
  expectError((await client.request(LeaveGroupApi, 1, { groupId: 'leave', memberId: 'ghost' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  expectError((await client.request(LeaveGroupApi, 2, { groupId: 'leave', memberId: b.memberId })).errorCode, ErrorCode.NONE)
  expectError(await a.heartbeat(), ErrorCode.REBALANCE_IN_PROGRESS)
  const rejoined = await a.join()
  assert.equal(rejoined.members.length, 1)
  await a.sync()
  const batch = await client.request(LeaveGroupApi, 4, { groupId: 'leave', members: [{ memberId: a.memberId, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }] })
  expectError(batch.errorCode, ErrorCode.NONE)
  assert.deepEqual(batch.members.map((m) => m.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID])
  await eventually(async () => (await client.request(DescribeGroupsApi, 5, { groups: ['leave'], includeAuthorizedOperations: false })).groups[0]!.groupState === 'Empty', 2000, 'Empty')
  const unknown = await client.request(LeaveGroupApi, 3, { groupId: 'no-such-group', members: [{ memberId: 'x', groupInstanceId: null }] })
  expectError(unknown.errorCode, ErrorCode.NONE)
  expectError(unknown.members[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  expectError((await client.request(LeaveGroupApi, 0, { groupId: '', memberId: 'x' })).errorCode, ErrorCode.INVALID_GROUP_ID)
})

test('a member leaving while others wait in the join phase lets the phase complete without it', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'leave-mid', rebalanceTimeoutMs: 10_000 })
  const b = await RawMember.connect(t, server, { groupId: 'leave-mid', rebalanceTimeoutMs: 10_000 })
  await formGroupOfTwo(a, b)
  const started = Date.now()
  const rejoin = a.join()
  await sleep(50)
  await b.client.request(LeaveGroupApi, 5, { groupId: 'leave-mid', members: [{ memberId: b.memberId, groupInstanceId: null, reason: 'shutdown' }] })
  const result = await rejoin
  assert.ok(Date.now() - started < 2000, 'did not wait for the 10 s rebalance timeout')
  assert.equal(result.members.length, 1)
})
