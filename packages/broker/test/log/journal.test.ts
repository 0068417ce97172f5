import { test } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setBaseOffset } from '@samsa/protocol'
import { Journal, type JournalMember, type JournalOptions, type ReplayStats, type ReplayTarget } from '../../src/log/journal.js'
import { batch, batchesIn } from './helpers.js'

/**
 * The write-ahead journal alone (log/journal.ts), with fake partitions: group-commit rounds, rotation and
 * retirement of full files, replay of what a partition lost, and how replay treats torn or foreign bytes.
 * Power failures through real partition logs and the broker are in journal-recovery.test.ts.
 */

/** Fixed part of an entry (see the format in journal.ts). */
const HEADER = 22
const KEY = Buffer.from('5d1c5f6e-topic-id/0')
const OTHER_KEY = Buffer.from('5d1c5f6e-topic-id/1')

function journalDir (t: { after: (fn: () => void) => void }): string {
  const root = mkdtempSync(join(tmpdir(), 'samsa-journal-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  return join(root, '__log_journal')
}

/** Small files: a fresh journal directory zero-fills three spares of fileBytes in the background. */
const FILE_BYTES = 64 * 1024
// Retirement at rotation (unretiredFiles 0) unless a test is about its deferral.
const openJournal = (dir: string, options: JournalOptions = {}): Journal => Journal.open(dir, { fileBytes: FILE_BYTES, unretiredFiles: 0, ...options })

const walFiles = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.wal')).sort()
const walName = (n: number): string => String(n).padStart(20, '0') + '.wal'
const tick = async (): Promise<void> => await new Promise((resolve) => setImmediate(resolve))
const ticks = async (n: number): Promise<void> => { for (let i = 0; i < n; i++) await tick() }
/** Bytes one entry takes in a file. */
const entrySize = (key: Buffer, records: Buffer): number => HEADER + key.length + records.length

/** A batch of `count` records whose base offset is already assigned (as a partition log leaves it). */
function at (base: number, tag: number, count: number, valueSize = 0): Buffer {
  const b = batch(tag, count, undefined, valueSize)
  setBaseOffset(b, 0, base)
  return b
}

/** Rejects instead of hanging when `promise` does not settle (a lost wake-up), so a failure is reported. */
async function within<T> (promise: Promise<T>, what: string, ms = 3000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not settled after ${ms} ms`)), ms) })
  try {
    return await Promise.race([promise, expired])
  } finally {
    clearTimeout(timer)
  }
}

const durableMember = (): JournalMember => ({ segmentsDurable: async () => {} })

/** A member whose segments become durable when the test says so; records the offsets it was asked for. */
interface ControlledMember extends JournalMember { calls: number[], resolve: () => void, reject: (error: Error) => void }
function controlledMember (): ControlledMember {
  let resolve!: () => void
  let reject!: (error: Error) => void
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej })
  promise.catch(() => {})
  const member: ControlledMember = {
    calls: [],
    resolve: () => resolve(),
    reject: (error) => reject(error),
    segmentsDurable: async (offset) => { member.calls.push(offset); await promise }
  }
  return member
}

/** A partition kept in memory: its log end, and every buffer replay appended (checked to start at the log end). */
class MemoryLog implements ReplayTarget {
  logEndOffset: number
  readonly appended: Buffer[] = []
  readonly member: JournalMember
  constructor (logEndOffset: number, member: JournalMember = durableMember()) {
    this.logEndOffset = logEndOffset
    this.member = member
  }

  appendRecovered (records: Buffer): void {
    const batches = batchesIn(records)
    assert.equal(batches[0]!.baseOffset, this.logEndOffset, 'replay appends exactly at the log end')
    this.appended.push(Buffer.from(records))
    this.logEndOffset = batches.at(-1)!.lastOffset + 1
  }
}

interface Written { key: Buffer, records: Buffer, lastOffset: number }

/** Writes `entries` through a journal, waits until they are durable and closes it without removing the file. */
async function writeJournal (dir: string, entries: Written[]): Promise<string[]> {
  const journal = openJournal(dir)
  const member = durableMember()
  let seq = 0
  for (const entry of entries) seq = journal.append(member, entry.key, entry.lastOffset, entry.records)
  await journal.waitFor(seq)
  await journal.close(false)
  return walFiles(dir)
}

/** Three entries of one partition: offsets [0, 2), [2, 5) in two batches, [5, 6). */
function threeEntries (): Written[] {
  return [
    { key: KEY, records: at(0, 1, 2), lastOffset: 1 },
    { key: KEY, records: Buffer.concat([at(2, 2, 1), at(3, 3, 2)]), lastOffset: 4 },
    { key: KEY, records: at(5, 4, 1), lastOffset: 5 }
  ]
}

/** Opens the journal in `dir` again and replays its files into `targets` (by key); waits for retirements. */
async function replayInto (dir: string, targets: Record<string, ReplayTarget>): Promise<{ stats: ReplayStats, warnings: string[] }> {
  const warnings: string[] = []
  const journal = openJournal(dir, { warn: (message) => warnings.push(message) })
  const stats = journal.replay((key) => targets[key])
  await journal.close(false)
  return { stats, warnings }
}

/**
 * Appends single entries until the journal has left its freshly created first file for a zero-filled spare (a
 * fresh directory prepares them in the background), so the next rounds write to one file without rotating.
 * Gives up after a bounded number of rounds (a journal without spares never rotates here either).
 */
async function settleOnSpare (journal: Journal, dir: string): Promise<number> {
  const started = Date.now()
  let offset = 0
  while (walFiles(dir).includes(walName(1))) {
    const preparing = readdirSync(dir).some((name) => name.endsWith('.filling') || name.endsWith('.free'))
    if (Date.now() - started > (preparing ? 5000 : 200)) break
    await journal.waitFor(journal.append(durableMember(), KEY, offset, at(offset, 1, 1)))
    offset++
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return offset
}

// ---- rounds ----

test('an append becomes durable with a round: waitFor resolves after it and durableSequence advances', async (t) => {
  const dir = journalDir(t)
  const journal = openJournal(dir)
  assert.deepEqual(walFiles(dir), [walName(1)])
  await journal.waitFor(0) // nothing appended: nothing to wait for
  const records = at(0, 1, 3)
  const seq = journal.append(durableMember(), KEY, 2, records)
  assert.equal(seq, 1)
  assert.equal(journal.durableSequence, 0, 'nothing is durable before a round ran')
  let done = false
  const waiting = journal.waitFor(seq).then(() => { done = true })
  assert.equal(done, false)
  await waiting
  assert.equal(journal.durableSequence, 1)
  assert.equal(statSync(join(dir, walName(1))).size, entrySize(KEY, records))
  // The entry holds the records exactly as appended.
  const file = readFileSync(join(dir, walName(1)))
  assert.equal(file.readUInt32BE(0), entrySize(KEY, records) - 4)
  assert.equal(file.readUInt32BE(8), 1, 'file number')
  assert.equal(file.readUInt32BE(12), records.length)
  assert.equal(file.toString('utf8', HEADER, HEADER + KEY.length), KEY.toString())
  assert.deepEqual(file.subarray(HEADER + KEY.length), records)
  // Already durable: resolves at once, again.
  await journal.waitFor(seq)
  await journal.close(true)
})

test('the caller keeps its buffer: the journal copied the bytes at append time', async (t) => {
  const dir = journalDir(t)
  const journal = openJournal(dir)
  const records = at(0, 1, 2)
  const original = Buffer.from(records)
  const seq = journal.append(durableMember(), KEY, 1, records)
  records.fill(0x55) // reused by the caller before the round ran
  await journal.waitFor(seq)
  assert.deepEqual(readFileSync(join(dir, walName(1))).subarray(HEADER + KEY.length), original)
  await journal.close(true)
})

test('appends of one tick share one round; appends during a round wait for the next one', async (t) => {
  const dir = journalDir(t)
  const journal = openJournal(dir)
  const member = durableMember()
  const offset = await settleOnSpare(journal, dir) // no rotation in the rounds below
  const base = journal.durableSequence
  assert.equal(base, offset)
  const waits: Array<Promise<void>> = []
  for (let i = offset; i < offset + 10; i++) waits.push(journal.waitFor(journal.append(member, KEY, i, at(i, i, 1))))
  // When the first waiter is released, all ten are durable: one write served them.
  await waits[0]
  assert.equal(journal.durableSequence, base + 10)
  await Promise.all(waits)
  await tick() // idle: the next append starts a round of its own

  // The journal's round starts in a setImmediate queued by the append; this one runs right after it, with the
  // round's write in flight. Its append cannot be in that write and is not reported durable with it.
  const first = journal.waitFor(journal.append(member, KEY, offset + 10, at(offset + 10, 10, 1)))
  let second: Promise<void> | undefined
  setImmediate(() => { second = journal.waitFor(journal.append(member, KEY, offset + 11, at(offset + 11, 11, 1))) })
  await first
  assert.equal(journal.durableSequence, base + 11, 'the first round covers its own append only')
  await tick()
  await within(second as Promise<void>, 'append made during a round')
  assert.equal(journal.durableSequence, base + 12)
  await journal.close(false)
  const files = walFiles(dir)
  assert.equal(files.length, 1)
  const log = new MemoryLog(firstBaseOffset(join(dir, files[0]!)))
  await replayInto(dir, { [KEY.toString()]: log })
  assert.equal(log.logEndOffset, offset + 12)
})

test('a waiter arriving while its append is being written joins that round', async (t) => {
  const dir = journalDir(t)
  const journal = openJournal(dir)
  const member = durableMember()
  await journal.waitFor(journal.append(member, KEY, 0, at(0, 0, 1)))
  await tick()
  const seq = journal.append(member, KEY, 1, at(1, 1, 1)) // nobody waits when the round starts
  let late: Promise<void> | undefined
  setImmediate(() => { late = journal.waitFor(seq) })
  await ticks(2)
  await within(late as Promise<void>, 'late waiter')
  assert.equal(journal.durableSequence, 2)
  await journal.close(true)
})

test('a burst larger than the staging buffer is written whole', async (t) => {
  const dir = journalDir(t)
  const journal = openJournal(dir)
  const member = durableMember()
  let seq = 0
  let total = 0
  let base = 0
  for (let i = 0; i < 90; i++) { // ~5.4 MB in one tick: more than the 4 MiB staging buffer
    const records = at(base, i, 10, 6000)
    total += entrySize(KEY, records)
    seq = journal.append(member, KEY, base + 9, records)
    base += 10
  }
  assert.ok(total > 4 * 1024 * 1024, `burst of ${total} bytes`)
  await journal.waitFor(seq)
  assert.equal(statSync(join(dir, walName(1))).size, total)
  await journal.close(false)
  const log = new MemoryLog(0)
  const { stats } = await replayInto(dir, { [KEY.toString()]: log })
  assert.equal(stats.entries, 90)
  assert.equal(log.logEndOffset, base)
})

// ---- rotation and retirement ----

test('rotation: a full file is retired only once every member that wrote to it has its segments durable', async (t) => {
  const dir = journalDir(t)
  const journal = openJournal(dir, { fileBytes: 64 })
  const a = controlledMember()
  const b = controlledMember()
  const c = controlledMember()
  journal.append(a, KEY, 3, at(2, 1, 2))
  journal.append(a, KEY, 7, at(5, 2, 3)) // the member's last offset in the file is what must become durable
  await journal.waitFor(journal.append(b, OTHER_KEY, 0, at(0, 3, 1)))
  assert.deepEqual(walFiles(dir), [walName(1)])
  assert.ok(statSync(join(dir, walName(1))).size >= 64)
  assert.deepEqual([a.calls, b.calls], [[], []], 'nothing asked before the file is full and replaced')

  await journal.waitFor(journal.append(c, KEY, 8, at(8, 4, 1)))
  assert.deepEqual(walFiles(dir), [walName(1), walName(2)])
  assert.equal(readFileSync(join(dir, walName(2))).readUInt32BE(8), 2, 'entries of file 2 carry its number')
  assert.deepEqual([a.calls, b.calls, c.calls], [[7], [0], []], 'only the members of file 1, each for its last offset there')

  a.resolve()
  await ticks(5)
  assert.ok(existsSync(join(dir, walName(1))), 'b is not durable yet: file 1 stays')
  b.resolve()
  c.resolve()
  await journal.close(false) // waits for retirements
  assert.deepEqual(walFiles(dir), [walName(2)])
})

test('rotation under load: the full file waits for the next rotation, or for 300 ms without appends', async (t) => {
  const dir = journalDir(t)
  const journal = openJournal(dir, { fileBytes: 64, unretiredFiles: 1 })
  t.after(async () => await journal.close(false))
  const first = controlledMember()
  const second = controlledMember()
  const third = controlledMember()
  first.resolve(); second.resolve(); third.resolve()
  await journal.waitFor(journal.append(first, KEY, 2, at(0, 1, 3)))
  await journal.waitFor(journal.append(second, KEY, 4, at(3, 2, 2))) // rotates: file 1 waits
  assert.deepEqual(first.calls, [], 'file 1 is not retired while appends keep coming')
  await journal.waitFor(journal.append(third, KEY, 6, at(5, 3, 2))) // rotates again: file 1 is retired now
  assert.deepEqual(first.calls, [2])
  assert.deepEqual(second.calls, [], 'file 2 is the one that may wait')
  await new Promise((resolve) => setTimeout(resolve, 700)) // no appends: the waiting file goes too
  assert.deepEqual(second.calls, [4])
})

test('rotation: a member whose segments cannot be made durable keeps the file for the next start', async (t) => {
  const dir = journalDir(t)
  const warnings: string[] = []
  const journal = openJournal(dir, { fileBytes: 32, warn: (message) => warnings.push(message) })
  const failing = controlledMember()
  await journal.waitFor(journal.append(failing, KEY, 1, at(0, 1, 2)))
  await journal.waitFor(journal.append(durableMember(), KEY, 2, at(2, 2, 1)))
  assert.deepEqual(failing.calls, [1])
  failing.reject(new Error('EIO on the segment'))
  await journal.close(false)
  assert.deepEqual(walFiles(dir), [walName(1), walName(2)])
  assert.equal(warnings.length, 1)
  assert.match(warnings[0]!, /00000000000000000001\.wal kept for the next start: EIO on the segment/)

  // Both files are replayed at the next start, in order.
  const log = new MemoryLog(0)
  const { stats } = await replayInto(dir, { [KEY.toString()]: log })
  assert.equal(stats.files, 2)
  assert.equal(stats.entries, 2)
  assert.equal(log.logEndOffset, 3)
  assert.deepEqual(walFiles(dir), [walName(3)], 'replayed files retired; the empty file of that start remains')
})

/**
 * The round that rotates awaits a directory fsync; appends made meanwhile are written by that same round. `during`
 * makes one such append (setImmediate right after the journal's own: the round has just started the rotation).
 */
async function appendDuringRotation (t: { after: (fn: () => void) => void }): Promise<{ dir: string, journal: Journal, first: Promise<void>, second: () => Promise<void> }> {
  const dir = journalDir(t)
  const journal = openJournal(dir, { fileBytes: 32 })
  const member = durableMember()
  await journal.waitFor(journal.append(member, KEY, 1, at(0, 1, 2))) // file 1 is now full
  const first = journal.waitFor(journal.append(member, KEY, 2, at(2, 2, 1)))
  let second: Promise<void> | undefined
  setImmediate(() => { second = journal.waitFor(journal.append(member, KEY, 3, at(3, 3, 1))) })
  await tick()
  return { dir, journal, first, second: async () => await within(second as Promise<void>, 'append made during the rotation') }
}

test('rotation: an append made while the next file is being created is acknowledged and replayable', async (t) => {
  const { dir, journal, first, second } = await appendDuringRotation(t)
  await within(first, 'append that triggered the rotation')
  await second()
  await within(journal.waitFor(3), 'the same append, asked again')
  await journal.close(false)
  assert.deepEqual(walFiles(dir), [walName(2)], 'file 1 retired (its member is durable)')
  const log = new MemoryLog(2)
  const { stats } = await replayInto(dir, { [KEY.toString()]: log })
  assert.deepEqual(log.appended, [at(2, 2, 1), at(3, 3, 1)])
  assert.equal(stats.appendedBatches, 2)
})

test('rotation: durableSequence counts the appends written by the round that rotated', async (t) => {
  const { journal, first, second } = await appendDuringRotation(t)
  await first
  await second()
  try {
    assert.equal(journal.durableSequence, 3)
  } finally {
    await journal.close(true)
  }
})

test('many rotations with reused files: only the current file is left, and it replays the newest entries', async (t) => {
  const dir = journalDir(t)
  const journal = openJournal(dir, { fileBytes: 200 })
  const member = durableMember()
  let seq = 0
  for (let i = 0; i < 40; i++) {
    seq = journal.append(member, KEY, i, at(i, i, 1))
    if (i % 3 === 2) await journal.waitFor(seq) // rounds of three entries (~360 bytes): each round starts a file
  }
  await journal.waitFor(seq)
  await journal.close(false)
  const files = walFiles(dir)
  assert.equal(files.length, 1, `left: ${files.join(', ')}`)
  assert.ok(Number(files[0]!.slice(0, 20)) >= 14, 'every round started a file')
  // The last round (offset 39 alone) went to the current file; a reused file's older entries are not replayed.
  const log = new MemoryLog(firstBaseOffset(join(dir, files[0]!)))
  const { stats } = await replayInto(dir, { [KEY.toString()]: log })
  assert.equal(log.logEndOffset, 40)
  assert.equal(stats.gaps, 0)
  assert.deepEqual(log.appended, [at(39, 39, 1)])
})

// ---- close ----

test('close(true) removes every journal file; close(false) keeps them; a closed journal refuses appends', async (t) => {
  const dir = journalDir(t)
  await writeJournal(dir, threeEntries())
  assert.deepEqual(walFiles(dir), [walName(1)])
  const journal = openJournal(dir) // file 1 is a leftover (not replayed), file 2 current
  await journal.waitFor(journal.append(durableMember(), KEY, 6, at(6, 6, 1)))
  await journal.close(true)
  assert.deepEqual(walFiles(dir), [], 'no file is left to replay (they may stay as spares)')
  assert.throws(() => journal.append(durableMember(), KEY, 7, at(7, 7, 1)), /closed/)

  const kept = openJournal(dir)
  const [current] = walFiles(dir)
  assert.ok(current !== undefined && Number(current.slice(0, 20)) > 0)
  await kept.waitFor(kept.append(durableMember(), KEY, 0, at(0, 1, 1)))
  await kept.close(false)
  assert.deepEqual(walFiles(dir), [current])
  const log = new MemoryLog(0)
  const { stats } = await replayInto(dir, { [KEY.toString()]: log })
  assert.equal(stats.entries, 1)
  assert.deepEqual(log.appended, [at(0, 1, 1)])
})

test('a write error fails the waiter and every later append; close(true) then keeps the files', async (t) => {
  const dir = journalDir(t)
  const journal = openJournal(dir)
  const offset = await settleOnSpare(journal, dir)
  const [current] = walFiles(dir)
  const file = (journal as unknown as { file: { fd: number } }).file
  const fd = file.fd
  let closed = false
  t.after(async () => { if (!closed) { file.fd = fd; await journal.close(false) } }) // when an assertion failed
  file.fd = 0x3fffffff // EBADF on the next write
  const seq = journal.append(durableMember(), KEY, offset, at(offset, 2, 1))
  await assert.rejects(within(journal.waitFor(seq), 'waiter of the failing round'), { code: 'EBADF' })
  assert.equal((journal.error as NodeJS.ErrnoException).code, 'EBADF')
  await assert.rejects(journal.waitFor(seq), { code: 'EBADF' })
  await assert.rejects(journal.waitFor(1), { code: 'EBADF' }, 'every waiter, even for appends written before')
  assert.throws(() => journal.append(durableMember(), KEY, offset + 1, at(offset + 1, 3, 1)), { code: 'EBADF' })
  file.fd = fd
  closed = true
  await journal.close(true)
  assert.deepEqual(walFiles(dir), [current], 'not clean: kept for replay')
})

test('open removes a spare whose zero-filling a crash interrupted, and never replays spares', async (t) => {
  const dir = journalDir(t)
  await writeJournal(dir, threeEntries())
  writeFileSync(join(dir, walName(0) + '.1-0.filling'), Buffer.alloc(100))
  renameSync(join(dir, walName(1)), join(dir, walName(1) + '.free')) // a retired file kept for reuse
  const log = new MemoryLog(0)
  const { stats } = await replayInto(dir, { [KEY.toString()]: log })
  assert.equal(stats.files, 0)
  assert.deepEqual(log.appended, [])
  assert.ok(!readdirSync(dir).some((name) => name.endsWith('.filling')))
})

// ---- replay ----

test('replay appends exactly what the partition lacks, from its log end', async (t) => {
  const dir = journalDir(t)
  const entries = threeEntries()
  await writeJournal(dir, entries)
  const log = new MemoryLog(0)
  const { stats, warnings } = await replayInto(dir, { [KEY.toString()]: log })
  assert.deepEqual(stats, { files: 1, entries: 3, appendedBatches: 4, appendedBytes: entries.reduce((n, e) => n + e.records.length, 0), orphanEntries: 0, gaps: 0 })
  assert.deepEqual(warnings, [])
  assert.deepEqual(log.appended, entries.map((e) => e.records))
  assert.equal(log.logEndOffset, 6)
  assert.deepEqual(walFiles(dir), [walName(2)], 'the replayed file is retired once the partition is durable')
})

test('replay skips entries the partition already has', async (t) => {
  const dir = journalDir(t)
  await writeJournal(dir, threeEntries())
  const complete = new MemoryLog(6)
  const { stats } = await replayInto(dir, { [KEY.toString()]: complete })
  assert.equal(stats.entries, 3)
  assert.equal(stats.appendedBatches, 0)
  assert.equal(stats.appendedBytes, 0)
  assert.deepEqual(complete.appended, [])
  assert.equal(complete.logEndOffset, 6)

  const dir2 = journalDir(t)
  const entries = threeEntries()
  await writeJournal(dir2, entries)
  const behind = new MemoryLog(5) // lost only the last entry
  const { stats: stats2 } = await replayInto(dir2, { [KEY.toString()]: behind })
  assert.equal(stats2.appendedBatches, 1)
  assert.deepEqual(behind.appended, [entries[2]!.records])
})

test('replay of an entry whose first batch the partition has appends only the missing batches', async (t) => {
  const dir = journalDir(t)
  const entries = threeEntries()
  await writeJournal(dir, entries)
  const log = new MemoryLog(3) // has [0, 2) and the first batch of the second entry, offset 2
  const { stats } = await replayInto(dir, { [KEY.toString()]: log })
  const secondBatch = at(3, 3, 2)
  assert.deepEqual(log.appended, [secondBatch, entries[2]!.records])
  assert.equal(stats.appendedBatches, 2)
  assert.equal(stats.appendedBytes, secondBatch.length + entries[2]!.records.length)
  assert.equal(stats.gaps, 0)
  assert.equal(log.logEndOffset, 6)
})

test('replay: entries of unknown partitions are orphans, other partitions are still replayed', async (t) => {
  const dir = journalDir(t)
  await writeJournal(dir, [
    { key: OTHER_KEY, records: at(0, 1, 1), lastOffset: 0 },
    { key: KEY, records: at(0, 2, 2), lastOffset: 1 },
    { key: OTHER_KEY, records: at(1, 3, 1), lastOffset: 1 }
  ])
  const log = new MemoryLog(0)
  const { stats, warnings } = await replayInto(dir, { [KEY.toString()]: log })
  assert.equal(stats.entries, 3)
  assert.equal(stats.orphanEntries, 2)
  assert.equal(stats.appendedBatches, 1)
  assert.deepEqual(log.appended, [at(0, 2, 2)])
  assert.deepEqual(warnings, [])
  assert.deepEqual(walFiles(dir), [walName(2)], 'a file with orphans only for the rest is retired as well')
})

test('replay: an entry beyond the log end (a gap) is counted, reported and skipped', async (t) => {
  const dir = journalDir(t)
  await writeJournal(dir, [
    { key: KEY, records: at(10, 1, 2), lastOffset: 11 },
    { key: KEY, records: at(12, 2, 1), lastOffset: 12 }
  ])
  const log = new MemoryLog(4)
  const { stats, warnings } = await replayInto(dir, { [KEY.toString()]: log })
  assert.equal(stats.gaps, 2)
  assert.equal(stats.appendedBatches, 0)
  assert.deepEqual(log.appended, [])
  assert.equal(log.logEndOffset, 4)
  assert.equal(warnings.length, 2)
  assert.match(warnings[0]!, new RegExp(`${KEY.toString()} continues at offset 10 but its log ends at 4; entry skipped`))

  // A log end inside a batch cannot be continued from either.
  const dir2 = journalDir(t)
  await writeJournal(dir2, [{ key: KEY, records: at(0, 1, 3), lastOffset: 2 }])
  const inside = new MemoryLog(1)
  const { stats: stats2 } = await replayInto(dir2, { [KEY.toString()]: inside })
  assert.equal(stats2.gaps, 1)
  assert.deepEqual(inside.appended, [])
})

/** Base offset of the first batch of the first entry of a journal file. */
function firstBaseOffset (file: string): number {
  const data = readFileSync(file)
  return Number(data.readBigInt64BE(HEADER + data.readUInt16BE(20)))
}

/** The byte position of each entry in a file written by writeJournal. */
function entryStarts (entries: Written[]): number[] {
  const starts: number[] = []
  let pos = 0
  for (const e of entries) { starts.push(pos); pos += entrySize(e.key, e.records) }
  starts.push(pos)
  return starts
}

test('replay stops cleanly at a torn tail: a cut entry, zeros, or garbage', async (t) => {
  const entries = threeEntries()
  const starts = entryStarts(entries)
  const cases: Array<{ name: string, damage: (file: string) => void, replayed: number }> = [
    { name: 'cut inside the records', damage: (file) => truncateSync(file, starts[2]! + HEADER + KEY.length + 10), replayed: 2 },
    { name: 'cut inside the header', damage: (file) => truncateSync(file, starts[1]! + 7), replayed: 1 },
    { name: 'cut inside the size field', damage: (file) => truncateSync(file, starts[2]! + 2), replayed: 2 },
    { name: 'zero-filled tail', damage: (file) => appendFileSync(file, Buffer.alloc(8192)), replayed: 3 },
    { name: 'zeros over the last entry', damage: (file) => { truncateSync(file, starts[2]!); appendFileSync(file, Buffer.alloc(4096)) }, replayed: 2 },
    { name: 'garbage tail', damage: (file) => appendFileSync(file, Buffer.from('not a journal entry, only noise '.repeat(40))), replayed: 3 }
  ]
  for (const c of cases) {
    const dir = journalDir(t)
    await writeJournal(dir, entries)
    c.damage(join(dir, walName(1)))
    const log = new MemoryLog(0)
    const { stats, warnings } = await replayInto(dir, { [KEY.toString()]: log })
    assert.equal(stats.entries, c.replayed, c.name)
    assert.deepEqual(log.appended, entries.slice(0, c.replayed).map((e) => e.records), c.name)
    assert.deepEqual(warnings, [], c.name)
  }
})

test('replay stops at an entry with a corrupt header, size or batch: nothing after it is offered', async (t) => {
  const entries = threeEntries()
  const starts = entryStarts(entries)
  const flip = (file: string, pos: number): void => {
    const data = readFileSync(file)
    data[pos] = data[pos]! ^ 0x01
    writeFileSync(file, data)
  }
  const cases: Array<{ name: string, damage: (file: string) => void, warns: boolean }> = [
    { name: 'header CRC field', damage: (file) => flip(file, starts[1]! + 5), warns: false },
    { name: 'reserved field (covered by the CRC)', damage: (file) => flip(file, starts[1]! + 17), warns: false },
    { name: 'key byte', damage: (file) => flip(file, starts[1]! + HEADER + 3), warns: false },
    { name: 'size field', damage: (file) => flip(file, starts[1]! + 3), warns: false },
    { name: 'a record byte (batch CRC)', damage: (file) => flip(file, starts[2]! - 3), warns: true }
  ]
  for (const c of cases) {
    const dir = journalDir(t)
    await writeJournal(dir, entries)
    c.damage(join(dir, walName(1)))
    const log = new MemoryLog(0)
    const { stats, warnings } = await replayInto(dir, { [KEY.toString()]: log })
    assert.equal(stats.entries, 1, c.name)
    assert.deepEqual(log.appended, [entries[0]!.records], c.name)
    assert.equal(warnings.length, c.warns ? 1 : 0, c.name)
    if (c.warns) assert.match(warnings[0]!, new RegExp(`entry at byte ${starts[1]} has invalid batches`))
  }
})

test('replay ignores a file whose entries carry another file number (stale bytes, a copied file)', async (t) => {
  const dir = journalDir(t)
  const entries = threeEntries()
  await writeJournal(dir, entries)
  copyFileSync(join(dir, walName(1)), join(dir, walName(7)))
  const log = new MemoryLog(0)
  const { stats } = await replayInto(dir, { [KEY.toString()]: log })
  assert.equal(stats.files, 2)
  assert.equal(stats.entries, 3, 'file 7 yields nothing')
  assert.deepEqual(log.appended, entries.map((e) => e.records), 'each entry once')
  assert.deepEqual(walFiles(dir), [walName(8)])

  // Alone under the wrong number, nothing is replayed.
  const dir2 = journalDir(t)
  await writeJournal(dir2, entries)
  copyFileSync(join(dir2, walName(1)), join(dir2, walName(2)))
  rmSync(join(dir2, walName(1)))
  const alone = new MemoryLog(0)
  const { stats: stats2 } = await replayInto(dir2, { [KEY.toString()]: alone })
  assert.equal(stats2.entries, 0)
  assert.deepEqual(alone.appended, [])
})

test('a reused file: entries after the new ones are stale (an older file number) and never replayed', async (t) => {
  const dir = journalDir(t)
  const old = [
    { key: KEY, records: at(0, 1, 2), lastOffset: 1 },
    { key: KEY, records: at(2, 2, 2), lastOffset: 3 },
    { key: KEY, records: at(4, 3, 2), lastOffset: 5 }
  ]
  await writeJournal(dir, old)
  const original = readFileSync(join(dir, walName(1)))
  // File 1 retired and kept for reuse, as a rotation or a clean close leaves it (the only spare).
  for (const name of readdirSync(dir)) if (name.endsWith('.free')) rmSync(join(dir, name))
  renameSync(join(dir, walName(1)), join(dir, walName(1) + '.free'))
  const journal = openJournal(dir)
  assert.deepEqual(walFiles(dir), [walName(2)], 'the spare became file 2')
  const fresh = at(0, 7, 2) // the same size as the first stale entry: the next header read is a stale one
  assert.equal(fresh.length, old[0]!.records.length)
  await journal.waitFor(journal.append(durableMember(), KEY, 1, fresh))
  await journal.close(false)
  const starts = entryStarts(old)
  assert.deepEqual(readFileSync(join(dir, walName(2))).subarray(starts[1], starts[3]), original.subarray(starts[1], starts[3]), 'the stale entries are still in the file')
  const log = new MemoryLog(0)
  const { stats } = await replayInto(dir, { [KEY.toString()]: log })
  assert.equal(stats.entries, 1)
  assert.deepEqual(log.appended, [fresh], 'offsets 2..5 of the old file would have continued the log')
  assert.equal(log.logEndOffset, 2)
})

test('spares are reused: a clean close leaves no file to replay, and the next start replays only its own entries', async (t) => {
  const dir = journalDir(t)
  const first = openJournal(dir)
  await first.waitFor(first.append(durableMember(), KEY, 2, at(0, 1, 3)))
  await first.close(true)
  assert.deepEqual(walFiles(dir), [])
  await writeJournal(dir, [{ key: KEY, records: at(0, 2, 1), lastOffset: 0 }])
  const log = new MemoryLog(0)
  const { stats } = await replayInto(dir, { [KEY.toString()]: log })
  assert.equal(stats.files, 1)
  assert.deepEqual(log.appended, [at(0, 2, 1)])
})

test('replay: files are offered oldest first, and each is retired once its partitions are durable', async (t) => {
  const dir = journalDir(t)
  const journal = openJournal(dir, { fileBytes: 64 })
  const stuck = controlledMember() // keeps file 1 (and 2) from being retired during this run
  await journal.waitFor(journal.append(stuck, KEY, 1, at(0, 1, 2)))
  await journal.waitFor(journal.append(stuck, KEY, 2, at(2, 2, 1)))
  await journal.waitFor(journal.append(stuck, KEY, 3, at(3, 3, 1)))
  assert.deepEqual(walFiles(dir), [walName(1), walName(2), walName(3)])
  stuck.reject(new Error('power failure'))
  await journal.close(false)

  const member = controlledMember()
  const log = new MemoryLog(0, member)
  const replaying = openJournal(dir)
  const stats = replaying.replay((key) => key === KEY.toString() ? log : undefined)
  assert.equal(stats.files, 3)
  assert.deepEqual(log.appended, [at(0, 1, 2), at(2, 2, 1), at(3, 3, 1)])
  assert.deepEqual(member.calls, [1, 2, 3], 'each file waits for the offsets replayed from it')
  await ticks(5)
  assert.deepEqual(walFiles(dir), [walName(1), walName(2), walName(3), walName(4)], 'kept until the partition is durable')
  // A second replay in the same run finds nothing left to offer.
  assert.equal(replaying.replay(() => log).files, 0)
  member.resolve()
  await replaying.close(false)
  assert.deepEqual(walFiles(dir), [walName(4)])
})

test('retired files are kept as spares up to three (a burst then rotates onto reused files), the rest removed', async (t) => {
  const dir = journalDir(t)
  const journal = openJournal(dir, { fileBytes: 64 })
  const stuck = controlledMember() // holds every retirement until the burst is over
  for (let offset = 0; offset < 5; offset++) await journal.waitFor(journal.append(stuck, KEY, offset, at(offset, offset, 1)))
  assert.deepEqual(walFiles(dir), [1, 2, 3, 4, 5].map(walName), 'four full files wait for their partitions')
  const inodes = new Map([1, 2, 3, 4].map((n) => [n, statSync(join(dir, walName(n))).ino]))
  stuck.resolve()
  await within((async () => { while (readdirSync(dir).length > 4) await tick() })(), 'retirements')
  const spares = readdirSync(dir).filter((name) => name.endsWith('.free')).sort()
  assert.equal(spares.length, 3, 'three spares kept')
  assert.deepEqual(walFiles(dir), [walName(5)], 'the fourth retired file is removed')
  // The next rotations take the spares: renamed, never created (the directory holds only inodes it had before).
  const known = new Set([...spares.map((name) => statSync(join(dir, name)).ino), statSync(join(dir, walName(5))).ino])
  for (let offset = 5; offset < 9; offset++) await journal.waitFor(journal.append(durableMember(), KEY, offset, at(offset, offset, 1)))
  assert.ok(walFiles(dir).includes(walName(9)), 'four more rotations')
  for (const name of readdirSync(dir)) assert.ok(known.has(statSync(join(dir, name)).ino), `${name} is a reused file`)
  assert.ok([...known].some((ino) => [...inodes.values()].includes(ino)))
  await journal.close(false)
})
