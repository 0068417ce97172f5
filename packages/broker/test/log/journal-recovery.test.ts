import { test } from 'node:test'
import assert from 'node:assert/strict'
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, FetchApi, ListOffsetsApi, ProduceApi, decodeRecordBatches, encodeRecordBatch, type DeepPartial, type RequestOf } from '@samsa/protocol'
import { PartitionLog, type LogConfig } from '../../src/log/index.js'
import { Journal } from '../../src/log/journal.js'
import { JOURNAL_DIR, TopicRegistry } from '../../src/topics/topic-registry.js'
import { loadConfig, type Logger } from '../../src/index.js'
import { RawClient, startBroker, type TestBroker } from '../helpers.js'
import { batch, batchesIn } from './helpers.js'

/**
 * Power failures with the write-ahead journal (log/journal.ts). acks=all is answered once the journal write is on
 * disk while the segments are fsynced lazily, so a power failure may take any segment tail written since the
 * segment's last fsync. A "crash" copies the data directory of a running process (what SIGKILL leaves: the page
 * cache intact, no clean-shutdown marker); the power failure is then simulated on the copy by cutting each
 * partition's newest segment back (or zero-filling its tail, or removing the partition directory). Every
 * acknowledged record must come back byte for byte at the same offset.
 *
 * The simulation is only valid where the segment was never fsynced; the journal directory is therefore prepared
 * with its spare files first (see warmJournal), so no journal file is retired — which fsyncs the segments — while
 * a test writes.
 */

const FILE_BYTES = 1024 * 1024
const KEYS = ['0f3c-topic/0', '0f3c-topic/1', '0f3c-topic/2']
const BIG = 1 << 30

function tempRoot (t: { after: (fn: () => void) => void }, prefix = 'samsa-jrec-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  return root
}

const walFiles = (dir: string): string[] => existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.wal')).sort() : []
const segmentLogs = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.log')).sort()

/**
 * Leaves `dir` with the journal's spare files prepared (a fresh directory zero-fills them in the background and
 * rotates away from its first file once they are ready — a rotation that retires a file and so fsyncs segments).
 * With spares present at open, the journal writes into one file until it is full.
 */
async function warmJournal (dir: string): Promise<void> {
  const journal = Journal.open(dir, { fileBytes: FILE_BYTES })
  await untilSpares(dir, 2)
  await journal.close(true)
  assert.deepEqual(walFiles(dir), [])
}

