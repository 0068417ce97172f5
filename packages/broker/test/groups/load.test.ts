import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DescribeGroupsApi, ErrorCode, MetadataApi } from '@samsa/protocol'
import { RawClient } from '../helpers.js'
import { RawMember, connect, decodeAssignment, eventually, expectError, sleep, startGroupBroker, subscription } from './group-helpers.js'

/** Keeps a member in the group: rejoins whenever a heartbeat says so, until `stop` is set. */
async function stayInGroup (member: RawMember, partitions: number, stop: { done: boolean }): Promise<void> {
  await member.joinAndSync(partitions)
  while (!stop.done) {
    await sleep(20)
    const code = await member.heartbeat()
    if (code === ErrorCode.REBALANCE_IN_PROGRESS || code === ErrorCode.ILLEGAL_GENERATION) await member.joinAndSync(partitions)
    else if (code !== ErrorCode.NONE) throw new Error(`heartbeat: ${code}`)
  }
}

async function describe (client: RawClient, groupId: string): Promise<{ state: string, members: number }> {
  const group = (await client.request(DescribeGroupsApi, 5, { groups: [groupId], includeAuthorizedOperations: false })).groups[0]!
  return { state: group.groupState, members: group.members.length }
}

for (const delay of [0, 200]) {
  test(`join storm: 50 members joining at once converge on one generation (initial delay ${delay} ms)`, async (t) => {
    const server = await startGroupBroker(t, { 'group.initial.rebalance.delay.ms': String(delay) })
    const members = await Promise.all(Array.from({ length: 50 }, async () => await RawMember.connect(t, server, { groupId: 'storm', topics: ['t'], rebalanceTimeoutMs: 5000, sessionTimeoutMs: 5000 })))
    const stop = { done: false }
    const loops = members.map(async (member) => await stayInGroup(member, 100, stop))
    const observer = await connect(t, server)
    const started = Date.now()
    await eventually(async () => {
      const { state, members: count } = await describe(observer, 'storm')
      if (state !== 'Stable' || count !== 50) return false
      const generation = server.broker.context.groups.get('storm')!
      return generation.stateName === 'Stable' && members.every((member) => member.lastJoin !== null)
    }, 20_000, 'a Stable group of 50')
    const elapsed = Date.now() - started
    stop.done = true
    await Promise.all(loops)
    const generations = new Set(members.map((member) => member.generationId))
    assert.equal(generations.size, 1, `one generation, got ${[...generations].join(', ')}`)
    const owned = (await Promise.all(members.map(async (member) => await member.sync(100)))).flatMap((synced) => decodeAssignment(synced.assignment).t ?? [])
    assert.deepEqual(owned.sort((a, b) => a - b), Array.from({ length: 100 }, (_, p) => p), 'every partition owned exactly once')
    t.diagnostic(`50 members stable after ${elapsed} ms`)
  })
}

test('a member that disconnects while its JoinGroup is held does not wedge the group', async (t) => {
  const server = await startGroupBroker(t)
  const a = await RawMember.connect(t, server, { groupId: 'wedge', rebalanceTimeoutMs: 300 })
  await a.joinAndSync()
  const b = await RawMember.connect(t, server, { groupId: 'wedge', rebalanceTimeoutMs: 300 })
  await b.joinOnce() // MEMBER_ID_REQUIRED
  void b.joinOnce().catch(() => {}) // held: the group is waiting for a to rejoin
  await sleep(30)
  b.close()
  await a.join() // completes with b (it did join) ...
  await a.sync()
  // ... which never syncs: removed after the rebalance timeout, and a carries on alone.
  await eventually(async () => {
    const code = await a.heartbeat()
    if (code === ErrorCode.REBALANCE_IN_PROGRESS) await a.joinAndSync()
    return code === ErrorCode.NONE && a.lastJoin!.members.length === 1
  }, 5000, 'group back to one member')
})

test('oversized member metadata reaches the leader intact; an oversized frame closes only that connection', async (t) => {
  const server = await startGroupBroker(t, { 'socket.request.max.bytes': String(4 * 1024 * 1024) })
  const big = Buffer.concat([subscription(['t']), Buffer.alloc(1024 * 1024, 0xab)])
  const a = await RawMember.connect(t, server, { groupId: 'big', protocols: [{ name: 'range', metadata: big }] })
  const joined = await a.join()
  assert.deepEqual(joined.members[0]!.metadata, big)
  const abuser = await connect(t, server)
  abuser.write(Buffer.from([0x10, 0, 0, 0])) // a frame claiming 256 MiB
  await abuser.closed
  expectError((await a.sync()).errorCode, ErrorCode.NONE)
  const other = await connect(t, server)
  const metadata = await other.request(MetadataApi, 9, { topics: [], allowAutoTopicCreation: false })
  assert.equal(metadata.brokers.length, 1)
})
