import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DescribeGroupsApi, ErrorCode, HeartbeatApi, JoinGroupApi, SyncGroupApi } from '@samsa/protocol'
import { RawMember, assignment, connect, decodeAssignment, expectError, formGroupOfTwo, joinSecondMember, startGroupBroker, subscription } from './group-helpers.js'

test('v4+: a new member gets MEMBER_ID_REQUIRED with its id, then joins as leader of generation 1', async (t) => {
  const server = await startGroupBroker(t)
  const client = await connect(t, server)
  const body = { groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['a']) }] }
  const first = await client.request(JoinGroupApi, 9, body)
  expectError(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  assert.match(first.memberId, /^samsa-test-[0-9a-f-]{36}$/)
  assert.equal(first.generationId, -1)
  const second = await client.request(JoinGroupApi, 9, { ...body, memberId: first.memberId })
  expectError(second.errorCode, ErrorCode.NONE)
  assert.equal(second.generationId, 1)
  assert.equal(second.memberId, first.memberId)
  assert.equal(second.leader, first.memberId)
  assert.equal(second.protocolType, 'consumer')
  assert.equal(second.protocolName, 'range')
  assert.equal(second.skipAssignment, false)
  assert.deepEqual(second.members.map((m) => [m.memberId, m.metadata]), [[first.memberId, subscription(['a'])]])

  const blob = assignment({ a: [0, 1] })
  const synced = await client.request(SyncGroupApi, 5, { groupId: 'g', generationId: 1, memberId: first.memberId, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: first.memberId, assignment: blob }] })
  expectError(synced.errorCode, ErrorCode.NONE)
  assert.deepEqual(synced.assignment, blob)
  assert.equal(synced.protocolName, 'range')
  const described = await client.request(DescribeGroupsApi, 5, { groups: ['g'], includeAuthorizedOperations: false })
  assert.equal(described.groups[0]!.groupState, 'Stable')
  assert.equal(described.groups[0]!.protocolData, 'range')
  assert.deepEqual(described.groups[0]!.members[0]!.memberAssignment, blob)
  assert.equal(described.groups[0]!.members[0]!.clientHost, '/127.0.0.1')
})

test('v0–v3 join directly, without the member id handshake; v0 uses the session timeout as rebalance timeout', async (t) => {
  const server = await startGroupBroker(t)
  for (const version of [0, 1, 2, 3]) {
    const client = await connect(t, server)
    const response = await client.request(JoinGroupApi, version, { groupId: `old-${version}`, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['a']) }] })
    expectError(response.errorCode, ErrorCode.NONE, `v${version}`)
    assert.equal(response.generationId, 1)
    assert.equal(response.protocolName, 'range')
    assert.equal(response.leader, response.memberId)
  }
})

test('a second member triggers a rebalance: heartbeat says REBALANCE_IN_PROGRESS, both land in generation 2', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'g2', topics: ['a'] })
  const b = await RawMember.connect(t, server, { groupId: 'g2', topics: ['a'] })
  await a.joinAndSync(4)
  assert.equal(a.generationId, 1)
  const bJoined = b.join()
  await new Promise((resolve) => setTimeout(resolve, 50))
  expectError(await a.heartbeat(), ErrorCode.REBALANCE_IN_PROGRESS)
  const [aJoin, bJoin] = await Promise.all([a.join(), bJoined])
  assert.equal(aJoin.generationId, 2)
  assert.equal(bJoin.generationId, 2)
  assert.equal(aJoin.leader, a.memberId, 'the leader stays the leader')
  assert.equal(aJoin.members.length, 2)
  assert.equal(bJoin.members.length, 0, 'followers get no member list')
  // The follower's SyncGroup is held until the leader's arrives.
  const followerSync = b.sync()
  let settled = false
  void followerSync.then(() => { settled = true })
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(settled, false)
  const leaderSync = await a.sync(4)
  const followerResult = await followerSync
  expectError(leaderSync.errorCode, ErrorCode.NONE)
  expectError(followerResult.errorCode, ErrorCode.NONE)
  const owned = [...Object.values(decodeAssignment(leaderSync.assignment)).flat(), ...Object.values(decodeAssignment(followerResult.assignment)).flat()].sort()
  assert.deepEqual(owned, [0, 1, 2, 3])
  expectError(await a.heartbeat(), ErrorCode.NONE)
  expectError(await b.heartbeat(), ErrorCode.NONE)
})