/** Waits (bounded) until `dir` holds `count` spare files; gives up early when no spare is being prepared at all. */
async function untilSpares (dir: string, count: number): Promise<void> {
  const started = Date.now()
  for (;;) {
    const names = readdirSync(dir)
    if (names.filter((name) => name.endsWith('.free')).length >= count) return
    const preparing = names.some((name) => name.endsWith('.filling') || name.endsWith('.free'))
    if (Date.now() - started > (preparing ? 5000 : 200)) return
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Copies a running process's data directory: the state a SIGKILL leaves behind. */
function crashCopy (t: { after: (fn: () => void) => void }, dataDir: string): string {
  const copy = join(tempRoot(t, 'samsa-jrec-crash-'), 'data')
  cpSync(dataDir, copy, { recursive: true })
  return copy
}

/** Where a segment tail may be lost from: the newest segment file of a partition and its size now. */
interface Cut { file: string, size: number }
function cutPoint (partitionDir: string, extra = 0): Cut {
  const file = segmentLogs(partitionDir).at(-1) as string
  return { file, size: statSync(join(partitionDir, file)).size + extra }
}

/**
 * Power failure on a copied partition directory: everything after `cut` is lost — newer segments removed, the
 * cut segment truncated ('truncate') or its tail overwritten with zeros, as blocks allocated but never written
 * read back after a power failure ('zeros').
 */
function loseTail (partitionDir: string, cut: Cut, mode: 'truncate' | 'zeros'): void {
  for (const name of readdirSync(partitionDir)) {
    if (/^\d{20}\.(log|index|timeindex)$/.test(name) && name.slice(0, 20) > cut.file.slice(0, 20)) rmSync(join(partitionDir, name))
  }
  const path = join(partitionDir, cut.file)
  const size = statSync(path).size
  assert.ok(size > cut.size, `${path}: something to lose (${size} > ${cut.size})`)
  if (mode === 'truncate') {
    truncateSync(path, cut.size)
  } else {
    const fd = openSync(path, 'r+')
    try { writeSync(fd, Buffer.alloc(size - cut.size), 0, size - cut.size, cut.size) } finally { closeSync(fd) }
  }
}

// ---- PartitionLog + Journal ----

interface Node { dataDir: string, journal: Journal, logs: PartitionLog[] }

function openNode (dataDir: string, config: Partial<LogConfig> = {}): Node {
  const journal = Journal.open(join(dataDir, JOURNAL_DIR), { fileBytes: FILE_BYTES })
  const logs = KEYS.map((key, p) => PartitionLog.open(join(dataDir, `topic-${p}`), config, { journal: { journal, key } }))
  return { dataDir, journal, logs }
}

function replayNode (node: Node): ReturnType<Journal['replay']> {
  return node.journal.replay((key) => node.logs[KEYS.indexOf(key)])
}

async function closeNode (node: Node): Promise<void> {
  await Promise.all(node.logs.map(async (log) => await log.close()))
  await node.journal.close(true)
}

/** What a node has acknowledged: every partition's bytes and log end. */
interface Acked { bytes: Buffer[], ends: number[], batches: number }
function snapshot (node: Node): Omit<Acked, 'batches'> {
  return { bytes: node.logs.map((log) => Buffer.from(log.read(0, BIG))), ends: node.logs.map((log) => log.logEndOffset) }
}

function assertSame (node: Node, acked: Omit<Acked, 'batches'>, what: string): void {
  node.logs.forEach((log, p) => {
    assert.equal(log.logEndOffset, acked.ends[p], `${what}: log end of partition ${p}`)
    assert.ok(log.read(0, BIG).equals(acked.bytes[p]!), `${what}: bytes of partition ${p}`)
  })
}

/**
 * Opens a node with a prepared journal, appends a first part and makes it durable in the segments (cut points
 * are taken there, a few bytes into the next batch: a torn write), then appends the rest, each append
 * acknowledged through the journal only — a mix of single and multi-batch appends and one LogAppendTime append.
 */
async function acknowledgedWrites (t: { after: (fn: () => void) => void }, config: Partial<LogConfig> = {}): Promise<{ node: Node, acked: Acked, cuts: Cut[] }> {
  const dataDir = join(tempRoot(t), 'data')
  mkdirSync(dataDir)
  await warmJournal(join(dataDir, JOURNAL_DIR))
  const node = openNode(dataDir, config)
  t.after(async () => { if (node.logs[0]!.isOpen) await closeNode(node) })
  for (let i = 0; i < 6; i++) node.logs[i % 3]!.append(batch(i, 2))
  await Promise.all(node.logs.map(async (log) => await log.segmentsDurable(log.logEndOffset - 1)))
  const cuts = node.logs.map((log) => cutPoint(log.dir, 11))
  let batches = 0
  const acks: Array<Promise<void>> = []
  for (let i = 10; i < 40; i++) {
    const log = node.logs[i % 3]!
    let records = batch(i, 1 + (i % 4), undefined, i % 7 === 0 ? 3000 : 10)
    if (i % 5 === 0) records = Buffer.concat([records, batch(i + 100, 2), batch(i + 200, 1)])
    batches += batchesIn(records).length
    const result = i === 13 ? log.append(records, { logAppendTime: 1_800_000_000_000 }) : log.append(records)
    acks.push(log.flushedUpTo(result.lastOffset))
    if (i % 6 === 0) await Promise.all(acks) // several group-commit rounds
  }
  await Promise.all(acks)
  return { node, acked: { ...snapshot(node), batches }, cuts }
}

for (const mode of ['truncate', 'zeros'] as const) {
  test(`power failure (${mode}): every acknowledged batch is replayed from the journal, byte for byte`, async (t) => {
    const { node, acked, cuts } = await acknowledgedWrites(t)
    const copy = crashCopy(t, node.dataDir)
    await closeNode(node)
    node.logs.forEach((_log, p) => loseTail(join(copy, `topic-${p}`), cuts[p]!, mode))
    const leftovers = walFiles(join(copy, JOURNAL_DIR))
    assert.equal(leftovers.length, 1, 'one journal file held every acknowledged append')

    const reopened = openNode(copy)
    t.after(async () => { if (reopened.logs[0]!.isOpen) await closeNode(reopened) })
    assert.deepEqual(reopened.logs.map((log, p) => log.logEndOffset < acked.ends[p]!), [true, true, true], 'the tails are gone')
    const stats = replayNode(reopened)
    assert.deepEqual(stats, { files: 1, entries: stats.entries, appendedBatches: acked.batches, appendedBytes: stats.appendedBytes, orphanEntries: 0, gaps: 0 })
    assert.ok(stats.entries > 30, 'the entries of the durable first part are offered too, and skipped')
    assertSame(reopened, acked, 'after replay')
    assert.equal(reopened.journal.durableSequence, 0, 'replayed batches are not journaled again')

    // The journal file of the first run is retired once the reopened logs have synced what it held.
    await Promise.all(reopened.logs.map(async (log) => await log.segmentsDurable(log.logEndOffset - 1)))
    for (let i = 0; i < 200 && walFiles(join(copy, JOURNAL_DIR)).some((name) => leftovers.includes(name)); i++) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.ok(!walFiles(join(copy, JOURNAL_DIR)).some((name) => leftovers.includes(name)), 'the old journal file is retired')

    // Offsets continue after the replayed ones; a clean close and reopen changes nothing.
    const next = reopened.logs[1]!.append(batch(999, 3))
    assert.equal(next.baseOffset, acked.ends[1])
    await reopened.logs[1]!.flushedUpTo(next.lastOffset)
    const after = snapshot(reopened)
    await closeNode(reopened)
    assert.deepEqual(walFiles(join(copy, JOURNAL_DIR)), [], 'a clean close leaves nothing to replay')
    const again = openNode(copy)
    const statsAgain = replayNode(again)
    assert.equal(statsAgain.appendedBatches, 0)
    assertSame(again, after, 'after a clean restart')
    await closeNode(again)
  })
}

test('power failure that took whole segment contents: replay rebuilds each partition from offset 0', async (t) => {
  const dataDir = join(tempRoot(t), 'data')
  mkdirSync(dataDir)
  await warmJournal(join(dataDir, JOURNAL_DIR))
  const node = openNode(dataDir)
  let batches = 0
  for (let i = 0; i < 24; i++) {
    const log = node.logs[i % 3]!
    const records = i % 4 === 0 ? Buffer.concat([batch(i, 2), batch(i + 50, 3)]) : batch(i, 1 + (i % 3))
    batches += batchesIn(records).length
    await log.flushedUpTo(log.append(records).lastOffset)
  }
  const acked = snapshot(node)
  const copy = crashCopy(t, dataDir)
  await closeNode(node)
  for (let p = 0; p < 3; p++) {
    const dir = join(copy, `topic-${p}`)
    if (p === 2) rmSync(dir, { recursive: true }) // the directory entry itself was never made durable
    else for (const name of readdirSync(dir)) if (name.endsWith('.log')) truncateSync(join(dir, name), 0)
  }
  const reopened = openNode(copy)
  assert.deepEqual(reopened.logs.map((log) => log.logEndOffset), [0, 0, 0])
  const stats = replayNode(reopened)
  assert.equal(stats.appendedBatches, batches)
  assert.equal(stats.entries, 24)
  assertSame(reopened, acked, 'after replay')
  await closeNode(reopened)
})

test('replay into a log that rolls: the replayed batches spread over new segments and read back unchanged', async (t) => {
  const { node, acked, cuts } = await acknowledgedWrites(t)
  const copy = crashCopy(t, node.dataDir)
  await closeNode(node)
  node.logs.forEach((_log, p) => loseTail(join(copy, `topic-${p}`), cuts[p]!, 'truncate'))
  const reopened = openNode(copy, { segmentBytes: 4096 })
  replayNode(reopened)
  assert.ok(reopened.logs.every((log) => log.segmentCount > 1), `segments: ${reopened.logs.map((log) => log.segmentCount).join(', ')}`)
  assertSame(reopened, acked, 'after replay')
  await closeNode(reopened)
  const again = openNode(copy, { segmentBytes: 4096 })
  assertSame(again, acked, 'after a clean restart')
  await closeNode(again)
})

test('a second power failure before the replayed data was synced: replay again, no duplicates', async (t) => {
  const { node, acked, cuts } = await acknowledgedWrites(t)
  const first = crashCopy(t, node.dataDir)
  await closeNode(node)
  node.logs.forEach((_log, p) => loseTail(join(first, `topic-${p}`), cuts[p]!, 'truncate'))

  const recovering = openNode(first)
  replayNode(recovering)
  // Crash right after the replay, before anything was fsynced: the old journal file is still there.
  const second = crashCopy(t, first)
  assert.equal(walFiles(join(second, JOURNAL_DIR)).length, 2, 'the old file and the new run\'s file')
  await closeNode(recovering)

  // (a) a process crash: the page cache kept the replayed batches; replay finds them all present.
  const third = crashCopy(t, second)
  const crashed = openNode(third)
  const statsCrashed = replayNode(crashed)
  assert.equal(statsCrashed.appendedBatches, 0)
  assertSame(crashed, acked, 'after replaying twice')
  await closeNode(crashed)

  // (b) a power failure again: the replayed tail is lost again and comes back again, once.
  node.logs.forEach((_log, p) => loseTail(join(second, `topic-${p}`), cuts[p]!, 'truncate'))
  const again = openNode(second)
  const stats = replayNode(again)
  assert.equal(stats.appendedBatches, acked.batches)
  assertSame(again, acked, 'after the second power failure')
  await closeNode(again)
})

test('a power failure after more acknowledged appends in the recovered run loses nothing either', async (t) => {
  const { node, acked, cuts } = await acknowledgedWrites(t)
  const first = crashCopy(t, node.dataDir)
  await closeNode(node)
  node.logs.forEach((_log, p) => loseTail(join(first, `topic-${p}`), cuts[p]!, 'truncate'))
  const recovered = openNode(first)
  replayNode(recovered)
  // The replayed part may be synced (retiring the old journal file) at any moment from now on: cut after it.
  const recoveredCuts = recovered.logs.map((log) => cutPoint(log.dir))
  const acks: Array<Promise<void>> = []
  for (let i = 0; i < 9; i++) {
    const log = recovered.logs[i % 3]!
    acks.push(log.flushedUpTo(log.append(batch(500 + i, 2)).lastOffset))
  }
  await Promise.all(acks)
  const more = snapshot(recovered)
  assert.deepEqual(more.ends, acked.ends.map((end) => end + 6))
  const second = crashCopy(t, first)
  await closeNode(recovered)
  recovered.logs.forEach((_log, p) => loseTail(join(second, `topic-${p}`), recoveredCuts[p]!, 'truncate'))
  const again = openNode(second)
  const stats = replayNode(again)
  assert.equal(stats.appendedBatches, 9)
  assertSame(again, more, 'after the second power failure')
  await closeNode(again)
})

test('with the journal, acks=all does not fsync the segment; without it, it does', async (t) => {
  const root = tempRoot(t)
  const commitOf = (log: PartitionLog): { durableOffset: number } => (log as unknown as { commit: { durableOffset: number } }).commit

  const plain = PartitionLog.open(join(root, 'plain-0'))
  await plain.flushedUpTo(plain.append(batch(1, 3)).lastOffset)
  assert.equal(commitOf(plain).durableOffset, 3, 'segment fsynced for the acknowledgement')
  await plain.close()
  assert.ok(!existsSync(join(root, JOURNAL_DIR)))

  const journal = Journal.open(join(root, JOURNAL_DIR), { fileBytes: FILE_BYTES })
  const journaled = PartitionLog.open(join(root, 'journaled-0'), {}, { journal: { journal, key: 'x/0' } })
  await journaled.flushedUpTo(journaled.append(batch(1, 3)).lastOffset)
  assert.equal(journal.durableSequence, 1, 'acknowledged by the journal write')
  assert.equal(commitOf(journaled).durableOffset, 0, 'the segment is not fsynced for it')
  await journaled.segmentsDurable(2)
  assert.equal(commitOf(journaled).durableOffset, 3)
  await journaled.close()
  await journal.close(true)
})

// ---- the registry: topic ids as journal keys ----

function captureLogger (): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return { warnings, error () {}, info () {}, debug () {}, warn (message) { warnings.push(message) } }
}

function valuesOf (log: PartitionLog): string[] {
  return decodeRecordBatches(log.read(0, BIG)).flatMap((b) => b.records.map((r) => r.value?.toString() ?? ''))
}

test('a topic deleted and re-created under the same name never receives the old topic\'s journal entries', async (t) => {
  const dataDir = join(tempRoot(t), 'data')
  mkdirSync(dataDir)
  await warmJournal(join(dataDir, JOURNAL_DIR))
  const config = (dir: string): ReturnType<typeof loadConfig> => loadConfig({ env: {}, overrides: { 'log.dirs': dir, 'log.journal.file.bytes': String(FILE_BYTES) } })
  const registry = TopicRegistry.open(config(dataDir), captureLogger())
  t.after(async () => await registry.close().catch(() => {}))

  const old = registry.create('reborn', 2)
  for (let i = 0; i < 10; i++) {
    const log = old.partitions[i % 2]!
    await log.flushedUpTo(log.append(encodeRecordBatch([{ value: `old-${i}` }])).lastOffset)
  }
  await registry.delete(old)
  const fresh = registry.create('reborn', 2)
  assert.notEqual(fresh.id, old.id)
  for (let i = 0; i < 4; i++) {
    const log = fresh.partitions[i % 2]!
    await log.flushedUpTo(log.append(encodeRecordBatch([{ value: `new-${i}` }])).lastOffset)
  }
  const copy = crashCopy(t, dataDir)
  // Power failure: the new topic's segments lost everything (never fsynced); only the journal has it.
  for (let p = 0; p < 2; p++) {
    const dir = join(copy, `reborn-${p}`)
    for (const name of segmentLogs(dir)) truncateSync(join(dir, name), 0)
  }
  const logger = captureLogger()
  const recovered = TopicRegistry.open(config(copy), logger)
  const topic = recovered.get('reborn')
  assert.equal(topic?.id, fresh.id)
  assert.deepEqual(valuesOf(topic.partitions[0]!), ['new-0', 'new-2'])
  assert.deepEqual(valuesOf(topic.partitions[1]!), ['new-1', 'new-3'])
  assert.deepEqual(logger.warnings.filter((line) => line.startsWith('journal replay')), [
    `journal replay: 4 batch(es), ${topic.partitions.reduce((n, log) => n + log.size, 0)} bytes restored from 1 file(s); 0 gap(s)`
  ])
  await recovered.close()
  assert.deepEqual(walFiles(join(copy, JOURNAL_DIR)), [])
})

test('log.journal.enable=false: no journal directory, acks=all is durable in the segments', async (t) => {
  const dataDir = join(tempRoot(t), 'data')
  const registry = TopicRegistry.open(loadConfig({ env: {}, overrides: { 'log.dirs': dataDir, 'log.journal.enable': 'false' } }), captureLogger())
  const topic = registry.create('plain', 1)
  const log = topic.partitions[0]!
  await log.flushedUpTo(log.append(encodeRecordBatch([{ value: 'a' }, { value: 'b' }])).lastOffset)
  assert.equal((log as unknown as { commit: { durableOffset: number } }).commit.durableOffset, 2)
  const copy = crashCopy(t, dataDir)
  await registry.close()
  assert.ok(!existsSync(join(dataDir, JOURNAL_DIR)))
  const recovered = TopicRegistry.open(loadConfig({ env: {}, overrides: { 'log.dirs': copy, 'log.journal.enable': 'false' } }), captureLogger())
  assert.deepEqual(valuesOf(recovered.get('plain')!.partitions[0]!), ['a', 'b'])
  await recovered.close()
  assert.ok(!existsSync(join(copy, JOURNAL_DIR)))
})

test('a crash with the journal on, a restart with it off: the journal files are still replayed, then retired', async (t) => {
  const dataDir = join(tempRoot(t), 'data')
  const config = (dir: string, enable: string): ReturnType<typeof loadConfig> => loadConfig({ env: {}, overrides: { 'log.dirs': dir, 'log.journal.enable': enable } })
  const registry = TopicRegistry.open(config(dataDir, 'true'), captureLogger())
  t.after(async () => await registry.close().catch(() => {}))
  const topic = registry.create('switched', 1)
  const log = topic.partitions[0]!
  for (const value of ['a', 'b', 'c']) await log.flushedUpTo(log.append(encodeRecordBatch([{ value }])).lastOffset)
  const copy = crashCopy(t, dataDir)
  for (const name of segmentLogs(join(copy, 'switched-0'))) truncateSync(join(copy, 'switched-0', name), 0)
  const recovered = TopicRegistry.open(config(copy, 'false'), captureLogger())
  const partition = recovered.get('switched')!.partitions[0]!
  assert.deepEqual(valuesOf(partition), ['a', 'b', 'c'])
  // New appends go to the segments only (no journal key), and are fsynced there for acks=all.
  await partition.flushedUpTo(partition.append(encodeRecordBatch([{ value: 'd' }])).lastOffset)
  assert.equal((partition as unknown as { commit: { durableOffset: number } }).commit.durableOffset, 4)
  await recovered.close()
  assert.deepEqual(walFiles(join(copy, JOURNAL_DIR)), [])
  const again = TopicRegistry.open(config(copy, 'false'), captureLogger())
  assert.deepEqual(valuesOf(again.get('switched')!.partitions[0]!), ['a', 'b', 'c', 'd'])
  await again.close()
})

// ---- the whole broker ----

const TOPIC = 'powercut'
const PARTITIONS = 3

function produceBody (partitions: Array<{ index: number, records: Buffer }>): DeepPartial<RequestOf<typeof ProduceApi>> {
  return { acks: -1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: partitions }] }
}

