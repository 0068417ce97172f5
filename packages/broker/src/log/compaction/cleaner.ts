/**
 * Compaction of one partition log (Kafka's LogCleaner.Cleaner.doClean):
 * 1. map every key of the dirty part [firstDirty, firstUncleanable) to its latest offset (bounded map; when full,
 *    only the mapped prefix is cleaned this time);
 * 2. recopy every non-active segment below the mapped end — the clean part too, so tombstones whose delete horizon
 *    passed disappear — in groups whose total fits segment.bytes, each group into one `.cleaned` segment, keeping
 *    per key only its latest record (see batch-filter.ts); offsets never change;
 * 3. swap each cleaned segment in (see swap.ts), then move the cleaner checkpoint to the mapped end.
 * The active segment is never read or touched. Reads use async I/O and CPU work yields every `sliceMs`, so
 * produce and fetch keep being served while a large log is cleaned.
 */
import { utimes, rm } from 'node:fs/promises'
import {
  ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH_ATTRIBUTES, BATCH_LAST_OFFSET_DELTA, BATCH_MAX_TIMESTAMP, BATCH_PRODUCER_ID,
  BATCH_RECORDS_COUNT, readInt64
} from '@samsa/protocol'
import { CLEANED_SUFFIX, Segment } from '../segment.js'
import { OffsetMap } from './offset-map.js'
import { CleanedTransactions, type AbortedTransaction } from './transactions.js'
import { controlTypeOf, filterBatch, recordsOfBatch, type ActiveProducer, type FilterContext } from './batch-filter.js'
import { forEachRecord } from './record-scan.js'
import { segmentBatches } from './segment-reader.js'
import { commitSwap, finishSwap, type SwapManifest } from './swap.js'
import { cleanableRange, type CleanableLog } from './cleanable.js'

/** What the cleaner needs from a PartitionLog (its `cleanerView`). */
export interface CleanerLogView extends CleanableLog {
  readonly dir: string
  readonly isOpen: boolean
  /** Waits until every rolled segment is fsynced, indexed and closed for writing. */
  settleSealed: () => Promise<void>
  readonly hints: CompactionHints
  /** Synchronously swaps `cleaned` in for `replaced` (files and segment list); see swap.ts step 3. */
  replaceSegments: (replaced: Segment[], cleaned: Segment, manifest: SwapManifest, onRename?: (file: string) => void) => void
  writeCleanerCheckpoint: (offset: number, earliestDeleteHorizon: number) => Promise<void>
}

/**
 * Facts only the producer-state owner knows (producers/): the aborted transactions overlapping [from, to) — their
 * data is discarded and never counts as a key's latest value — and each active producer's last data offset and
 * epoch, whose batch must survive (emptied if need be). Defaults: none.
 */
export interface CompactionHints {
  abortedTransactions: (from: number, to: number) => AbortedTransaction[]
  activeProducers: () => ReadonlyMap<number, ActiveProducer>
}

export const NO_COMPACTION_HINTS: CompactionHints = Object.freeze({ abortedTransactions: () => [], activeProducers: () => new Map() })

export interface CleanerOptions {
  /** Upper bound on distinct keys mapped per clean (memory bound; Kafka: the dedupe buffer). */
  maxOffsetMapKeys?: number
  /** Longest stretch of CPU work between two event-loop yields. */
  sliceMs?: number
  /** Called at each step of the swap protocol (fault injection in tests). */
  hook?: (step: string) => void
}

export interface CleanResult {
  firstDirtyOffset: number
  endOffset: number
  groups: number
  segmentsBefore: number
  segmentsAfter: number
  bytesBefore: number
  bytesAfter: number
  recordsRead: number
  recordsRetained: number
}

export class CleaningAbortedError extends Error {}

const DEFAULT_MAX_KEYS = 1_000_000

