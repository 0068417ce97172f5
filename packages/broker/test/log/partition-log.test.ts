import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { decodeRecordBatches, verifyCrc, readBatchHeader } from '@samsa/protocol'
import { PartitionLog, CLEAN_SHUTDOWN_FILE } from '../../src/log/index.js'
import { writeFds } from '../../src/log/fd-cache.js'
import { tempDir, batch, batchesIn } from './helpers.js'

const small = { segmentBytes: 2048, indexIntervalBytes: 200 }

interface Expected { baseOffset: number, lastOffset: number, tag: number, count: number, maxTimestamp: number }

/** Appends `n` batches of 1..4 records; returns what each batch should read back as. */
function fill (log: PartitionLog, n: number, firstTag = 0): Expected[] {
  const expected: Expected[] = []
  for (let tag = firstTag; tag < firstTag + n; tag++) {
    const count = 1 + (tag % 4)
    const b = batch(tag, count)
    const maxTimestamp = readBatchHeader(b, 0).maxTimestamp
    const result = log.append(b)
    assert.equal(result.lastOffset - result.baseOffset + 1, count)
    assert.equal(result.logAppendTime, -1)
    expected.push({ baseOffset: result.baseOffset, lastOffset: result.lastOffset, tag, count, maxTimestamp })
  }
  return expected
}

test('append assigns contiguous offsets and reads back across many segments', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, small)
  assert.equal(log.logStartOffset, 0)
  assert.equal(log.logEndOffset, 0)
  const expected = fill(log, 300)
  assert.equal(log.logEndOffset, expected[expected.length - 1].lastOffset + 1)
  const logs = readdirSync(dir).filter((f) => f.endsWith('.log')).sort()
  assert.ok(logs.length > 5, `expected several segments, got ${logs.length}`)
  assert.equal(logs[0], '00000000000000000000.log')
  for (const name of logs) assert.match(name, /^\d{20}\.log$/)
  for (const name of logs) assert.ok(statSync(join(dir, name)).size <= small.segmentBytes)

  // Everything at once, in order, records intact, CRCs still valid (only fields outside the CRC were patched).
  const all = log.read(0, 10 * 1024 * 1024)
  const got = batchesIn(all)
  assert.deepEqual(got.map((b) => b.baseOffset), expected.map((e) => e.baseOffset))
  let pos = 0
  for (const e of expected) {
    assert.ok(verifyCrc(all, pos))
    assert.equal(all.readInt32BE(pos + 12), 0, 'partitionLeaderEpoch patched to 0')
    const records = decodeRecordBatches(all.subarray(pos))[0]!.records
    assert.deepEqual(records.map((r) => r.value?.toString()), Array.from({ length: e.count }, (_, i) => `v${e.tag}-${i}`))
    assert.deepEqual(records.map((r) => r.offset), Array.from({ length: e.count }, (_, i) => e.baseOffset + i))
    pos += readBatchHeader(all, pos).totalSize
  }

  // Every offset: the first batch returned is the one containing it.
  for (const e of expected) {
    for (let offset = e.baseOffset; offset <= e.lastOffset; offset++) {
      const first = batchesIn(log.read(offset, 1))
      assert.equal(first.length, 1)
      assert.equal(first[0].baseOffset, e.baseOffset, `offset ${offset}`)
    }
  }
  await log.close()
})

test('maxBytes: whole batches only, at least one, crossing segment boundaries', async (t) => {
  const log = PartitionLog.open(tempDir(t), small)
  const expected = fill(log, 60)
  const sizes = batchesIn(log.read(0, 1 << 20)).map((b) => b.size)
  assert.equal(batchesIn(log.read(0, 0)).length, 1)
  assert.equal(batchesIn(log.read(0, sizes[0] + sizes[1])).length, 2)
  assert.equal(batchesIn(log.read(0, sizes[0] + sizes[1] - 1)).length, 1)
  assert.equal(log.read(0, sizes[0] + sizes[1] + 5).length, sizes[0] + sizes[1])
  // A window that starts near the end of a segment and continues into the next ones.
  for (let i = 0; i < expected.length; i += 7) {
    const want = sizes.slice(i, i + 9).reduce((a, b) => a + b, 0)
    const got = batchesIn(log.read(expected[i].baseOffset, want))
    assert.deepEqual(got.map((b) => b.baseOffset), expected.slice(i, i + 9).map((e) => e.baseOffset))
  }
  // Out of range: empty buffers, never a throw.
  assert.equal(log.read(log.logEndOffset, 1000).length, 0)
  assert.equal(log.read(-1, 1000).length, 0)
  await log.close()
})

