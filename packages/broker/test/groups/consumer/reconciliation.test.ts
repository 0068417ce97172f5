import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@samsa/protocol'
import { createTopic, sleep } from '../group-helpers.js'
import { Kip848Member, assertDisjoint, consumerGroupOf, describe, expectCode, settle, settledPair, startConsumerBroker, topicId } from './consumer-helpers.js'

test('a partition goes to its new owner only after the previous owner stopped reporting it', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 't', 6)
  const id = topicId(server, 't')
  const a = await Kip848Member.connect(t, server, { groupId: 'g', memberId: 'a' })
  const b = await Kip848Member.connect(t, server, { groupId: 'g', memberId: 'b' })
  await a.heartbeat()
  assert.equal(a.ownedCount(), 6)

  // b joins: group epoch 2. b is in the new epoch at once but gets nothing yet: a still owns everything.
  const bJoin = await b.heartbeat()
  assert.equal(bJoin.memberEpoch, 2)
  assert.deepEqual(bJoin.assignment, { topicPartitions: [] })
  const group = consumerGroupOf(server, 'g')
  assert.equal(group.stateName, 'Reconciling')

  // a is asked to revoke 3 partitions; it stays in epoch 1 until it reports them gone.
  const revoke = await a.send()
  assert.equal(revoke.memberEpoch, 1)
  const kept = revoke.assignment!.topicPartitions[0]!.partitions
  assert.equal(kept.length, 3)
  const revoked = [0, 1, 2, 3, 4, 5].filter((p) => !kept.includes(p))
  // A slow member: it keeps reporting every partition. Nothing moves.
  for (let i = 0; i < 3; i++) {
    assert.equal((await a.send()).memberEpoch, 1)
    const waiting = await b.send()
    assert.equal(waiting.assignment, null)
    for (const p of revoked) assert.equal(group.ownerOf(id, p), 'a', `partition ${p} still a's`)
  }
  let described = await describe(a.client, 'g')
  assert.deepEqual(described.members.find((m) => m.memberId === 'a')!.assignment.topicPartitions[0]!.partitions, kept)
  assert.deepEqual(described.members.find((m) => m.memberId === 'b')!.targetAssignment.topicPartitions[0]!.partitions, revoked)

  // a revokes (its heartbeat lists only what it kept): it moves to epoch 2 and the partitions are free.
  a.owned = new Map([[id, new Set(kept)]])
  const acked = await a.heartbeat()
  assert.equal(acked.memberEpoch, 2)
  for (const p of revoked) assert.equal(group.ownerOf(id, p), undefined)
  const given = await b.heartbeat()
  assert.deepEqual(given.assignment!.topicPartitions[0]!.partitions, revoked)
  assertDisjoint([a, b])
  assert.equal(group.stateName, 'Stable')
  described = await describe(a.client, 'g')
  assert.equal(described.groupState, 'Stable')
})