export async function cleanLog (log: CleanerLogView, now: number, options: CleanerOptions = {}): Promise<CleanResult | null> {
  const pacer = new Pacer(options.sliceMs ?? 4)
  await log.settleSealed()
  checkOpen(log)
  const range = cleanableRange(log, now)
  const { firstDirtyOffset, firstUncleanableOffset } = range
  const nonActive = log.segments.slice(0, -1)

  const map = new OffsetMap(options.maxOffsetMapKeys ?? DEFAULT_MAX_KEYS)
  map.updateLatestOffset(firstDirtyOffset - 1)
  const dirty = nonActive.filter((s) => s.baseOffset < firstUncleanableOffset && s.nextOffset > firstDirtyOffset)
  await buildOffsetMap(log, dirty, map, firstDirtyOffset, firstUncleanableOffset, pacer)
  const endOffset = map.latestOffset + 1
  if (dirty.length > 0 && endOffset <= firstDirtyOffset) throw new Error(`${log.dir}: offset map too small for one record`)

  const toClean = nonActive.filter((s) => s.baseOffset < endOffset)
  if (toClean.length === 0) return null
  const ctx: FilterContext = {
    map,
    now,
    deleteRetentionMs: log.config.deleteRetentionMs,
    transactions: new CleanedTransactions(log.hints.abortedTransactions(toClean[0].baseOffset, endOffset)),
    activeProducers: log.hints.activeProducers(),
    earliestPendingHorizon: Infinity,
    recordsRead: 0,
    recordsRetained: 0,
    batchesRewritten: 0
  }
  const groups = groupBySize(toClean, log.config.segmentBytes)
  const bytesBefore = toClean.reduce((sum, s) => sum + s.size, 0)
  let bytesAfter = 0
  for (const group of groups) bytesAfter += await cleanGroup(log, group, ctx, pacer, options.hook)
  await log.writeCleanerCheckpoint(endOffset, ctx.earliestPendingHorizon)
  options.hook?.('checkpoint-written')
  return {
    firstDirtyOffset,
    endOffset,
    groups: groups.length,
    segmentsBefore: toClean.length,
    segmentsAfter: groups.length,
    bytesBefore,
    bytesAfter,
    recordsRead: ctx.recordsRead,
    recordsRetained: ctx.recordsRetained
  }
}

async function buildOffsetMap (log: CleanerLogView, dirty: Segment[], map: OffsetMap, start: number, end: number, pacer: Pacer): Promise<void> {
  const transactions = new CleanedTransactions(log.hints.abortedTransactions(start, end))
  for (let i = 0; i < dirty.length; i++) {
    const segment = dirty[i]
    const from = segment.baseOffset < start ? segment.locate(start)?.position ?? segment.size : 0
    for await (const batch of segmentBatches(segment.logPath, from, segment.size)) {
      const attributes = batch.readInt16BE(BATCH_ATTRIBUTES)
      const baseOffset = readInt64(batch, 0)
      const lastOffset = baseOffset + batch.readInt32BE(BATCH_LAST_OFFSET_DELTA)
      const producerId = readInt64(batch, BATCH_PRODUCER_ID)
      if ((attributes & ATTR_CONTROL) !== 0) {
        transactions.onControlBatch(producerId, lastOffset, controlTypeOf(await recordsOfBatch(batch), batch.readInt32BE(BATCH_RECORDS_COUNT)))
      } else if (!transactions.onBatch(producerId, (attributes & ATTR_TRANSACTIONAL) !== 0, lastOffset)) {
        const records = await recordsOfBatch(batch)
        let full = false
        forEachRecord(records, batch.readInt32BE(BATCH_RECORDS_COUNT), (record) => {
          const offset = baseOffset + record.offsetDelta
          if (full || record.keyLength < 0 || offset < start) return
          if (!map.put(records, record.keyStart, record.keyLength, offset)) full = true
        })
        if (full) return
      }
      if (lastOffset >= start) map.updateLatestOffset(lastOffset)
      await pacer.maybeYield()
      checkOpen(log)
    }
    // Offsets may have gaps (an earlier clean): everything up to the next segment is covered.
    map.updateLatestOffset((i + 1 < dirty.length ? dirty[i + 1].baseOffset : end) - 1)
  }
}

/**
 * Recopies `group` into one cleaned segment and swaps it in; returns the resulting size. A single segment that
 * comes out byte-identical (an already clean part re-checked) is left in place: no rewrite, no swap.
 */
