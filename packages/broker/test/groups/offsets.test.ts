import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, OffsetCommitApi, OffsetFetchApi } from '@samsa/protocol'
import { RawMember, connect, createTopic, expectError, sleep, startGroupBroker } from './group-helpers.js'
import { lag } from '../../src/groups/index.js'

const METADATA = 'état {"v":1} ✓ \u0000 end'

test('commit and fetch round-trip offsets, leader epochs and metadata in every version', async (t) => {
  const server = await startGroupBroker(t)
  createTopic(server, 'rt', 3)
  const client = await connect(t, server)
  for (let commitVersion = 0; commitVersion <= 9; commitVersion++) {
    const groupId = `simple-${commitVersion}`
    const committed = await client.request(OffsetCommitApi, commitVersion, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [{ name: 'rt', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 7, committedMetadata: METADATA }, { partitionIndex: 2, committedOffset: 0, committedMetadata: null }] }]
    })
    assert.deepEqual(committed.topics[0]!.partitions.map((p) => p.errorCode), [0, 0], `commit v${commitVersion}`)
    for (let fetchVersion = 0; fetchVersion <= 7; fetchVersion++) {
      const fetched = await client.request(OffsetFetchApi, fetchVersion, { groupId, topics: [{ name: 'rt', partitionIndexes: [0, 1, 2] }] })
      const [p0, p1, p2] = fetched.topics[0]!.partitions
      const what = `commit v${commitVersion} fetch v${fetchVersion}`
      assert.equal(p0!.committedOffset, 42, what)
      assert.equal(p0!.metadata, METADATA, what)
      assert.equal(p0!.committedLeaderEpoch, fetchVersion >= 5 && commitVersion >= 6 ? 7 : -1, what)
      assert.deepEqual([p1!.committedOffset, p1!.metadata, p1!.errorCode], [-1, '', 0], what)
      assert.deepEqual([p2!.committedOffset, p2!.metadata], [0, ''], `${what}: null metadata is stored as ""`)
    }
    for (const fetchVersion of [8, 9]) {
      const fetched = await client.request(OffsetFetchApi, fetchVersion, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: [{ name: 'rt', partitionIndexes: [0] }] }] })
      assert.equal(fetched.groups[0]!.topics[0]!.partitions[0]!.committedOffset, 42)
      assert.equal(fetched.groups[0]!.topics[0]!.partitions[0]!.metadata, METADATA)
    }
  }
})

test('fetch: unknown groups and partitions answer -1; a null topic list (v2+) returns every committed partition', async (t) => {
  const server = await startGroupBroker(t)
  createTopic(server, 'a', 2)
  createTopic(server, 'b', 1)
  const client = await connect(t, server)
  const unknown = await client.request(OffsetFetchApi, 6, { groupId: 'nobody', topics: [{ name: 'a', partitionIndexes: [0] }, { name: 'zzz', partitionIndexes: [5] }] })
  expectError(unknown.errorCode, ErrorCode.NONE)
  assert.deepEqual(unknown.topics.map((topic) => topic.partitions.map((p) => [p.committedOffset, p.errorCode])), [[[-1, 0]], [[-1, 0]]])
  await client.request(OffsetCommitApi, 7, { groupId: 'all', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'a', partitions: [{ partitionIndex: 1, committedOffset: 5 }] }, { name: 'b', partitions: [{ partitionIndex: 0, committedOffset: 9 }] }] })
  const all = await client.request(OffsetFetchApi, 7, { groupId: 'all', topics: null, requireStable: true })
  const flat = all.topics.flatMap((topic) => topic.partitions.map((p) => `${topic.name}-${p.partitionIndex}=${p.committedOffset}`)).sort()
  assert.deepEqual(flat, ['a-1=5', 'b-0=9'])
  const multi = await client.request(OffsetFetchApi, 8, { groups: [{ groupId: 'all', topics: null }, { groupId: 'nobody', topics: [{ name: 'a', partitionIndexes: [1] }] }], requireStable: false })
  assert.deepEqual(multi.groups.map((group) => [group.groupId, group.errorCode, group.topics.flatMap((topic) => topic.partitions.map((p) => p.committedOffset)).sort()]), [['all', 0, [5, 9]], ['nobody', 0, [-1]]])
})

