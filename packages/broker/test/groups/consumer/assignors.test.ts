import { test } from 'node:test'
import assert from 'node:assert/strict'
import { assignmentOf, countPartitions, type Assignment } from '../../../src/groups/consumer/assignment.js'
import { rangeAssignor, uniformAssignor, type AssignmentSpec } from '../../../src/groups/consumer/assignors.js'
import { newMember } from '../../../src/groups/consumer/consumer-member.js'
import { reconcile } from '../../../src/groups/consumer/reconcile.js'

const member = (memberId: string, topics: string[], instanceId: string | null = null): AssignmentSpec['members'][number] => ({ memberId, instanceId, subscribedTopicIds: new Set(topics) })
const flat = (assignment: Assignment | undefined): string[] => [...(assignment ?? new Map())].flatMap(([topic, partitions]) => [...partitions].sort((a, b) => a - b).map((p) => `${topic}${p}`))

test('uniform: identical subscriptions get ⌊P/N⌋ or ⌈P/N⌉ partitions; a new member takes one from each, nothing else moves', () => {
  const partitionCounts = new Map([['A', 12]])
  const first = uniformAssignor.assign({ members: ['m1', 'm2', 'm3'].map((id) => member(id, ['A'])), partitionCounts, previous: new Map() })
  assert.deepEqual([...first.values()].map(countPartitions), [4, 4, 4])
  const second = uniformAssignor.assign({ members: ['m1', 'm2', 'm3', 'm4'].map((id) => member(id, ['A'])), partitionCounts, previous: first })
  assert.deepEqual([...second.values()].map(countPartitions), [3, 3, 3, 3])
  for (const id of ['m1', 'm2', 'm3']) {
    const kept = flat(second.get(id)).filter((p) => flat(first.get(id)).includes(p))
    assert.equal(kept.length, 3, `${id} keeps 3 of its 4`)
  }
  // A member leaving: its partitions are spread, the others keep theirs.
  const third = uniformAssignor.assign({ members: ['m1', 'm2', 'm4'].map((id) => member(id, ['A'])), partitionCounts, previous: second })
  assert.deepEqual([...third.values()].map(countPartitions), [4, 4, 4])
  for (const id of ['m1', 'm2', 'm4']) assert.ok(flat(second.get(id)).every((p) => flat(third.get(id)).includes(p)))
})

test('uniform: different subscriptions — every partition goes to a subscriber, loads even out where subscriptions allow', () => {
  const partitionCounts = new Map([['A', 6], ['B', 2]])
  const result = uniformAssignor.assign({ members: [member('x', ['A']), member('y', ['A', 'B']), member('z', ['B'])], partitionCounts, previous: new Map() })
  const all = [...result.values()].flatMap(flat).sort()
  assert.deepEqual(all, ['A0', 'A1', 'A2', 'A3', 'A4', 'A5', 'B0', 'B1'])
  assert.ok(flat(result.get('x')).every((p) => p.startsWith('A')))
  assert.ok(flat(result.get('z')).every((p) => p.startsWith('B')))
  const counts = [...result.values()].map(countPartitions)
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 2, JSON.stringify(counts))
})

test('uniform: stale previous targets (unsubscribed topics, vanished partitions, duplicates) are dropped', () => {
  const result = uniformAssignor.assign({
    members: [member('a', ['A']), member('b', ['A'])],
    partitionCounts: new Map([['A', 2]]),
    previous: new Map([['a', assignmentOf([['A', [0, 1, 5]], ['B', [0]]])], ['b', assignmentOf([['A', [1]]])]])
  })
  assert.deepEqual(flat(result.get('a')), ['A0'])
  assert.deepEqual(flat(result.get('b')), ['A1'])
})

test('range: contiguous ranges per topic, co-partitioned, static members first by instance id', () => {
  const partitionCounts = new Map([['A', 3], ['B', 3]])
  const result = rangeAssignor.assign({ members: [member('m2', ['A', 'B']), member('m1', ['A', 'B'])], partitionCounts, previous: new Map() })
  assert.deepEqual(flat(result.get('m1')), ['A0', 'A1', 'B0', 'B1'])
  assert.deepEqual(flat(result.get('m2')), ['A2', 'B2'])
  const statics = rangeAssignor.assign({ members: [member('m1', ['A']), member('m2', ['A'], 'i-2'), member('m3', ['A'], 'i-1')], partitionCounts: new Map([['A', 3]]), previous: new Map() })
  assert.deepEqual([flat(statics.get('m3')), flat(statics.get('m2')), flat(statics.get('m1'))], [['A0'], ['A1'], ['A2']])
})

test('reconcile: revoke first, add only free partitions, unreleased partitions wait', () => {
  const owners = new Map<string, number>([['A2', 5]])
  const ownerEpoch = (topic: string, partition: number): number => owners.get(`${topic}${partition}`) ?? -1
  const start = { ...newMember('m'), memberEpoch: 4, assigned: assignmentOf([['A', [0, 1]]]) }
  // Target drops 1 and adds 2 (owned by someone else) and 3 (free): revoke 1 first, same epoch.
  const target = assignmentOf([['A', [0, 2, 3]]])
  const revoking = reconcile(start, { targetEpoch: 5, target, ownerEpoch, owned: [{ topicId: 'A', partitions: [0, 1] }] })
  assert.equal(revoking.state, 'unrevoked-partitions')
  assert.equal(revoking.memberEpoch, 4)
  assert.deepEqual(flat(revoking.assigned), ['A0'])
  assert.deepEqual(flat(revoking.pendingRevocation), ['A1'])
  // Still reporting 1: nothing changes.
  assert.equal(reconcile(revoking, { targetEpoch: 5, target, ownerEpoch, owned: [{ topicId: 'A', partitions: [0, 1] }] }), revoking)
  assert.equal(reconcile(revoking, { targetEpoch: 5, target, ownerEpoch, owned: null }), revoking)
  // Revoked: epoch 5, gets 3 now, 2 once released.
  const partly = reconcile(revoking, { targetEpoch: 5, target, ownerEpoch, owned: [{ topicId: 'A', partitions: [0] }] })
  assert.equal(partly.state, 'unreleased-partitions')
  assert.equal(partly.memberEpoch, 5)
  assert.equal(partly.previousMemberEpoch, 4)
  assert.deepEqual(flat(partly.assigned), ['A0', 'A3'])
  owners.delete('A2')
  const done = reconcile(partly, { targetEpoch: 5, target, ownerEpoch, owned: [{ topicId: 'A', partitions: [0, 3] }] })
  assert.equal(done.state, 'stable')
  assert.deepEqual(flat(done.assigned), ['A0', 'A2', 'A3'])
})