test('a batch larger than maxBytes and than the segment size is still returned whole', async (t) => {
  const log = PartitionLog.open(tempDir(t), small)
  log.append(batch(1, 2))
  const big = log.append(batch(2, 3, undefined, 3000))
  log.append(batch(3, 1))
  const got = batchesIn(log.read(big.baseOffset + 1, 10))
  assert.equal(got.length, 1)
  assert.equal(got[0].baseOffset, big.baseOffset)
  assert.ok(got[0].size > 9000)
  await log.close()
})

test('several batches in one append are stored together with consecutive offsets', async (t) => {
  const log = PartitionLog.open(tempDir(t), small)
  log.append(batch(0, 1))
  const result = log.append(Buffer.concat([batch(1, 3), batch(2, 2), batch(3, 1)]))
  assert.deepEqual(result, { baseOffset: 1, lastOffset: 6, logAppendTime: -1 })
  assert.deepEqual(batchesIn(log.read(0, 1 << 20)).map((b) => [b.baseOffset, b.lastOffset]), [[0, 0], [1, 3], [4, 5], [6, 6]])
  assert.throws(() => log.append(batch(4, 2).subarray(0, 50)), RangeError)
  assert.equal(log.logEndOffset, 7)
  await log.close()
})

test('LogAppendTime stamps maxTimestamp and keeps the CRC valid', async (t) => {
  const log = PartitionLog.open(tempDir(t), small)
  const result = log.append(batch(0, 3, 1000), { logAppendTime: 1_800_000_000_000 })
  assert.equal(result.logAppendTime, 1_800_000_000_000)
  const stored = log.read(0, 1 << 20)
  assert.ok(verifyCrc(stored, 0))
  const header = readBatchHeader(stored, 0)
  assert.equal(header.timestampType, 1)
  assert.equal(header.maxTimestamp, 1_800_000_000_000)
  assert.deepEqual(log.maxTimestamp(), { offset: 2, timestamp: 1_800_000_000_000 })
  await log.close()
})

test('offsetForTimestamp and maxTimestamp agree with a brute-force scan', async (t) => {
  const log = PartitionLog.open(tempDir(t), { segmentBytes: 3000, indexIntervalBytes: 150 })
  assert.equal(log.offsetForTimestamp(0), null)
  assert.equal(log.maxTimestamp(), null)
  // Mostly increasing timestamps with some going backwards, like real producers.
  const batches: Array<{ base: number, max: number, last: number }> = []
  for (let i = 0; i < 200; i++) {
    const ts = 1_000_000 + i * 100 + (i % 5 === 3 ? -450 : 0)
    const r = log.append(batch(i, 1 + (i % 3), ts))
    batches.push({ base: r.baseOffset, last: r.lastOffset, max: ts + (i % 3) })
  }
  const brute = (target: number): { offset: number, timestamp: number } | null => {
    const b = batches.find((x) => x.max >= target)
    return b === undefined ? null : { offset: b.base, timestamp: b.max }
  }
  for (const target of [0, 999_999, 1_000_000, 1_000_001, 1_005_049, 1_005_050, 1_010_000, 1_012_345, 1_019_902, 1_019_903, 5_000_000]) {
    assert.deepEqual(log.offsetForTimestamp(target), brute(target), `target ${target}`)
  }
  for (let target = 1_000_000; target < 1_020_500; target += 37) assert.deepEqual(log.offsetForTimestamp(target), brute(target))
  const top = batches.reduce((a, b) => (b.max > a.max ? b : a))
  assert.deepEqual(log.maxTimestamp(), { offset: top.last, timestamp: top.max })
  // Same answers after a restart (indexes loaded from disk, sealed segments lazily).
  await log.close()
  const reopened = PartitionLog.open(log.dir, { segmentBytes: 3000, indexIntervalBytes: 150 })
  for (let target = 1_000_000; target < 1_020_500; target += 53) assert.deepEqual(reopened.offsetForTimestamp(target), brute(target))
  assert.deepEqual(reopened.maxTimestamp(), { offset: top.last, timestamp: top.max })
  await reopened.close()
})

