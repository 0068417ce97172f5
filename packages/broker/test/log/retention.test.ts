import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PartitionLog, CLEAN_SHUTDOWN_FILE, type LogConfig } from '../../src/log/index.js'
import { tempDir, batch, batchesIn, recordsOf } from './helpers.js'

const T0 = 1_700_000_000_000
const HOUR = 3_600_000
/** One batch per segment (every append rolls), files removed at once unless a test says otherwise. */
const perBatch: Partial<LogConfig> = { segmentBytes: 1, fileDeleteDelayMs: 0 }

const logFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.log')).sort()
const settle = async (): Promise<void> => await new Promise((resolve) => setTimeout(resolve, 20))

/** Appends one 2-record batch per timestamp; returns the base offsets (= segment bases with `perBatch`). */
function fillAt (log: PartitionLog, timestamps: number[]): number[] {
  return timestamps.map((ts, i) => log.append(batch(i, 2, ts)).baseOffset)
}

test('retention.ms deletes exactly the segments whose largest timestamp is too old, never the active one', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, { ...perBatch, retentionMs: 10 * HOUR })
  const bases = fillAt(log, [T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR, T0 + 4 * HOUR])
  assert.deepEqual(log.segmentBaseOffsets, bases)
  // At T0 + 11h30 the segments of T0 and T0+1h are more than 10 h old, the one of T0+2h is not.
  assert.equal(await log.deleteOldSegments(T0 + 11 * HOUR + 30 * 60_000), 2)
  assert.deepEqual(log.segmentBaseOffsets, bases.slice(2))
  assert.equal(log.logStartOffset, bases[2])
  assert.equal(log.read(0, 1000).length, 0, 'nothing served below the log start offset')
  assert.equal(batchesIn(log.read(bases[2], 1))[0].baseOffset, bases[2])
  await settle()
  assert.deepEqual(logFiles(dir), bases.slice(2).map((b) => String(b).padStart(20, '0') + '.log'))
  assert.equal(await log.deleteOldSegments(T0 + 11 * HOUR + 30 * 60_000), 0, 'idempotent')
  await log.close()
  const reopened = PartitionLog.open(dir, perBatch)
  assert.equal(reopened.logStartOffset, bases[2])
  await reopened.close()
})

test('an expired active segment is rolled and deleted as Kafka does, leaving an empty active segment', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, { retentionMs: HOUR, fileDeleteDelayMs: 0 })
  fillAt(log, [T0, T0 + 1, T0 + 2])
  assert.equal(log.segmentCount, 1)
  const end = log.logEndOffset
  assert.equal(await log.deleteOldSegments(T0 + 2 * HOUR), 1)
  assert.deepEqual(log.segmentBaseOffsets, [end])
  assert.equal(log.logStartOffset, end)
  assert.equal(log.logEndOffset, end)
  assert.equal(log.read(0, 1000).length, 0)
  const next = log.append(batch(9, 1, T0 + 2 * HOUR))
  assert.equal(next.baseOffset, end)
  assert.equal(await log.deleteOldSegments(T0 + 2 * HOUR), 0, 'a young active segment stays')
  await log.close()
  // An empty active segment is never deleted, however old.
  const empty = PartitionLog.open(tempDir(t), { retentionMs: 1, fileDeleteDelayMs: 0 })
  assert.equal(await empty.deleteOldSegments(T0 + 1000 * HOUR), 0)
  await empty.close()
})

test('segments without timestamps fall back to the file modification time', async (t) => {
  const log = PartitionLog.open(tempDir(t), { ...perBatch, retentionMs: HOUR })
  for (let i = 0; i < 3; i++) log.append(batch(i, 1, -1)) // maxTimestamp -1: no timestamp
  await log.flushedUpTo(log.logEndOffset)
  assert.equal(await log.deleteOldSegments(Date.now()), 0)
  assert.equal(await log.deleteOldSegments(Date.now() + 2 * HOUR), 3, 'all three, the active one after a roll')
  await log.close()
})

test('retention.bytes deletes the oldest segments while the partition stays above the limit', async (t) => {
  const log = PartitionLog.open(tempDir(t), { ...perBatch, retentionMs: -1 })
  const bases = fillAt(log, [T0, T0, T0, T0, T0, T0])
  const size = log.size / 6 // equal batches
  log.configure({ retentionBytes: Math.floor(size * 3.5) })
  // 6 segments, limit 3.5: deleting 2 leaves 4 ≥ 3.5; deleting a third would leave 3 < 3.5 — Kafka deletes
  // a segment only while the excess still covers it, so exactly 2 go.
  assert.equal(await log.deleteOldSegments(T0), 2)
  assert.deepEqual(log.segmentBaseOffsets, bases.slice(2))
  assert.equal(log.logStartOffset, bases[2])
  log.configure({ retentionBytes: Math.floor(size * 3) })
  assert.equal(await log.deleteOldSegments(T0), 1)
  assert.equal(log.logStartOffset, bases[3])
  log.configure({ retentionBytes: 0 })
  assert.equal(await log.deleteOldSegments(T0), 3, 'limit 0: everything, the active segment after a roll')
  assert.equal(log.logStartOffset, log.logEndOffset)
  await log.close()
})