test('protocol selection: only protocols every member supports, the one most members prefer', async (t) => {
  const server = await startGroupBroker(t)
  const meta = Buffer.from('m')
  const a = await RawMember.connect(t, server, { groupId: 'votes', protocols: [{ name: 'x', metadata: meta }, { name: 'y', metadata: meta }, { name: 'z', metadata: meta }] })
  const b = await RawMember.connect(t, server, { groupId: 'votes', protocols: [{ name: 'y', metadata: meta }, { name: 'x', metadata: meta }] })
  const c = await RawMember.connect(t, server, { groupId: 'votes', protocols: [{ name: 'y', metadata: meta }, { name: 'x', metadata: meta }, { name: 'w', metadata: meta }] })
  await a.joinAndSync()
  const joins = [b.join(), c.join()]
  await new Promise((resolve) => setTimeout(resolve, 30))
  const results = await Promise.all([a.join(), ...joins])
  for (const result of results) assert.equal(result.protocolName, 'y')
})

test('INCONSISTENT_GROUP_PROTOCOL: no common protocol, another protocol type, empty type or protocol list', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'p', protocols: [{ name: 'range', metadata: subscription(['t']) }] })
  await a.joinAndSync()
  const client = await connect(t, server)
  const join = (body: Record<string, unknown>) => client.request(JoinGroupApi, 7, { groupId: 'p', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], ...body })
  expectError((await join({ protocols: [{ name: 'unknown-assignor', metadata: Buffer.alloc(0) }] })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  expectError((await join({ protocolType: 'connect' })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  expectError((await join({ groupId: 'fresh', protocolType: '' })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  expectError((await join({ groupId: 'fresh', protocols: [] })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  // The group is undisturbed.
  expectError(await a.heartbeat(), ErrorCode.NONE)
})

test('INVALID_SESSION_TIMEOUT outside group.min/max.session.timeout.ms; INVALID_GROUP_ID for an empty id', async (t) => {
  const server = await startGroupBroker(t, { 'group.min.session.timeout.ms': '1000', 'group.max.session.timeout.ms': '5000' })
  const client = await connect(t, server)
  const body = { groupId: 'g', sessionTimeoutMs: 999, rebalanceTimeoutMs: 1000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] }
  expectError((await client.request(JoinGroupApi, 3, body)).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT)
  expectError((await client.request(JoinGroupApi, 3, { ...body, sessionTimeoutMs: 5001 })).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT)
  expectError((await client.request(JoinGroupApi, 3, { ...body, sessionTimeoutMs: 5000 })).errorCode, ErrorCode.NONE)
  expectError((await client.request(JoinGroupApi, 3, { ...body, groupId: '' })).errorCode, ErrorCode.INVALID_GROUP_ID)
  expectError((await client.request(SyncGroupApi, 3, { groupId: '', generationId: 1, memberId: 'm', assignments: [] })).errorCode, ErrorCode.INVALID_GROUP_ID)
  expectError((await client.request(HeartbeatApi, 3, { groupId: '', generationId: 1, memberId: 'm' })).errorCode, ErrorCode.INVALID_GROUP_ID)
})

test('UNKNOWN_MEMBER_ID: a member id for an unknown group, or a member id the group does not know', async (t) => {
  const server = await startGroupBroker(t)
  const client = await connect(t, server)
  const body = { groupId: 'nobody', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: 'ghost', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] }
  const response = await client.request(JoinGroupApi, 9, body)
  expectError(response.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(response.memberId, 'ghost')
  expectError((await client.request(SyncGroupApi, 5, { groupId: 'nobody', generationId: 1, memberId: 'ghost', assignments: [] })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  expectError((await client.request(HeartbeatApi, 4, { groupId: 'nobody', generationId: 1, memberId: 'ghost' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  const a = await RawMember.connect(t, server, { groupId: 'known' })
  await a.joinAndSync()
  expectError((await client.request(JoinGroupApi, 9, { ...body, groupId: 'known' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  expectError((await client.request(HeartbeatApi, 4, { groupId: 'known', generationId: 1, memberId: 'ghost' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
})

test('group.max.size: a member beyond the limit gets GROUP_MAX_SIZE_REACHED', async (t) => {
  const server = await startGroupBroker(t, { 'group.max.size': '2' })
  const a = await RawMember.connect(t, server, { groupId: 'small' })
  const b = await RawMember.connect(t, server, { groupId: 'small' })
  const c = await RawMember.connect(t, server, { groupId: 'small' })
  await formGroupOfTwo(a, b)
  // Stable and full: refused before a member id is even handed out.
  const refused = await c.joinOnce()
  expectError(refused.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
  assert.equal(refused.memberId, '')
  expectError(await a.heartbeat(), ErrorCode.NONE)
})

test('SyncGroup errors: ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS while rebalancing, v5 protocol mismatch', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 's' })
  await a.joinAndSync()
  const sync = (body: Record<string, unknown>) => a.client.request(SyncGroupApi, 5, { groupId: 's', generationId: a.generationId, memberId: a.memberId, assignments: [], ...body })
  expectError((await sync({ generationId: 7 })).errorCode, ErrorCode.ILLEGAL_GENERATION)
  expectError((await sync({ protocolType: 'connect' })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  expectError((await sync({ protocolName: 'roundrobin' })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  expectError((await sync({})).errorCode, ErrorCode.NONE)
  const b = await RawMember.connect(t, server, { groupId: 's' })
  const bJoin = b.join()
  await new Promise((resolve) => setTimeout(resolve, 30))
  expectError((await sync({})).errorCode, ErrorCode.REBALANCE_IN_PROGRESS)
  await Promise.all([a.join(), bJoin])
})

test('SyncGroup always returns a valid assignment: members the leader left out get an empty ConsumerProtocolAssignment', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'empty-assign' })
  const b = await RawMember.connect(t, server, { groupId: 'empty-assign' })
  await joinSecondMember(a, b)
  const follower = b.sync()
  const leader = await a.client.request(SyncGroupApi, 3, { groupId: 'empty-assign', generationId: a.generationId, memberId: a.memberId, assignments: [{ memberId: a.memberId, assignment: assignment({ t: [0] }) }] })
  expectError(leader.errorCode, ErrorCode.NONE)
  const followerResult = await follower
  assert.deepEqual(followerResult.assignment, assignment({}), 'version 0, no topics, null user data')
  // A non-consumer protocol type is opaque to the broker: its empty assignment stays empty.
  const c = await RawMember.connect(t, server, { groupId: 'connect-group', protocolType: 'connect', protocols: [{ name: 'sessioned', metadata: Buffer.from('x') }] })
  await c.join()
  const own = await c.client.request(SyncGroupApi, 5, { groupId: 'connect-group', generationId: c.generationId, memberId: c.memberId, protocolType: 'connect', protocolName: 'sessioned', assignments: [] })
  expectError(own.errorCode, ErrorCode.NONE)
  assert.equal(own.assignment.length, 0)
})

test('rejoins: a follower with unchanged metadata keeps its generation; the leader rejoining forces a rebalance', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'r' })
  const b = await RawMember.connect(t, server, { groupId: 'r' })
  await joinSecondMember(a, b)
  await Promise.all([a.sync(2), b.sync()])
  const follower = await b.join()
  assert.equal(follower.generationId, 2, 'same generation, no rebalance')
  expectError(await a.heartbeat(), ErrorCode.NONE)
  const leaderRejoin = a.join()
  await new Promise((resolve) => setTimeout(resolve, 30))
  expectError(await b.heartbeat(), ErrorCode.REBALANCE_IN_PROGRESS)
  const [leader] = await Promise.all([leaderRejoin, b.join()])
  assert.equal(leader.generationId, 3)
})

test('JoinGroup again during CompletingRebalance with the same metadata gets the same generation back', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'cr' })
  const b = await RawMember.connect(t, server, { groupId: 'cr' })
  await joinSecondMember(a, b)
  const again = await b.join() // the leader has not synced: CompletingRebalance
  assert.equal(again.generationId, 2)
  assert.equal(again.leader, a.memberId)
  await Promise.all([a.sync(), b.sync()])
})

test('repeated rebalances (as cooperative clients drive them) keep working: ten generations in a row', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'coop', topics: ['t'] })
  const b = await RawMember.connect(t, server, { groupId: 'coop', topics: ['t'] })
  await formGroupOfTwo(a, b, 6)
  for (let round = 0; round < 10; round++) {
    const leaderJoin = a.join()
    await new Promise((resolve) => setTimeout(resolve, 5))
    const [x, y] = await Promise.all([leaderJoin, b.join()])
    assert.equal(x.generationId, y.generationId)
    const [sa, sb] = await Promise.all([a.sync(6), b.sync(6)])
    expectError(sa.errorCode, ErrorCode.NONE)
    expectError(sb.errorCode, ErrorCode.NONE)
  }
  assert.equal(a.generationId, 12)
})