async function cleanGroup (log: CleanerLogView, group: Segment[], ctx: FilterContext, pacer: Pacer, hook?: (step: string) => void): Promise<number> {
  const base = group[0].baseOffset
  const last = group[group.length - 1]
  const out = Segment.create(log.dir, base, log.config.indexIntervalBytes, { suffix: CLEANED_SUFFIX, keepOpen: true, createdMs: group[0].createdMs })
  const manifest: SwapManifest = { replaced: group.map((s) => s.baseOffset), cleaned: [base] }
  let changed = group.length > 1
  try {
    const pending: Buffer[] = []
    let pendingBytes = 0
    const flush = (): void => {
      if (pending.length === 0) return
      const position = out.size
      out.write(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes))
      let at = position
      for (const batch of pending) {
        const baseOffset = readInt64(batch, 0)
        out.trackBatch(baseOffset, baseOffset + batch.readInt32BE(BATCH_LAST_OFFSET_DELTA), at, batch.length, readInt64(batch, BATCH_MAX_TIMESTAMP))
        at += batch.length
      }
      pending.length = 0
      pendingBytes = 0
    }
    for (const segment of group) {
      for await (const batch of segmentBatches(segment.logPath, 0, segment.size)) {
        const kept = await filterBatch(batch, ctx)
        if (kept !== batch) changed = true
        if (kept !== null) {
          pending.push(kept === batch ? Buffer.from(batch) : kept) // the reader reuses its chunk
          pendingBytes += kept.length
          if (pendingBytes >= 1 << 20) flush()
        }
        await pacer.maybeYield()
        checkOpen(log)
      }
    }
    flush()
    if (!changed) {
      out.release()
      await Promise.all([out.logPath, out.indexPath, out.timeIndexPath].map(async (path) => await rm(path, { force: true })))
      return last.size
    }
    out.seal()
    await out.datasync()
    await out.persistIndexes()
    out.closeWriter()
    // Keep the replaced segments' modification time: retention falls back to it for segments without timestamps.
    const mtime = new Date(last.lastModifiedMs())
    await utimes(out.logPath, mtime, mtime)
    checkOpen(log)
    hook?.(`cleaned-written ${base}`)
    await commitSwap(log.dir, manifest)
  } catch (error) {
    out.release()
    await Promise.all([out.logPath, out.indexPath, out.timeIndexPath].map(async (path) => await rm(path, { force: true })))
    throw error
  }
  // Committed: from here on the cleaned segment wins (recovery would finish the swap), even if the log is closing.
  hook?.(`swap-committed ${base}`)
  log.replaceSegments(group, out, manifest, (file) => hook?.(`renamed ${file.slice(log.dir.length + 1)}`))
  hook?.(`swap-applied ${base}`)
  await finishSwap(log.dir)
  hook?.(`swap-finished ${base}`)
  return out.size
}

/** Consecutive segments whose total size fits `maxBytes` and whose offsets fit one segment's relative range. */
export function groupBySize (segments: Segment[], maxBytes: number): Segment[][] {
  const groups: Segment[][] = []
  let i = 0
  while (i < segments.length) {
    const group = [segments[i]]
    let bytes = segments[i].size
    i++
    while (i < segments.length && bytes + segments[i].size <= maxBytes &&
      (segments[i].size === 0 || segments[i].nextOffset - 1 - group[0].baseOffset <= 0x7fffffff)) {
      group.push(segments[i])
      bytes += segments[i].size
      i++
    }
    groups.push(group)
  }
  return groups
}

function checkOpen (log: CleanerLogView): void {
  if (!log.isOpen) throw new CleaningAbortedError(`${log.dir}: log closed during cleaning`)
}

/** Yields to the event loop once `sliceMs` of synchronous work has accumulated. */
class Pacer {
  private readonly sliceMs: number
  private sliceStart = performance.now()

  constructor (sliceMs: number) {
    this.sliceMs = sliceMs
  }

  async maybeYield (): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) return
    await new Promise((resolve) => setImmediate(resolve))
    this.sliceStart = performance.now()
  }
}
