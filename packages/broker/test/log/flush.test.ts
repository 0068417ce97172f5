import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GroupCommit } from '../../src/log/flusher.js'
import { OffsetIndex } from '../../src/log/offset-index.js'
import { TimeIndex } from '../../src/log/time-index.js'
import { PartitionLog } from '../../src/log/index.js'
import { tempDir, batch } from './helpers.js'

/** A fake sync whose completions the test controls; records what each sync covered and the overlap. */
function controlledSync (): { sync: () => Promise<number>, finish: () => void, calls: number[], maxInFlight: number, end: { value: number } } {
  const state = {
    calls: [] as number[],
    maxInFlight: 0,
    inFlight: 0,
    end: { value: 0 },
    pending: [] as Array<() => void>,
    sync: async (): Promise<number> => {
      const covered = state.end.value
      state.calls.push(covered)
      state.inFlight++
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
      await new Promise<void>((resolve) => state.pending.push(resolve))
      state.inFlight--
      return covered
    },
    finish: () => { state.pending.shift()?.() }
  }
  return state
}

const tick = async (): Promise<void> => await new Promise((resolve) => setImmediate(resolve))

test('group commit: waiters share one sync, one in flight, the next starts when waiters remain', async () => {
  const s = controlledSync()
  const commit = new GroupCommit(0, s.sync)
  const done: number[] = []
  s.end.value = 10
  for (let o = 0; o < 10; o++) void commit.waitFor(o).then(() => done.push(o))
  await tick()
  assert.deepEqual(s.calls, [10], 'ten waiters, one sync')
  s.end.value = 20
  for (let o = 10; o < 20; o++) void commit.waitFor(o).then(() => done.push(o))
  await tick()
  assert.deepEqual(s.calls, [10], 'no second sync while the first is in flight')
  s.finish()
  await tick()
  assert.deepEqual(done, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  assert.deepEqual(s.calls, [10, 20], 'the next sync starts right after, for the remaining waiters')
  s.finish()
  await tick()
  assert.equal(done.length, 20)
  assert.equal(s.maxInFlight, 1)
  assert.equal(commit.durableOffset, 20)
  // Already durable: resolves without a sync.
  await commit.waitFor(5)
  assert.equal(s.calls.length, 2)
})

test('group commit: a failed sync rejects current and future waiters', async () => {
  const commit = new GroupCommit(0, async () => { throw new Error('EIO') })
  await assert.rejects(commit.waitFor(0), /EIO/)
  await assert.rejects(commit.waitFor(1), /EIO/)
  assert.equal(commit.error?.message, 'EIO')
})

test('flushedUpTo resolves for real appends, batching concurrent waiters', async (t) => {
  const log = PartitionLog.open(tempDir(t), { segmentBytes: 4096 })
  const waits: Array<Promise<void>> = []
  for (let i = 0; i < 200; i++) {
    const r = log.append(batch(i, 3))
    waits.push(log.flushedUpTo(r.lastOffset))
  }
  await Promise.all(waits)
  await log.flushedUpTo(log.logEndOffset + 100) // beyond the end means "everything so far"
  await log.flushedUpTo(-1)
  await log.close()
})

test('flush.interval.messages starts a background sync without waiters', async (t) => {
  const log = PartitionLog.open(tempDir(t), { flushIntervalMessages: 5 })
  for (let i = 0; i < 3; i++) log.append(batch(i, 2))
  await new Promise((resolve) => setTimeout(resolve, 50))
  // Data flushed in the background: a waiter for it resolves without needing another round trip first.
  const started = performance.now()
  await log.flushedUpTo(3)
  assert.ok(performance.now() - started < 50)
  await log.close()
})

test('offset index: floor look-ups, duplicates ignored, persisted form round-trips and is validated', () => {
  const index = new OffsetIndex(1000, 2)
  assert.equal(index.lookup(1500), 0)
  for (let i = 1; i <= 100; i++) index.append(1000 + i * 10, i * 4096)
  index.append(1000 + 1000, 1) // not increasing: ignored
  assert.equal(index.length, 100)
  assert.equal(index.lookup(1000), 0)
  assert.equal(index.lookup(1009), 0)
  assert.equal(index.lookup(1010), 4096)
  assert.equal(index.lookup(1555), 55 * 4096)
  assert.equal(index.lookup(99999), 100 * 4096)
  const copy = OffsetIndex.fromBuffer(1000, index.toBuffer(), 101 * 4096)
  assert.ok(copy)
  assert.equal(copy.lookup(1555), 55 * 4096)
  assert.equal(OffsetIndex.fromBuffer(1000, index.toBuffer(), 100 * 4096), null, 'entry beyond the log end')
  assert.equal(OffsetIndex.fromBuffer(1000, Buffer.alloc(16), 1 << 20), null, 'zero-filled')
  assert.equal(OffsetIndex.fromBuffer(1000, Buffer.alloc(12), 1 << 20), null, 'odd size')
})

test('time index: only growing timestamps, search start is the last entry below the target', () => {
  const index = new TimeIndex(50)
  assert.equal(index.searchStart(10), -1)
  index.maybeAppend(100, 55)
  index.maybeAppend(90, 60) // not growing: ignored
  index.maybeAppend(200, 70)
  index.maybeAppend(300, 80)
  assert.equal(index.length, 3)
  assert.equal(index.searchStart(100), -1)
  assert.equal(index.searchStart(101), 55)
  assert.equal(index.searchStart(300), 70)
  assert.equal(index.searchStart(1e15), 80)
  const copy = TimeIndex.fromBuffer(50, index.toBuffer())
  assert.ok(copy)
  assert.equal(copy.lastTimestamp, 300)
  assert.equal(copy.lastOffset, 80)
  assert.equal(TimeIndex.fromBuffer(50, Buffer.alloc(24)), null)
})