test('the rebalance timeout fences a member that never revokes; its partitions then move', async (t) => {
  const server = await startConsumerBroker(t, { 'group.consumer.session.timeout.ms': '30000' })
  createTopic(server, 't', 4)
  const a = await Kip848Member.connect(t, server, { groupId: 'g', memberId: 'a', rebalanceTimeoutMs: 300 })
  const b = await Kip848Member.connect(t, server, { groupId: 'g', memberId: 'b' })
  await a.heartbeat()
  await b.heartbeat()
  await a.send() // asked to revoke; never does
  const started = Date.now()
  const group = consumerGroupOf(server, 'g')
  while (group.members.has('a')) {
    assert.ok(Date.now() - started < 3000, 'fenced within its rebalance timeout')
    await b.heartbeat()
    await sleep(20)
  }
  assert.ok(Date.now() - started >= 250)
  await b.heartbeat()
  assert.equal(b.ownedCount(), 4)
  expectCode((await a.send()).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
})

test('a member that stops heartbeating is removed after group.consumer.session.timeout.ms; the others take over', async (t) => {
  const server = await startConsumerBroker(t, { 'group.consumer.session.timeout.ms': '400' })
  createTopic(server, 't', 4)
  const { a, b } = await settledPair(t, server, { groupId: 'g' })
  const silentSince = Date.now()
  const group = consumerGroupOf(server, 'g')
  while (group.size === 2) {
    await a.heartbeat()
    assert.ok(Date.now() - silentSince < 3000, 'evicted')
    await sleep(50)
  }
  assert.ok(Date.now() - silentSince >= 350, `evicted after ${Date.now() - silentSince} ms`)
  await a.heartbeat()
  assert.equal(a.ownedCount(), 4)
  expectCode((await b.send()).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
})

test('churn: members joining, leaving, crashing and revoking late; no partition is ever owned by two members', async (t) => {
  const server = await startConsumerBroker(t, { 'group.consumer.session.timeout.ms': '60000' })
  createTopic(server, 'c1', 7)
  createTopic(server, 'c2', 5)
  const group = (): ReturnType<typeof consumerGroupOf> => consumerGroupOf(server, 'churn')
  let seed = 42
  const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  const active: Kip848Member[] = []
  let created = 0
  const join = async (): Promise<void> => {
    const topics = [['c1'], ['c2'], ['c1', 'c2']][random(3)]!
    const member = await Kip848Member.connect(t, server, { groupId: 'churn', topics, memberId: `m${created++}`, serverAssignor: random(4) === 0 ? 'range' : null })
    expectCode((await member.heartbeat()).errorCode, ErrorCode.NONE)
    active.push(member)
  }
  for (let i = 0; i < 3; i++) await join()
  for (let step = 0; step < 400; step++) {
    const action = random(20)
    if (action === 0 && active.length < 8) await join()
    else if (action === 1 && active.length > 1) {
      const [member] = active.splice(random(active.length), 1)
      expectCode((await member!.leave()).errorCode, ErrorCode.NONE)
    } else if (action === 2 && active.length > 0) {
      // A heartbeat that does not say what the member owns: it cannot be taken as a revocation.
      expectCode((await active[random(active.length)]!.send({ topicPartitions: null })).errorCode, ErrorCode.NONE)
    } else if (active.length > 0) {
      const member = active[random(active.length)]!
      // Sometimes a member is slow and reports its old partitions once more before adopting the assignment.
      if (random(3) === 0) expectCode((await member.send()).errorCode, ErrorCode.NONE)
      else {
        const response = await member.heartbeat()
        if (response.errorCode !== ErrorCode.NONE) expectCode(response.errorCode, ErrorCode.NONE, `step ${step}`)
      }
    }
    assertDisjoint(active)
  }
  await settle(active, group, 50).catch((error: Error) => {
    // What each member stands at, to see why it did not converge.
    const g = group()
    const show = (assignment: ReadonlyMap<string, ReadonlySet<number>>): string => [...assignment].map(([id, partitions]) => `${id.slice(0, 4)}:${[...partitions].join(',')}`).join(' ')
    const lines = [...g.members.values()].map((m) => `${m.memberId} epoch ${m.memberEpoch}/${g.assignmentEpoch} ${m.state} assigned ${show(m.assigned)} revoking ${show(m.pendingRevocation)} target ${show(g.target(m.memberId))}`)
    throw new Error(`${error.message}\n${lines.join('\n')}`)
  })
  // Everything subscribed is assigned once the group is stable.
  const total = active.reduce((sum, member) => sum + member.ownedCount(), 0)
  const subscribed = new Set(active.flatMap((member) => member.options.topics ?? []))
  assert.equal(total, (subscribed.has('c1') ? 7 : 0) + (subscribed.has('c2') ? 5 : 0))
})

test('a join storm: 50 members join at once, every partition ends up with exactly one of them', async (t) => {
  const server = await startConsumerBroker(t, { 'group.consumer.session.timeout.ms': '60000' })
  createTopic(server, 'storm', 64)
  const members = await Promise.all(Array.from({ length: 50 }, async (_, i) => await Kip848Member.connect(t, server, { groupId: 'storm', topics: ['storm'], memberId: `s${i}` })))
  const joined = await Promise.all(members.map(async (member) => await member.heartbeat()))
  for (const response of joined) expectCode(response.errorCode, ErrorCode.NONE)
  const group = consumerGroupOf(server, 'storm')
  assert.equal(group.size, 50)
  await settle(members, () => group)
  const counts = members.map((member) => member.ownedCount())
  assert.equal(counts.reduce((a, b) => a + b, 0), 64)
  assert.ok(Math.min(...counts) >= 1 && Math.max(...counts) <= 2, JSON.stringify(counts))
})