test('close writes a clean-shutdown marker, indexes, and a reopen continues where it stopped', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, small)
  const first = fill(log, 50)
  await log.close()
  assert.ok(existsSync(join(dir, CLEAN_SHUTDOWN_FILE)))
  const names = readdirSync(dir)
  // Sealed segments all have their indexes; the small active one is left for the next open to scan (< 32 KiB).
  for (const name of names.filter((f) => f.endsWith('.log')).sort().slice(0, -1)) {
    assert.ok(names.includes(name.replace('.log', '.index')))
    assert.ok(names.includes(name.replace('.log', '.timeindex')))
  }
  assert.throws(() => log.append(batch(0, 1)), /closed/)

  const again = PartitionLog.open(dir, small)
  assert.equal(existsSync(join(dir, CLEAN_SHUTDOWN_FILE)), false, 'marker removed while the log is open')
  assert.equal(again.logEndOffset, log.logEndOffset)
  const second = fill(again, 50, 50)
  assert.equal(second[0].baseOffset, first[first.length - 1].lastOffset + 1)
  const all = batchesIn(again.read(0, 1 << 20))
  assert.deepEqual(all.map((b) => b.baseOffset), [...first, ...second].map((e) => e.baseOffset))
  await again.close()
})

test('segment.ms rolls on the next append, judged by record timestamps as Kafka does', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, { segmentMs: 1000 })
  const t0 = 1_700_000_000_000
  log.append(batch(0, 1, t0))
  log.append(batch(1, 1, t0 + 1000)) // exactly segment.ms after the first batch: not yet
  log.append(batch(2, 1, t0 + 500)) // older records never roll
  log.append(batch(3, 1, t0 + 1001)) // more than segment.ms after the segment's first batch: roll
  log.append(batch(4, 1, t0 + 1500))
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.log')).sort(), ['00000000000000000000.log', '00000000000000000003.log'])
  await log.close()
})

test('segment.ms falls back to the wall-clock age when the segment has no timestamps', async (t) => {
  const dir = tempDir(t)
  let now = 5_000_000
  const log = PartitionLog.open(dir, { segmentMs: 30 }, { now: () => now })
  log.append(batch(0, 1, -1))
  log.append(batch(1, 1, -1))
  now += 31
  log.append(batch(2, 1, -1))
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.log')).sort(), ['00000000000000000000.log', '00000000000000000002.log'])
  await log.close()
})

test('a compacted topic with max.compaction.lag.ms rolls at least that often', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, { cleanupPolicy: { delete: false, compact: true }, maxCompactionLagMs: 100 })
  log.append(batch(0, 1, 1000))
  log.append(batch(1, 1, 1101))
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.log')).length, 2)
  await log.close()
})

test('onAppend notifies subscribers until they unsubscribe', async (t) => {
  const log = PartitionLog.open(tempDir(t))
  let calls = 0
  const unsubscribe = log.onAppend(() => { calls++ })
  log.onAppend(() => { throw new Error('a broken subscriber does not break appends') })
  log.append(batch(0, 1))
  log.append(batch(1, 1))
  unsubscribe()
  log.append(batch(2, 1))
  assert.equal(calls, 2)
  await log.close()
})

test('delete removes the directory and rejects pending flush waiters', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, small)
  fill(log, 40)
  const waiting = log.flushedUpTo(log.logEndOffset - 1).then(() => 'resolved', () => 'rejected')
  await log.delete()
  assert.equal(await waiting, 'rejected')
  assert.equal(existsSync(dir), false)
  await assert.rejects(log.flushedUpTo(0))
  assert.throws(() => log.append(batch(0, 1)))
})

