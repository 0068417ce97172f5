import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CompressionType, decodeRecordBatches, encodeRecordBatch, readBatchHeader, ATTR_DELETE_HORIZON } from '@samsa/protocol'
import { PartitionLog, type LogConfig } from '../../src/log/index.js'
import { tempDir, recordsOf, seeded, type StoredRecord } from './helpers.js'

const T0 = 1_700_000_000_000
const compacted: Partial<LogConfig> = {
  segmentBytes: 3000,
  indexIntervalBytes: 256,
  cleanupPolicy: { delete: false, compact: true },
  deleteRetentionMs: 10_000,
  minCleanableDirtyRatio: 0.5
}

interface Op extends StoredRecord { codec: CompressionType, batchBase: number }

/**
 * Appends `batches` batches of 1–8 records: keys from a pool of `keys` (3% null keys), 10% tombstones, each batch
 * with a random codec; timestamps increase by 1 ms per record from `t0`. Returns every record as written.
 */
function writeHistory (log: PartitionLog, rand: (n: number) => number, batches: number, keys: number, t0 = T0): Op[] {
  const ops: Op[] = []
  let ts = t0 + ops.length
  for (let b = 0; b < batches; b++) {
    const count = 1 + rand(8)
    const codec = rand(5) as CompressionType
    const records = Array.from({ length: count }, () => {
      const k = rand(keys)
      const key = rand(100) < 3 ? null : `key-${k}`
      const value = rand(10) === 0 ? null : `value-${k}-${b}-${'x'.repeat(rand(40))}`
      return { key, value, timestamp: ts++ }
    })
    const result = log.append(encodeRecordBatch(records, { compression: codec }))
    records.forEach((r, i) => ops.push({ offset: result.baseOffset + i, key: r.key, value: r.value, timestamp: r.timestamp, codec, batchBase: result.baseOffset }))
  }
  return ops
}

/** Kafka's rule for one clean of everything below `cleanEnd` (tombstones not yet past a horizon are kept). */
function expectedAfterClean (ops: Op[], cleanEnd: number, dropTombstones = false): StoredRecord[] {
  const latest = new Map<string, number>()
  for (const op of ops) if (op.offset < cleanEnd && op.key !== null) latest.set(op.key, op.offset)
  return ops.filter((op) => op.offset >= cleanEnd || (op.key !== null && latest.get(op.key) === op.offset && (op.value !== null || !dropTombstones)))
    .map(({ offset, key, value, timestamp }) => ({ offset, key, value, timestamp }))
}

const strip = (ops: Op[]): StoredRecord[] => ops.map(({ offset, key, value, timestamp }) => ({ offset, key, value, timestamp }))
const activeBase = (log: PartitionLog): number => log.segmentBaseOffsets.at(-1) as number
const activeFile = (log: PartitionLog): Buffer => readFileSync(join(log.dir, String(activeBase(log)).padStart(20, '0') + '.log'))

