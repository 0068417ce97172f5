import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PartitionLog, CLEAN_SHUTDOWN_FILE } from '../../src/log/index.js'
import { tempDir, batch, batchesIn } from './helpers.js'

const config = { segmentBytes: 2048, indexIntervalBytes: 200 }

interface Written { dir: string, ends: number[], bases: number[], leo: number }

/** Writes `n` batches, closes cleanly, then removes the clean-shutdown marker: the state a crash leaves behind. */
async function crashedLog (t: Parameters<typeof tempDir>[0], n = 120): Promise<Written> {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  const bases: number[] = []
  const ends: number[] = []
  for (let i = 0; i < n; i++) {
    const r = log.append(batch(i, 1 + (i % 3)))
    bases.push(r.baseOffset)
    ends.push(r.lastOffset + 1)
  }
  const leo = log.logEndOffset
  await log.close()
  rmSync(join(dir, CLEAN_SHUTDOWN_FILE))
  return { dir, ends, bases, leo }
}

const segmentFiles = (dir: string, ext: string): string[] => readdirSync(dir).filter((f) => f.endsWith(ext)).sort()
const newestLog = (dir: string): string => join(dir, segmentFiles(dir, '.log').at(-1) as string)

/** The log must read back exactly batches [0, count) of what was written and accept new appends after them. */
async function assertIntact (dir: string, w: Written, count: number): Promise<void> {
  const log = PartitionLog.open(dir, config)
  const leo = count === 0 ? 0 : w.ends[count - 1]
  assert.equal(log.logEndOffset, leo)
  assert.deepEqual(batchesIn(log.read(0, 1 << 20)).map((b) => b.baseOffset), w.bases.slice(0, count))
  const next = log.append(batch(999, 2))
  assert.equal(next.baseOffset, leo)
  assert.equal(batchesIn(log.read(next.baseOffset, 1)).length, 1)
  assert.deepEqual(log.offsetForTimestamp(1_700_000_000_000 + 999 * 1000), { offset: leo, timestamp: 1_700_000_000_000 + 999 * 1000 + 1 })
  await log.close()
}

/** Index of the batch that starts in the newest segment at the smallest offset. */
function firstBatchOfNewest (w: Written): number {
  const base = Number(segmentFiles(w.dir, '.log').at(-1)?.slice(0, 20))
  return w.bases.indexOf(base)
}

test('garbage appended after the last batch is cut off', async (t) => {
  const w = await crashedLog(t)
  const size = statSync(newestLog(w.dir)).size
  appendFileSync(newestLog(w.dir), Buffer.from('this is not a record batch at all, just noise'.repeat(20)))
  await assertIntact(w.dir, w, w.bases.length)
  assert.ok(statSync(newestLog(w.dir)).size > size) // the new append landed where the garbage was
})

test('a batch torn in the middle is dropped', async (t) => {
  const w = await crashedLog(t)
  truncateSync(newestLog(w.dir), statSync(newestLog(w.dir)).size - 7)
  await assertIntact(w.dir, w, w.bases.length - 1)
})

test('a torn header (only a few bytes of the next batch) is dropped', async (t) => {
  const w = await crashedLog(t)
  const tail = batch(500, 1).subarray(0, 20)
  appendFileSync(newestLog(w.dir), tail)
  await assertIntact(w.dir, w, w.bases.length)
})

test('a zero-filled tail (pre-allocated blocks after a power loss) is cut off', async (t) => {
  const w = await crashedLog(t)
  appendFileSync(newestLog(w.dir), Buffer.alloc(8192))
  await assertIntact(w.dir, w, w.bases.length)
})

test('a header announcing more bytes than the file holds is treated as torn', async (t) => {
  const w = await crashedLog(t)
  const fake = Buffer.from(batch(500, 1))
  fake.writeInt32BE(1 << 30, 8)
  appendFileSync(newestLog(w.dir), fake)
  await assertIntact(w.dir, w, w.bases.length)
})

test('a flipped byte inside the newest segment truncates from that batch on', async (t) => {
  const w = await crashedLog(t)
  const path = newestLog(w.dir)
  const first = firstBatchOfNewest(w)
  assert.ok(w.bases.length - first >= 3, 'newest segment should hold several batches')
  const data = readFileSync(path)
  const log = PartitionLog.open(w.dir, config)
  const secondBatchSize = batchesIn(log.read(w.bases[first + 1], 1))[0].size
  const firstSize = batchesIn(log.read(w.bases[first], 1))[0].size
  await log.close()
  rmSync(join(w.dir, CLEAN_SHUTDOWN_FILE))
  data[firstSize + Math.floor(secondBatchSize / 2)] ^= 0xff // inside the second batch's CRC-covered bytes
  writeFileSync(path, data)
  await assertIntact(w.dir, w, first + 1)
})

test('the clean-shutdown fast path still verifies the tail after the last index entry', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  const bases: number[] = []
  const ends: number[] = []
  for (let i = 0; i < 50; i++) { const r = log.append(batch(i, 2)); bases.push(r.baseOffset); ends.push(r.lastOffset + 1) }
  await log.close()
  assert.ok(existsSync(join(dir, CLEAN_SHUTDOWN_FILE)))
  appendFileSync(newestLog(dir), Buffer.alloc(300, 0xab))
  await assertIntact(dir, { dir, bases, ends, leo: ends.at(-1) as number }, bases.length)
})