test('only the active segment keeps a descriptor open', async (t) => {
  if (!existsSync('/proc/self/fd')) return t.skip('no /proc')
  const openFds = (): number => readdirSync('/proc/self/fd').length
  const log = PartitionLog.open(tempDir(t), { segmentBytes: 1024 })
  const before = openFds()
  fill(log, 400)
  await log.flushedUpTo(log.logEndOffset - 1) // the background flush closes rolled segments' writers
  assert.ok(openFds() - before <= 2, `fds grew by ${openFds() - before}`)
  log.read(0, 1 << 20) // reads through the shared, bounded cache
  assert.ok(openFds() - before <= 130)
  await log.close()
})

test('an empty log opens fast', async (t) => {
  const dir = tempDir(t)
  const started = performance.now()
  const log = PartitionLog.open(dir)
  const elapsed = performance.now() - started
  assert.ok(elapsed < 50, `open took ${elapsed} ms`)
  assert.equal(log.logEndOffset, 0)
  assert.equal(log.read(0, 100).length, 0)
  await log.close()
  const started2 = performance.now()
  const reopened = PartitionLog.open(dir)
  assert.ok(performance.now() - started2 < 50)
  await reopened.close()
})

test('write descriptors are bounded across partitions; evicted writers reopen for appends and syncs', async (t) => {
  if (!existsSync('/proc/self/fd')) return t.skip('no /proc')
  const openFds = (): number => readdirSync('/proc/self/fd').length
  const capacity = writeFds.capacity
  writeFds.capacity = 4
  t.after(() => { writeFds.capacity = capacity })
  const root = tempDir(t)
  const before = openFds()
  const logs = Array.from({ length: 20 }, (_, i) => PartitionLog.open(join(root, `p-${i}`)))
  assert.equal(openFds() - before, 0, 'opening holds no descriptor')
  for (let round = 0; round < 3; round++) for (const [i, log] of logs.entries()) log.append(batch(round * 100 + i, 2))
  assert.ok(openFds() - before <= 4, `descriptors: ${openFds() - before}`)
  await Promise.all(logs.map(async (log) => await log.flushedUpTo(log.logEndOffset)))
  for (const [i, log] of logs.entries()) assert.deepEqual(batchesIn(log.read(0, 1 << 20)).map((b) => b.baseOffset), [0, 2, 4], `log ${i}`)
  await Promise.all(logs.map(async (log) => await log.close()))
  const reopened = PartitionLog.open(join(root, 'p-7'))
  assert.equal(reopened.logEndOffset, 6)
  await reopened.close()
})

test('close writes the active segment\'s indexes once it holds more than 32 KiB they do not cover', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, { indexIntervalBytes: 1024 })
  for (let i = 0; i < 20; i++) log.append(batch(i, 2, undefined, 500))
  assert.ok(log.size < 32 * 1024)
  await log.close()
  assert.equal(existsSync(join(dir, '00000000000000000000.index')), false)
  const again = PartitionLog.open(dir, { indexIntervalBytes: 1024 })
  for (let i = 20; i < 100; i++) again.append(batch(i, 2, undefined, 500))
  assert.ok(again.size > 32 * 1024)
  await again.close()
  assert.equal(existsSync(join(dir, '00000000000000000000.index')), true)
  const third = PartitionLog.open(dir, { indexIntervalBytes: 1024 })
  assert.equal(third.logEndOffset, 200)
  assert.equal(batchesIn(third.read(181, 1))[0].baseOffset, 180)
  await third.close()
})

test('read with firstMustFit: nothing when the batch at the offset is larger than maxBytes, the batch when it fits', async (t) => {
  const log = PartitionLog.open(tempDir(t), small)
  const expected = fill(log, 3)
  const sizes = batchesIn(log.read(0, 1 << 20)).map((b) => b.size)
  assert.equal(log.read(0, sizes[0]! - 1, true).length, 0)
  assert.equal(log.read(0, sizes[0]! - 1).length, sizes[0], 'without it the first batch goes whole (KIP-74)')
  assert.deepEqual(batchesIn(log.read(expected[1]!.baseOffset, sizes[1]!, true)).map((b) => b.baseOffset), [expected[1]!.baseOffset])
  assert.equal(log.read(0, sizes[0]! + sizes[1]! - 1, true).length, sizes[0], 'whole batches only')
  await log.close()
})