test('compaction keeps exactly the latest record per key, offsets, timestamps and codecs unchanged', async (t) => {
  const log = PartitionLog.open(tempDir(t), compacted, { now: () => T0 })
  const ops = writeHistory(log, seeded(7), 400, 60)
  assert.ok(log.segmentCount > 10, `segments: ${log.segmentCount}`)
  const before = recordsOf(log)
  assert.deepEqual(before, strip(ops))
  const cleanEnd = activeBase(log)
  const active = activeFile(log)
  const bytesBefore = log.size

  const result = await log.compact(T0)
  assert.ok(result !== null)
  assert.equal(result.endOffset, cleanEnd)
  const expected = expectedAfterClean(ops, cleanEnd)
  assert.deepEqual(recordsOf(log), expected)
  assert.ok(expected.length < ops.length / 2, `${expected.length} of ${ops.length} kept`)
  assert.ok(log.size < bytesBefore / 2)
  assert.deepEqual(activeFile(log), active, 'the active segment is never touched')
  assert.equal(activeBase(log), cleanEnd)

  // Every surviving batch keeps its base offset and its producer's codec; tombstone batches carry a delete horizon.
  const codecOf = new Map(ops.map((op) => [op.batchBase, op.codec]))
  const stored = decodeRecordBatches(log.read(0, 1 << 24))
  for (const batch of stored) {
    assert.equal(batch.compression, codecOf.get(batch.baseOffset), `codec of batch ${batch.baseOffset}`)
    const hasTombstone = batch.records.some((r) => r.value === null)
    if (batch.baseOffset < cleanEnd && hasTombstone) {
      assert.ok(batch.hasDeleteHorizon, `batch ${batch.baseOffset} has tombstones but no horizon`)
      assert.equal(batch.baseTimestamp, T0 + 10_000)
    }
  }

  // A second clean with nothing new changes nothing; the result survives a restart with working indexes.
  await log.compact(T0 + 1)
  assert.deepEqual(recordsOf(log), expected)
  await log.close()
  const reopened = PartitionLog.open(log.dir, compacted)
  assert.deepEqual(recordsOf(reopened), expected)
  for (const record of expected.filter((_, i) => i % 7 === 0)) {
    const first = decodeRecordBatches(reopened.read(record.offset, 1))[0]!
    assert.ok(first.records.some((r) => r.offset === record.offset), `read at ${record.offset}`)
  }
  assert.equal(reopened.offsetForTimestamp(expected[3].timestamp)?.offset !== undefined, true)
  await reopened.close()
})

test('tombstones are removed only once delete.retention.ms has passed since their first clean', async (t) => {
  const log = PartitionLog.open(tempDir(t), compacted)
  const ops = writeHistory(log, seeded(11), 300, 40)
  const cleanEnd = activeBase(log)
  assert.ok(ops.some((op) => op.offset < cleanEnd && op.value === null && op.key !== null))
  await log.compact(T0)
  const kept = expectedAfterClean(ops, cleanEnd)
  assert.ok(kept.some((r) => r.value === null), 'tombstones survive the first clean')
  assert.deepEqual(recordsOf(log), kept)
  assert.ok(log.cleanableRange(T0 + 9_999).due === false, 'nothing dirty, horizon not reached')
  await log.compact(T0 + 9_999)
  assert.deepEqual(recordsOf(log), kept, 'one millisecond before the horizon they are still there')
  assert.equal(log.cleanableRange(T0 + 10_000).due, true, 'a passed delete horizon makes the log due')
  await log.compact(T0 + 10_000)
  assert.deepEqual(recordsOf(log), expectedAfterClean(ops, cleanEnd, true))
  assert.equal(log.cleanableRange(T0 + 20_000).due, false, 'no horizon left')
  await log.close()
})

test('a tombstone written after the first clean gets its own horizon', async (t) => {
  const log = PartitionLog.open(tempDir(t), { ...compacted, segmentBytes: 1 }) // one batch per segment
  const put = (key: string, value: string | null): number => log.append(encodeRecordBatch([{ key, value, timestamp: T0 }])).baseOffset
  put('a', 'a1')
  put('b', null)
  put('c', 'c1') // active
  await log.compact(T0) // b's tombstone: horizon T0 + 10 s
  put('a', null)
  put('d', 'd1') // active
  await log.compact(T0 + 5_000) // a1 superseded; a's tombstone: horizon T0 + 15 s
  assert.deepEqual(recordsOf(log).map((r) => [r.key, r.value]), [['b', null], ['c', 'c1'], ['a', null], ['d', 'd1']])
  await log.compact(T0 + 10_000)
  assert.deepEqual(recordsOf(log).map((r) => [r.key, r.value]), [['c', 'c1'], ['a', null], ['d', 'd1']])
  await log.compact(T0 + 15_000)
  assert.deepEqual(recordsOf(log).map((r) => [r.key, r.value]), [['c', 'c1'], ['d', 'd1']])
  assert.ok(log.segmentBaseOffsets.length < 5, `emptied segments are merged into their neighbours: ${log.segmentBaseOffsets.join(',')}`)
  await log.close()
  const reopened = PartitionLog.open(log.dir, { ...compacted, segmentBytes: 1 })
  assert.deepEqual(recordsOf(reopened).map((r) => [r.offset, r.key, r.value]), [[2, 'c', 'c1'], [4, 'd', 'd1']])
  assert.equal(reopened.logEndOffset, 5)
  assert.equal(decodeRecordBatches(reopened.read(0, 1))[0]?.baseOffset, 2, 'a read in a gap gets the next batch')
  await reopened.close()
})

