import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeleteGroupsApi, ErrorCode, OffsetCommitApi, OffsetFetchApi } from '@samsa/protocol'
import { loadConfig, silentLogger } from '../../src/index.js'
import { GroupCoordinator, JOURNAL_DIR, JOURNAL_FILE } from '../../src/groups/index.js'
import { GroupStore } from '../../src/groups/store/group-store.js'
import { TopicRegistry } from '../../src/topics/topic-registry.js'
import { RawClient, startBroker } from '../helpers.js'
import { FAST_GROUPS, RawMember, createTopic, expectError } from './group-helpers.js'

/** A temporary data directory removed after the test, once every cleanup registered later has run. */
function tempDir (t: { after: (fn: () => unknown) => void }): { dir: string, defer: (fn: () => unknown) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-groups-'))
  const cleanups: Array<() => unknown> = []
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
    rmSync(dir, { recursive: true, force: true })
  })
  return { dir, defer: (fn) => cleanups.push(fn) }
}

const journalOf = (dataDir: string): string => join(dataDir, JOURNAL_DIR, JOURNAL_FILE)

async function commit (client: RawClient, groupId: string, topic: string, partition: number, offset: number, metadata = ''): Promise<void> {
  const response = await client.request(OffsetCommitApi, 8, { groupId, topics: [{ name: topic, partitions: [{ partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: 3, committedMetadata: metadata }] }] })
  expectError(response.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE)
}

async function fetchOffset (client: RawClient, groupId: string, topic: string, partition: number): Promise<{ offset: number, metadata: string | null, epoch: number }> {
  const response = await client.request(OffsetFetchApi, 7, { groupId, topics: [{ name: topic, partitionIndexes: [partition] }] })
  const p = response.topics[0]!.partitions[0]!
  return { offset: p.committedOffset, metadata: p.metadata, epoch: p.committedLeaderEpoch }
}

test('committed offsets and group metadata survive a restart; a Stable group resumes without a rebalance', async (t) => {
  const { dir: dataDir, defer } = tempDir(t)
  let server = await startBroker(FAST_GROUPS, dataDir)
  createTopic(server, 'dur', 2)
  const member = await RawMember.connect({ after: () => {} }, server, { groupId: 'resume', topics: ['dur'] })
  await member.joinAndSync(2)
  const committed = await member.client.request(OffsetCommitApi, 8, { groupId: 'resume', generationIdOrMemberEpoch: member.generationId, memberId: member.memberId, topics: [{ name: 'dur', partitions: [{ partitionIndex: 0, committedOffset: 17, committedLeaderEpoch: 3, committedMetadata: 'meta ✓' }] }] })
  expectError(committed.topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE)
  let client = await RawClient.connect(server.port)
  await commit(client, 'plain', 'dur', 1, 3)
  await client.request(DeleteGroupsApi, 2, { groupsNames: ['plain'] })
  client.close()
  member.close()
  await server.stop({ keepData: true })

  server = await startBroker(FAST_GROUPS, dataDir)
  defer(async () => await server.stop({ keepData: true }))
  client = await RawClient.connect(server.port)
  defer(() => client.close())
  assert.deepEqual(await fetchOffset(client, 'resume', 'dur', 0), { offset: 17, metadata: 'meta ✓', epoch: 3 })
  assert.deepEqual(await fetchOffset(client, 'plain', 'dur', 1), { offset: -1, metadata: '', epoch: -1 }, 'deleted group stays deleted')
  const group = server.broker.context.groups.get('resume')!
  assert.equal(group.stateName, 'Stable')
  // The member reconnects and carries on in its generation.
  const again = await RawMember.connect({ after: defer }, server, { groupId: 'resume', topics: ['dur'] })
  again.memberId = member.memberId
  again.generationId = member.generationId
  expectError(await again.heartbeat(), ErrorCode.NONE)
  const synced = await again.sync()
  expectError(synced.errorCode, ErrorCode.NONE)
  assert.ok(synced.assignment.length > 6, 'the persisted assignment')
})