async function fetchAll (client: RawClient, partition: number): Promise<Buffer> {
  const body: DeepPartial<RequestOf<typeof FetchApi>> = {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 24, isolationLevel: 0,
    topics: [{ topic: TOPIC, topicId: '00000000-0000-0000-0000-000000000000', partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 24 }] }]
  }
  const response = await client.request(FetchApi, 11, body)
  const data = response.responses[0]!.partitions[0]!
  assert.equal(data.errorCode, ErrorCode.NONE)
  return Buffer.from(data.records ?? Buffer.alloc(0))
}

async function endOffset (client: RawClient, partition: number): Promise<number> {
  const response = await client.request(ListOffsetsApi, 1, { replicaId: -1, topics: [{ name: TOPIC, partitions: [{ partitionIndex: partition, timestamp: -1 }] }] })
  return Number(response.topics[0]!.partitions[0]!.offset)
}

async function startOn (t: { after: (fn: () => unknown) => void }, dataDir: string, overrides: Record<string, string> = {}): Promise<{ server: TestBroker, client: RawClient }> {
  const server = await startBroker({ 'num.partitions': String(PARTITIONS), 'log.journal.file.bytes': String(FILE_BYTES), ...overrides }, dataDir)
  const client = await RawClient.connect(server.port)
  let stopped = false
  t.after(async () => { if (!stopped) { client.close(); await server.stop({ keepData: true }).catch(() => {}) } }) // after a failed assertion
  const stop = server.stop.bind(server)
  server.stop = async (options) => { stopped = true; client.close(); await stop({ keepData: true, ...options }) }
  return { server, client }
}