test('min.compaction.lag.ms keeps recent segments out of the clean', async (t) => {
  const config = { ...compacted, minCompactionLagMs: 60_000 }
  const log = PartitionLog.open(tempDir(t), config)
  const first = writeHistory(log, seeded(3), 150, 30, T0)
  const recentStart = log.logEndOffset
  const second = writeHistory(log, seeded(4), 150, 30, T0 + 100_000)
  const now = T0 + 130_000 // records of the second half are younger than the lag
  const range = log.cleanableRange(now)
  const boundary = Math.max(...log.segmentBaseOffsets.filter((base) => base <= recentStart)) // segment holding the first young record
  assert.equal(range.firstUncleanableOffset, boundary)
  assert.ok(boundary < activeBase(log))
  await log.compact(now)
  const all = [...first, ...second]
  assert.deepEqual(recordsOf(log), expectedAfterClean(all, boundary))
  // Later, everything but the active segment is old enough.
  await log.compact(T0 + 300_000)
  assert.deepEqual(recordsOf(log), expectedAfterClean(all, activeBase(log)))
  await log.close()
})

test('dirty ratio: a log is due above min.cleanable.dirty.ratio, or when max.compaction.lag.ms is exceeded', async (t) => {
  const log = PartitionLog.open(tempDir(t), { ...compacted, minCleanableDirtyRatio: 0.9 })
  writeHistory(log, seeded(5), 200, 20)
  let range = log.cleanableRange(T0)
  assert.equal(range.dirtyRatio, 1)
  assert.equal(range.due, true)
  await log.compact(T0)
  writeHistory(log, seeded(6), 40, 20)
  range = log.cleanableRange(T0)
  assert.ok(range.dirtyRatio > 0 && range.dirtyRatio < 0.9, `ratio ${range.dirtyRatio}`)
  assert.equal(range.due, false)
  log.configure({ minCleanableDirtyRatio: 0.1 })
  assert.equal(log.cleanableRange(T0).due, true, 'configure applies live')
  log.configure({ minCleanableDirtyRatio: 0.9, maxCompactionLagMs: 1000 })
  assert.equal(log.cleanableRange(T0 + 500_000).due, true, 'dirty data older than max.compaction.lag.ms')
  log.configure({ cleanupPolicy: { delete: true, compact: false } })
  assert.equal(log.cleanableRange(T0 + 500_000).due, false, 'not a compacted topic')
  assert.equal(await log.compact(T0), null)
  await log.close()
})

test('an offset map too small for the dirty part cleans the mapped prefix, the next clean the rest', async (t) => {
  const log = PartitionLog.open(tempDir(t), compacted)
  const ops = writeHistory(log, seeded(8), 300, 200)
  const end = activeBase(log)
  const partial = await log.compact(T0, { maxOffsetMapKeys: 50 })
  assert.ok(partial !== null && partial.endOffset < end)
  assert.deepEqual(recordsOf(log), expectedAfterClean(ops, partial.endOffset))
  let guard = 0
  while ((log.cleanableRange(T0).firstDirtyOffset < end) && guard++ < 100) await log.compact(T0, { maxOffsetMapKeys: 50 })
  // Same keys survive as with one big map (tombstone horizons aside, which this test does not pass).
  assert.deepEqual(recordsOf(log), expectedAfterClean(ops, end))
  await log.close()
})

// ---- crash safety ----

/** Runs one compaction of a copy of `source`, crashing (copying the directory, then throwing) at step `crashAt`. */
async function crashDuring (source: string, crashAt: number, root: string): Promise<{ image: string, steps: string[] }> {
  const work = join(root, `work-${crashAt}`)
  const image = join(root, `image-${crashAt}`)
  cpSync(source, work, { recursive: true })
  const log = PartitionLog.open(work, compacted)
  const steps: string[] = []
  await log.compact(T0, {
    hook: (step) => {
      steps.push(step)
      if (steps.length === crashAt) {
        cpSync(work, image, { recursive: true })
        throw new Error(`simulated crash at ${step}`)
      }
    }
  }).catch((error: Error) => { if (!error.message.startsWith('simulated crash')) throw error })
  await log.delete().catch(() => {})
  return { image, steps }
}