test('deleted index files are rebuilt and give the same answers', async (t) => {
  const w = await crashedLog(t)
  const before = PartitionLog.open(w.dir, config)
  const answers = w.bases.map((b) => batchesIn(before.read(b + 1, 1))[0]?.baseOffset)
  const stamps = w.bases.map((_, i) => before.offsetForTimestamp(1_700_000_000_000 + i * 1000))
  await before.close()
  for (const f of [...segmentFiles(w.dir, '.index'), ...segmentFiles(w.dir, '.timeindex')]) rmSync(join(w.dir, f))
  rmSync(join(w.dir, CLEAN_SHUTDOWN_FILE))
  const after = PartitionLog.open(w.dir, config)
  assert.equal(after.logEndOffset, w.leo)
  assert.equal(segmentFiles(w.dir, '.index').length, segmentFiles(w.dir, '.log').length - 1, 'sealed segments re-indexed at open')
  assert.deepEqual(w.bases.map((b) => batchesIn(after.read(b + 1, 1))[0]?.baseOffset), answers)
  assert.deepEqual(w.bases.map((_, i) => after.offsetForTimestamp(1_700_000_000_000 + i * 1000)), stamps)
  await after.close()
  assert.equal(segmentFiles(w.dir, '.index').length, segmentFiles(w.dir, '.log').length - 1, 'the small active segment is scanned at open instead')
})

test('a zero-filled index of a sealed segment is detected on first use and rebuilt', async (t) => {
  const w = await crashedLog(t)
  const firstIndex = join(w.dir, segmentFiles(w.dir, '.index')[0])
  writeFileSync(firstIndex, Buffer.alloc(statSync(firstIndex).size + 16))
  writeFileSync(firstIndex.replace('.index', '.timeindex'), Buffer.alloc(24))
  const log = PartitionLog.open(w.dir, config)
  for (let i = 0; i < 10; i++) assert.equal(batchesIn(log.read(w.bases[i], 1))[0].baseOffset, w.bases[i])
  assert.deepEqual(log.offsetForTimestamp(1_700_000_000_000 + 4 * 1000), { offset: w.bases[4], timestamp: 1_700_000_000_000 + 4 * 1000 + 1 }) // batch 4: 2 records
  await log.close()
  assert.notDeepEqual(readFileSync(firstIndex), Buffer.alloc(statSync(firstIndex).size))
})

test('a sealed segment that never got its indexes and is torn drops every later segment', async (t) => {
  const w = await crashedLog(t)
  const logs = segmentFiles(w.dir, '.log')
  assert.ok(logs.length >= 4)
  const victim = logs[1]
  for (const ext of ['.index', '.timeindex']) rmSync(join(w.dir, victim.replace('.log', ext)))
  truncateSync(join(w.dir, victim), statSync(join(w.dir, victim)).size - 3)
  const nextBase = Number(logs[2].slice(0, 20))
  const lastGood = w.ends.indexOf(nextBase) // the torn batch is the one ending at nextBase
  await assertIntact(w.dir, w, lastGood)
  const remaining = segmentFiles(w.dir, '.log')
  assert.deepEqual(remaining.slice(0, 2), logs.slice(0, 2))
  assert.ok(!remaining.includes(logs[3]))
})

test('a process crash without close (no marker, active index never written) recovers everything synced', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  const bases: number[] = []
  const ends: number[] = []
  for (let i = 0; i < 80; i++) { const r = log.append(batch(i, 2)); bases.push(r.baseOffset); ends.push(r.lastOffset + 1) }
  await log.flushedUpTo(log.logEndOffset - 1)
  // No close(): the first instance is simply abandoned, as after kill -9.
  assert.equal(existsSync(join(dir, CLEAN_SHUTDOWN_FILE)), false)
  await assertIntact(dir, { dir, bases, ends, leo: log.logEndOffset }, bases.length)
})

test('orphan index files without a .log are removed; an empty directory opens as an empty log', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  await log.close()
  writeFileSync(join(dir, '00000000000000000500.index'), Buffer.alloc(8))
  writeFileSync(join(dir, 'unrelated.txt'), 'kept')
  const again = PartitionLog.open(dir, config)
  assert.equal(existsSync(join(dir, '00000000000000000500.index')), false)
  assert.equal(existsSync(join(dir, 'unrelated.txt')), true)
  assert.equal(again.logEndOffset, 0)
  await again.close()
})

test('any cut point in the newest segment recovers to a prefix of whole batches', async (t) => {
  const w = await crashedLog(t, 40)
  const path = newestLog(w.dir)
  const original = readFileSync(path)
  const first = firstBatchOfNewest(w)
  // Batch boundaries inside the newest segment, from the offsets we wrote.
  const log = PartitionLog.open(w.dir, config)
  const sizes = w.bases.slice(first).map((b) => batchesIn(log.read(b, 1))[0].size)
  await log.close()
  const boundaries = sizes.reduce<number[]>((acc, size) => [...acc, (acc.at(-1) ?? 0) + size], [0])
  let seed = 42
  const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n }
  for (let round = 0; round < 25; round++) {
    const cut = random(original.length + 1)
    const tailKind = random(3) // 0: nothing, 1: zeros, 2: noise
    const tail = tailKind === 0 ? Buffer.alloc(0) : tailKind === 1 ? Buffer.alloc(random(5000)) : Buffer.from(Array.from({ length: random(500) }, () => random(256)))
    writeFileSync(path, Buffer.concat([original.subarray(0, cut), tail]))
    rmSync(join(w.dir, CLEAN_SHUTDOWN_FILE), { force: true })
    const whole = boundaries.filter((b) => b <= cut).length - 1 // batches of the newest segment fully before the cut
    const reopened = PartitionLog.open(w.dir, config)
    assert.equal(reopened.logEndOffset, whole === 0 ? w.bases[first] : w.ends[first + whole - 1], `cut ${cut}, tail ${tailKind}`)
    assert.equal(statSync(path).size, boundaries[whole])
    await reopened.close()
  }
})