/** What the broker acknowledged: the values sent to each partition, in offset order. */
async function produceAcknowledged (client: RawClient, sent: string[][], round: number): Promise<void> {
  const partitions = Array.from({ length: PARTITIONS }, (_, index) => {
    const values = Array.from({ length: 1 + ((round + index) % 3) }, (_, i) => `r${round}-p${index}-${i}-` + 'x'.repeat((round * 37 + i) % 200))
    return { index, values, records: encodeRecordBatch(values.map((value, i) => ({ key: `k${i}`, value }))) }
  })
  const response = await client.request(ProduceApi, 7, produceBody(partitions.map(({ index, records }) => ({ index, records }))))
  for (const part of response.responses[0]!.partitionResponses) {
    assert.equal(part.errorCode, ErrorCode.NONE)
    assert.equal(Number(part.baseOffset), sent[part.index]!.length, 'offsets assigned in order')
    sent[part.index]!.push(...partitions[part.index]!.values)
  }
}

const fetchedValues = (bytes: Buffer): string[] => decodeRecordBatches(bytes).flatMap((b) => b.records.map((r) => r.value?.toString() ?? ''))

for (const mode of ['truncate', 'zeros'] as const) {
  test(`broker: acks=-1 records survive a power failure (${mode}) and a partition directory lost whole`, async (t) => {
    const dataDir = join(tempRoot(t), 'data')
    mkdirSync(dataDir)
    await warmJournal(join(dataDir, JOURNAL_DIR))
    const { server, client } = await startOn(t, dataDir)
    const sent: string[][] = Array.from({ length: PARTITIONS }, () => [])
    await produceAcknowledged(client, sent, 0)
    const cuts = Array.from({ length: PARTITIONS }, (_, p) => cutPoint(join(dataDir, `${TOPIC}-${p}`), 9))
    for (let round = 1; round < 6; round++) await produceAcknowledged(client, sent, round)
    // Requests in flight together share group-commit rounds.
    const extra = await Promise.all([6, 7, 8].map(async (round) => {
      const c = await RawClient.connect(server.port)
      try {
        const own: string[][] = Array.from({ length: PARTITIONS }, () => [])
        const partitions = own.map((_values, index) => ({ index, records: encodeRecordBatch([{ value: `burst-${round}-${index}` }]) }))
        const response = await c.request(ProduceApi, 7, produceBody(partitions))
        return response.responses[0]!.partitionResponses.map((part) => ({ partition: part.index, offset: Number(part.baseOffset), error: part.errorCode, value: `burst-${round}-${part.index}` }))
      } finally { c.close() }
    }))
    for (const reply of extra.flat().sort((a, b) => a.offset - b.offset)) {
      assert.equal(reply.error, ErrorCode.NONE)
      assert.equal(reply.offset, sent[reply.partition]!.length)
      sent[reply.partition]!.push(reply.value)
    }
    const acked = await Promise.all(sent.map(async (_values, p) => await fetchAll(client, p)))
    sent.forEach((values, p) => assert.deepEqual(fetchedValues(acked[p]!), values, `partition ${p} before the crash`))

    const copy = crashCopy(t, dataDir)
    await server.stop()
    for (let p = 0; p < PARTITIONS - 1; p++) loseTail(join(copy, `${TOPIC}-${p}`), cuts[p]!, mode)
    rmSync(join(copy, `${TOPIC}-${PARTITIONS - 1}`), { recursive: true })
    const leftovers = walFiles(join(copy, JOURNAL_DIR))
    assert.equal(leftovers.length, 1)

    const recovered = await startOn(t, copy)
    for (let p = 0; p < PARTITIONS; p++) {
      assert.ok((await fetchAll(recovered.client, p)).equals(acked[p]!), `partition ${p} byte for byte`)
      assert.equal(await endOffset(recovered.client, p), sent[p]!.length)
    }
    // The old journal file goes once the recovered segments are synced (replay asks for that at once).
    for (let i = 0; i < 400 && walFiles(join(copy, JOURNAL_DIR)).includes(leftovers[0]!); i++) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.ok(!walFiles(join(copy, JOURNAL_DIR)).includes(leftovers[0]!), 'the old journal file is retired')

    // A crash of the recovered broker, then a clean stop and start: the same records, once.
    const again = crashCopy(t, copy)
    const crashedAgain = await startOn(t, again)
    for (let p = 0; p < PARTITIONS; p++) assert.ok((await fetchAll(crashedAgain.client, p)).equals(acked[p]!), `partition ${p} after a second crash`)
    await crashedAgain.server.stop()
    await recovered.server.stop()
    assert.deepEqual(walFiles(join(copy, JOURNAL_DIR)), [], 'a clean stop leaves nothing to replay')
    const restarted = await startOn(t, copy)
    for (let p = 0; p < PARTITIONS; p++) assert.ok((await fetchAll(restarted.client, p)).equals(acked[p]!), `partition ${p} after a clean restart`)
    await restarted.server.stop()
  })
}

test('broker: log.journal.enable=false still answers acks=-1 and keeps the records across a crash', async (t) => {
  const dataDir = join(tempRoot(t), 'data')
  const { server, client } = await startOn(t, dataDir, { 'log.journal.enable': 'false' })
  const sent: string[][] = Array.from({ length: PARTITIONS }, () => [])
  for (let round = 0; round < 3; round++) await produceAcknowledged(client, sent, round)
  const acked = await Promise.all(sent.map(async (_values, p) => await fetchAll(client, p)))
  assert.ok(!existsSync(join(dataDir, JOURNAL_DIR)))
  const copy = crashCopy(t, dataDir)
  await server.stop()
  const recovered = await startOn(t, copy, { 'log.journal.enable': 'false' })
  for (let p = 0; p < PARTITIONS; p++) {
    assert.ok((await fetchAll(recovered.client, p)).equals(acked[p]!), `partition ${p}`)
    assert.deepEqual(fetchedValues(acked[p]!), sent[p])
  }
  await recovered.server.stop()
  assert.ok(!existsSync(join(copy, JOURNAL_DIR)))
})