test('a crash at any step of the swap leaves the old or the new segments, and reopening finishes the job', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'samsa-crash-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  const source = join(root, 'topic-0')
  const writer = PartitionLog.open(source, { ...compacted, segmentBytes: 1500 })
  const ops = writeHistory(writer, seeded(21), 120, 25)
  const cleanEnd = activeBase(writer)
  await writer.close()
  const before = strip(ops)
  const after = expectedAfterClean(ops, cleanEnd)

  const full = await crashDuring(source, -1, root)
  const commits = full.steps.filter((s) => s.startsWith('swap-committed'))
  assert.ok(commits.length >= 2, `several groups: ${full.steps.join(', ')}`)
  const groupBases = commits.map((s) => Number(s.split(' ')[1]))

  for (let crashAt = 1; crashAt <= full.steps.length; crashAt++) {
    const { image } = await crashDuring(source, crashAt, root)
    const step = full.steps[crashAt - 1]
    // Groups whose manifest was committed at or before this step are cleaned, the others are not.
    const committed = full.steps.slice(0, crashAt).filter((s) => s.startsWith('swap-committed')).length
    const cleanedUpTo = committed === groupBases.length ? cleanEnd : groupBases[committed]
    const expected = [...after.filter((r) => r.offset < cleanedUpTo), ...before.filter((r) => r.offset >= cleanedUpTo)]
    const reopened = PartitionLog.open(image, compacted)
    assert.deepEqual(recordsOf(reopened), expected, `crash at step ${crashAt} (${step})`)
    const leftovers = readdirSync(image).filter((f) => f.endsWith('.cleaned') || f.endsWith('.deleted') || f.startsWith('cleaner-swap'))
    assert.deepEqual(leftovers, [], `leftovers after crash at ${step}`)
    // The recovered log compacts to the same end state and keeps working.
    await reopened.compact(T0)
    assert.deepEqual(recordsOf(reopened), after, `re-clean after crash at ${step}`)
    reopened.append(encodeRecordBatch([{ key: 'new', value: 'v', timestamp: T0 }]))
    await reopened.close()
    rmSync(image, { recursive: true, force: true })
  }
  assert.ok(existsSync(source))
})

test('a clean interrupted by close leaves no cleaned files and every key with its latest value', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, compacted)
  const ops = writeHistory(log, seeded(12), 600, 40)
  const compaction = log.compact(T0)
  await new Promise((resolve) => setTimeout(resolve, 2))
  const closing = log.close()
  const outcome = await compaction.then(() => 'finished', (error: Error) => error.name)
  await closing
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.cleaned') || f.startsWith('cleaner-swap')), [], `outcome ${outcome}`)
  const reopened = PartitionLog.open(dir, compacted)
  const latest = (records: StoredRecord[]): Map<string, string | null> => new Map(records.filter((r) => r.key !== null).map((r) => [r.key as string, r.value]))
  assert.deepEqual(latest(recordsOf(reopened)), latest(strip(ops)))
  await reopened.close()
})

// ---- transactions and producer state ----

const txn = (producerId: number, records: Array<{ key: string, value: string | null }>, isTransactional = true): Buffer =>
  encodeRecordBatch(records.map((r) => ({ ...r, timestamp: T0 })), { producerId, producerEpoch: 0, baseSequence: 0, isTransactional })

const marker = (producerId: number, commit: boolean): Buffer =>
  encodeRecordBatch([{ key: Buffer.from([0, 0, 0, commit ? 1 : 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]), timestamp: T0 }], { producerId, producerEpoch: 0, isTransactional: true, isControl: true })

function rawBatches (log: PartitionLog): Array<{ base: number, control: boolean, count: number, horizon: boolean, producerId: number }> {
  const buf = log.read(0, 1 << 24)
  const out = []
  for (let pos = 0; pos < buf.length;) {
    const h = readBatchHeader(buf, pos)
    out.push({ base: h.baseOffset, control: h.isControl, count: h.recordsCount, horizon: (h.attributes & ATTR_DELETE_HORIZON) !== 0, producerId: h.producerId })
    pos += h.totalSize
  }
  return out
}