test('cleanup.policy=compact keeps old data; the log start offset is still enforced', async (t) => {
  const log = PartitionLog.open(tempDir(t), { ...perBatch, retentionMs: 1, retentionBytes: 1, cleanupPolicy: { delete: false, compact: true } })
  const bases = fillAt(log, [T0, T0, T0, T0])
  assert.equal(await log.deleteOldSegments(T0 + 1000 * HOUR), 0)
  await log.setLogStartOffset(bases[2] + 1)
  assert.equal(await log.deleteOldSegments(T0 + 1000 * HOUR), 2)
  assert.deepEqual(log.segmentBaseOffsets, bases.slice(2))
  assert.equal(log.logStartOffset, bases[2] + 1, 'segment deletion never moves the start backwards')
  await log.close()
})

test('DeleteRecords: start offset moves at once, survives a restart (clean or not), retention removes whole segments below it', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, { ...perBatch, retentionMs: -1 })
  const bases = fillAt(log, [T0, T0, T0, T0, T0])
  const target = bases[3] + 1 // inside the 4th segment
  await log.setLogStartOffset(target)
  assert.equal(log.logStartOffset, target)
  assert.equal(log.read(bases[3], 1000).length, 0, 'below the start: nothing')
  assert.equal(log.read(target, 1000).length > 0, true, 'the batch holding the start offset is served whole, as Kafka does')
  await log.setLogStartOffset(bases[1])
  assert.equal(log.logStartOffset, target, 'never backwards')
  await log.setLogStartOffset(1e9)
  assert.equal(log.logStartOffset, log.logEndOffset, 'capped at the log end')
  await log.setLogStartOffset(target) // no-op
  assert.equal(log.logStartOffset, log.logEndOffset)

  // A crash (no close) right after the start offset was made durable.
  const dir2 = tempDir(t) + '-b'
  const crashy = PartitionLog.open(dir2, { ...perBatch, retentionMs: -1 })
  const b2 = fillAt(crashy, [T0, T0, T0, T0])
  await crashy.setLogStartOffset(b2[2] + 1)
  const recovered = PartitionLog.open(dir2, { ...perBatch, retentionMs: -1 })
  assert.equal(recovered.logStartOffset, b2[2] + 1)
  assert.equal(recovered.read(b2[1], 1000).length, 0)
  assert.deepEqual(recordsOf(recovered).map((r) => r.offset), [b2[2] + 1, b2[3], b2[3] + 1])
  assert.equal(await recovered.deleteOldSegments(T0), 2)
  assert.deepEqual(recovered.segmentBaseOffsets, b2.slice(2))
  await recovered.close()
  const again = PartitionLog.open(dir2, { ...perBatch, retentionMs: -1 })
  assert.equal(again.logStartOffset, b2[2] + 1, 'after a clean restart too')
  await again.close()
  await log.close()
})

test('a checkpointed start beyond the surviving data starts the log over at the checkpoint', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, { ...perBatch, retentionMs: -1 })
  fillAt(log, [T0, T0, T0])
  await log.setLogStartOffset(5)
  await log.close()
  for (const f of readdirSync(dir).filter((f) => /^\d{20}\./.test(f))) rmSync(join(dir, f))
  rmSync(join(dir, CLEAN_SHUTDOWN_FILE))
  const reopened = PartitionLog.open(dir, perBatch)
  assert.equal(reopened.logStartOffset, 5)
  assert.equal(reopened.logEndOffset, 5)
  assert.equal(reopened.append(batch(1, 1, T0)).baseOffset, 5)
  await reopened.close()
})

test('file.delete.delay.ms: removed segments are renamed .deleted, unlinked later, and leftovers go at open', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, { segmentBytes: 1, retentionMs: HOUR, fileDeleteDelayMs: 150 })
  fillAt(log, [T0, T0, T0 + 10 * HOUR])
  assert.equal(await log.deleteOldSegments(T0 + 10 * HOUR), 2)
  const deleted = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.deleted')).sort()
  assert.deepEqual(deleted(), ['00000000000000000000.index.deleted', '00000000000000000000.log.deleted', '00000000000000000000.timeindex.deleted',
    '00000000000000000002.index.deleted', '00000000000000000002.log.deleted', '00000000000000000002.timeindex.deleted'])
  await new Promise((resolve) => setTimeout(resolve, 250))
  assert.deepEqual(deleted(), [])
  await log.close()
  writeFileSync(join(dir, '00000000000000000000.log.deleted'), 'left by a crash')
  const reopened = PartitionLog.open(dir, perBatch)
  assert.deepEqual(deleted(), [])
  assert.equal(reopened.logStartOffset, 4)
  await reopened.close()
})

test('close unlinks pending deletions at once', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, { segmentBytes: 1, retentionMs: HOUR, fileDeleteDelayMs: 60_000 })
  fillAt(log, [T0, T0 + 10 * HOUR])
  assert.equal(await log.deleteOldSegments(T0 + 10 * HOUR), 1)
  assert.ok(readdirSync(dir).some((f) => f.endsWith('.deleted')))
  await log.close()
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.deleted')), [])
})

test('configure applies live: segment.bytes from the next roll, retention at the next check', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, { retentionMs: -1, fileDeleteDelayMs: 0 })
  fillAt(log, [T0, T0, T0])
  assert.equal(log.segmentCount, 1)
  log.configure({ segmentBytes: 1 })
  fillAt(log, [T0, T0])
  assert.equal(log.segmentCount, 3)
  assert.equal(await log.deleteOldSegments(T0 + 1000 * HOUR), 0)
  log.configure({ retentionMs: HOUR })
  assert.equal(log.settings.retentionMs, HOUR)
  assert.equal(await log.deleteOldSegments(T0 + 1000 * HOUR), 3)
  assert.equal(log.logStartOffset, log.logEndOffset)
  assert.ok(existsSync(dir))
  await log.close()
})