test('commit errors: unknown topic or partition, metadata too large', async (t) => {
  const server = await startGroupBroker(t, { 'offset.metadata.max.bytes': '10' })
  createTopic(server, 'e', 1)
  const client = await connect(t, server)
  const response = await client.request(OffsetCommitApi, 8, {
    groupId: 'errors',
    topics: [
      { name: 'e', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: 'x'.repeat(11) }, { partitionIndex: 1, committedOffset: 1 }] },
      { name: 'no-such-topic', partitions: [{ partitionIndex: 0, committedOffset: 1 }] }
    ]
  })
  assert.deepEqual(response.topics.map((topic) => topic.partitions.map((p) => p.errorCode)), [[ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
})

test('generation fencing of commits: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, outsiders', async (t) => {
  const server = await startGroupBroker(t)
  createTopic(server, 'f', 2)
  const a = await RawMember.connect(t, server, { groupId: 'fence', topics: ['f'] })
  await a.joinAndSync(2)
  const commit = async (body: { generationIdOrMemberEpoch: number, memberId: string, groupId?: string }, version = 8): Promise<number> => {
    const response = await a.client.request(OffsetCommitApi, version, { groupId: 'fence', topics: [{ name: 'f', partitions: [{ partitionIndex: 0, committedOffset: 3 }] }], ...body })
    return response.topics[0]!.partitions[0]!.errorCode
  }
  expectError(await commit({ generationIdOrMemberEpoch: a.generationId, memberId: a.memberId }), ErrorCode.NONE)
  expectError(await commit({ generationIdOrMemberEpoch: a.generationId + 1, memberId: a.memberId }), ErrorCode.ILLEGAL_GENERATION)
  expectError(await commit({ generationIdOrMemberEpoch: a.generationId - 1, memberId: a.memberId }, 2), ErrorCode.ILLEGAL_GENERATION)
  expectError(await commit({ generationIdOrMemberEpoch: a.generationId, memberId: 'ghost' }), ErrorCode.UNKNOWN_MEMBER_ID)
  expectError(await commit({ generationIdOrMemberEpoch: -1, memberId: '' }), ErrorCode.UNKNOWN_MEMBER_ID, 'outsiders may not commit while the group has members')
  expectError(await commit({ generationIdOrMemberEpoch: 4, memberId: 'm', groupId: 'never-seen' }), ErrorCode.ILLEGAL_GENERATION)
  // Rebalance: while PreparingRebalance the current generation may still commit; after the join phase and before
  // the assignment arrives (CompletingRebalance) it is told to finish the rebalance first.
  const b = await RawMember.connect(t, server, { groupId: 'fence', topics: ['f'] })
  const bJoin = b.join()
  await sleep(30)
  expectError(await commit({ generationIdOrMemberEpoch: a.generationId, memberId: a.memberId }), ErrorCode.NONE, 'PreparingRebalance')
  await Promise.all([a.join(), bJoin])
  expectError(await commit({ generationIdOrMemberEpoch: a.generationId, memberId: a.memberId }), ErrorCode.REBALANCE_IN_PROGRESS, 'CompletingRebalance')
  expectError(await commit({ generationIdOrMemberEpoch: a.generationId - 1, memberId: a.memberId }), ErrorCode.ILLEGAL_GENERATION, 'old generation')
  await Promise.all([a.sync(2), b.sync(2)])
  expectError(await commit({ generationIdOrMemberEpoch: a.generationId, memberId: a.memberId }), ErrorCode.NONE)
})

test('commits count as liveness: a member that commits but does not heartbeat keeps its session', async (t) => {
  const server = await startGroupBroker(t)
  createTopic(server, 'live', 1)
  const a = await RawMember.connect(t, server, { groupId: 'commit-alive', topics: ['live'], sessionTimeoutMs: 200 })
  await a.joinAndSync(1)
  for (let i = 0; i < 8; i++) {
    await sleep(80)
    const response = await a.client.request(OffsetCommitApi, 8, { groupId: 'commit-alive', generationIdOrMemberEpoch: a.generationId, memberId: a.memberId, topics: [{ name: 'live', partitions: [{ partitionIndex: 0, committedOffset: i }] }] })
    expectError(response.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE, `commit ${i}`)
  }
})

test('retentionTimeMs of OffsetCommit v2–4 sets an absolute expiry; expiry removes the offsets and the empty group', async (t) => {
  const server = await startGroupBroker(t)
  createTopic(server, 'ret', 1)
  const client = await connect(t, server)
  await client.request(OffsetCommitApi, 2, { groupId: 'short', generationIdOrMemberEpoch: -1, memberId: '', retentionTimeMs: 1, topics: [{ name: 'ret', partitions: [{ partitionIndex: 0, committedOffset: 8 }] }] })
  await client.request(OffsetCommitApi, 2, { groupId: 'long', generationIdOrMemberEpoch: -1, memberId: '', retentionTimeMs: -1, topics: [{ name: 'ret', partitions: [{ partitionIndex: 0, committedOffset: 8 }] }] })
  await sleep(5)
  const coordinator = server.broker.context.groups
  assert.equal(coordinator.expireOffsets(), 1)
  assert.equal(coordinator.get('short'), undefined, 'an empty group without offsets is removed')
  assert.ok(coordinator.get('long'))
  const fetched = await client.request(OffsetFetchApi, 6, { groupId: 'short', topics: [{ name: 'ret', partitionIndexes: [0] }] })
  assert.equal(fetched.topics[0]!.partitions[0]!.committedOffset, -1)
})

test('lag(): log end offset minus committed offset per partition', async (t) => {
  const server = await startGroupBroker(t)
  createTopic(server, 'lagging', 2)
  const logs = server.broker.context.topics.get('lagging')!.partitions
  const { encodeRecordBatch } = await import('@samsa/protocol')
  logs[0]!.append(Buffer.from(encodeRecordBatch(Array.from({ length: 10 }, (_, i) => ({ key: null, value: `v${i}` })))))
  const client = await connect(t, server)
  await client.request(OffsetCommitApi, 8, { groupId: 'lag', topics: [{ name: 'lagging', partitions: [{ partitionIndex: 0, committedOffset: 4 }, { partitionIndex: 1, committedOffset: 0 }] }] })
  assert.deepEqual(lag(server.broker.context.groups, 'lag'), [
    { topic: 'lagging', partition: 0, committedOffset: 4, logEndOffset: 10, lag: 6 },
    { topic: 'lagging', partition: 1, committedOffset: 0, logEndOffset: 0, lag: 0 }
  ])
})