test('transaction markers stay until their transaction is gone and delete.retention.ms passed; aborted data goes', async (t) => {
  const log = PartitionLog.open(tempDir(t), { ...compacted, segmentBytes: 1 }) // one batch per segment
  const plain = (key: string, value: string): number => log.append(encodeRecordBatch([{ key, value, timestamp: T0 }])).baseOffset
  plain('c', 'c-committed-before')
  const committedData = log.append(txn(7, [{ key: 'a', value: 'a-txn' }, { key: 'b', value: 'b-txn' }]))
  const commitMarker = log.append(marker(7, true)).baseOffset
  const abortedData = log.append(txn(9, [{ key: 'c', value: 'c-aborted' }]))
  const abortMarker = log.append(marker(9, false)).baseOffset
  plain('a', 'a-new')
  plain('b', 'b-new')
  plain('z', 'roll') // the active segment holds only this
  log.compactionHints = { abortedTransactions: () => [{ producerId: 9, firstOffset: abortedData.baseOffset, lastOffset: abortedData.lastOffset }], activeProducers: () => new Map() }

  await log.compact(T0)
  const values = (): string[] => recordsOf(log).filter((r) => r.key !== null && !r.key.startsWith('\u0000')).map((r) => `${r.key}=${r.value}`)
  assert.deepEqual(values(), ['c=c-committed-before', 'a=a-new', 'b=b-new', 'z=roll'], 'aborted data discarded, it never counts as latest')
  let markers = rawBatches(log).filter((b) => b.control)
  assert.deepEqual(markers.map((m) => [m.base, m.horizon]), [[commitMarker, false], [abortMarker, false]], 'markers kept while this pass saw their transactions')
  assert.ok(!rawBatches(log).some((b) => b.base === committedData.baseOffset))

  await log.compact(T0 + 1)
  markers = rawBatches(log).filter((b) => b.control)
  assert.deepEqual(markers.map((m) => [m.base, m.horizon]), [[commitMarker, true], [abortMarker, true]], 'empty transactions: horizon stamped')
  await log.compact(T0 + 1 + 10_000)
  assert.deepEqual(rawBatches(log).filter((b) => b.control), [], 'markers gone after delete.retention.ms')
  assert.deepEqual(values(), ['c=c-committed-before', 'a=a-new', 'b=b-new', 'z=roll'])
  await log.close()
})

test('the last batch of an active producer survives compaction as an empty batch with its offsets', async (t) => {
  const log = PartitionLog.open(tempDir(t), { ...compacted, segmentBytes: 1 }) // one batch per segment
  const idempotent = log.append(txn(11, [{ key: 'k', value: 'old' }, { key: 'j', value: 'old' }], false))
  log.append(encodeRecordBatch([{ key: 'k', value: 'new', timestamp: T0 }, { key: 'j', value: 'new', timestamp: T0 }]))
  log.append(encodeRecordBatch([{ key: 'z', value: 'active', timestamp: T0 }]))
  log.compactionHints = { abortedTransactions: () => [], activeProducers: () => new Map([[11, { lastDataOffset: idempotent.lastOffset, producerEpoch: 0 }]]) }
  await log.compact(T0)
  const kept = rawBatches(log).find((b) => b.base === idempotent.baseOffset)
  assert.deepEqual(kept, { base: idempotent.baseOffset, control: false, count: 0, horizon: false, producerId: 11 })
  const header = readBatchHeader(log.read(idempotent.baseOffset, 1), 0)
  assert.equal(header.baseOffset + header.lastOffsetDelta, idempotent.lastOffset, 'last offset (and sequence) preserved')
  assert.deepEqual(recordsOf(log).map((r) => r.value), ['new', 'new', 'active'])
  // Without the hint the emptied batch disappears.
  log.compactionHints = { abortedTransactions: () => [], activeProducers: () => new Map() }
  await log.compact(T0)
  assert.equal(rawBatches(log).some((b) => b.base === idempotent.baseOffset), false)
  await log.close()
})