test('a torn journal tail (crash mid-write) is cut off; everything acknowledged before it survives', async (t) => {
  const { dir: dataDir, defer } = tempDir(t)
  let server = await startBroker(FAST_GROUPS, dataDir)
  createTopic(server, 'torn', 1)
  let client = await RawClient.connect(server.port)
  for (let i = 1; i <= 5; i++) await commit(client, 'g', 'torn', 0, i)
  client.close()
  await server.stop({ keepData: true })
  const file = journalOf(dataDir)
  const size = statSync(file).size
  // A partial frame (length says 100 bytes, only 10 follow), as a crash during the write leaves it.
  appendFileSync(file, Buffer.concat([Buffer.from([0, 0, 0, 100, 1, 2, 3, 4]), Buffer.alloc(10, 7)]))
  server = await startBroker(FAST_GROUPS, dataDir)
  client = await RawClient.connect(server.port)
  assert.equal((await fetchOffset(client, 'g', 'torn', 0)).offset, 5)
  assert.equal(statSync(file).size, size, 'truncated back to the last whole frame')
  await commit(client, 'g', 'torn', 0, 6)
  client.close()
  await server.stop({ keepData: true })
  // A flipped byte in the last frame: its CRC fails, the frame before it wins.
  const bytes = readFileSync(file)
  truncateSync(file, bytes.length - 1)
  appendFileSync(file, Buffer.from([bytes[bytes.length - 1]! ^ 0xff]))
  server = await startBroker(FAST_GROUPS, dataDir)
  defer(async () => await server.stop({ keepData: true }))
  client = await RawClient.connect(server.port)
  defer(() => client.close())
  assert.equal((await fetchOffset(client, 'g', 'torn', 0)).offset, 5)
})

test('the journal stays bounded: rewrites keep only live records, and replay gives the latest values', async (t) => {
  const { dir: dataDir } = tempDir(t)
  const options = { compactRatio: 3, compactMinBytes: 8 * 1024 }
  let store = await GroupStore.open(dataDir, silentLogger, options)
  let maxSize = 0
  for (let round = 0; round < 200; round++) {
    const seqs: number[] = []
    for (let partition = 0; partition < 20; partition++) {
      seqs.push(store.commit('bounded', 'topic', partition, { offset: round, leaderEpoch: 0, metadata: 'm', commitTimestamp: 1, expireTimestamp: -1 }))
    }
    await store.waitDurable(seqs[seqs.length - 1]!)
    maxSize = Math.max(maxSize, store.journalBytes)
  }
  store.deleteGroup('gone')
  store.putGroup('kept', 'classic', Buffer.from('{}'))
  await store.close()
  assert.ok(maxSize <= Math.max(options.compactMinBytes, options.compactRatio * store.liveBytes) + 20 * 64, `journal peaked at ${maxSize} bytes for ${store.liveBytes} live`)
  store = await GroupStore.open(dataDir, silentLogger, options)
  assert.equal(store.all('bounded').length, 20)
  assert.ok(store.all('bounded').every(({ value }) => value.offset === 199))
  assert.deepEqual(store.persistedGroups().map((g) => g.groupId), ['kept'])
  await store.close()
})

test('offsets.retention.minutes: an empty group\'s offsets expire that long after it became empty', async (t) => {
  const { dir: dataDir, defer } = tempDir(t)
  const config = loadConfig({ env: {}, overrides: { 'log.dirs': dataDir, 'offsets.retention.minutes': '1', ...FAST_GROUPS } })
  const topics = TopicRegistry.open(config, silentLogger)
  topics.create('exp', 1)
  let now = 1_000_000
  const coordinator = await GroupCoordinator.open(config, topics, silentLogger, { now: () => now })
  defer(async () => { await coordinator.close(); await topics.close() })
  const commitAt = async (groupId: string): Promise<void> => {
    const result = await coordinator.offsets.commit(groupId, { memberId: '', groupInstanceId: null, generationIdOrMemberEpoch: -1, apiVersion: 8 }, [{ name: 'exp', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '', commitTimestamp: -1 }] }], -1)
    expectError(result[0]!.partitions[0]!.errorCode, ErrorCode.NONE)
  }
  await commitAt('old')
  now += 30_000
  await commitAt('young')
  now += 40_000 // old: 70 s since commit; young: 40 s
  assert.equal(coordinator.expireOffsets(), 1)
  assert.equal(coordinator.get('old'), undefined)
  assert.ok(coordinator.get('young'))
  now += 30_000
  assert.equal(coordinator.expireOffsets(), 1)
  assert.equal(coordinator.get('young'), undefined)
})
