import { dirname } from 'node:path'
import { Segment } from './segment.js'
import { syncDirectory } from './dir-sync.js'
import { applySwap, type SwapManifest } from './compaction/swap.js'

/**
 * The segments of one partition directory, oldest first, the last one active, and what changes that list: rolls
 * (a rolled segment is fsynced, then its index files written, by the next group-commit round), removal of the
 * oldest segments (retention) and replacement of a run of segments by a cleaned one (compaction). Every change of
 * the list is synchronous, so a read (also synchronous) sees either the old or the new list.
 */
export class SegmentList {
  readonly dir: string
  readonly items: Segment[]
  active: Segment
  /** Rolled segments whose .log still has to be fsynced before their index files may be written. */
  private sealedPendingSync: Segment[] = []
  /** Entries were created, renamed or removed: the directory needs an fsync. */
  dirNeedsSync: boolean
  /** The directory itself is new: its parent needs an fsync. */
  private parentNeedsSync: boolean

  constructor (dir: string, segments: Segment[], created: boolean, repaired: boolean) {
    this.dir = dir
    this.items = segments
    this.active = segments[segments.length - 1]
    this.dirNeedsSync = created || repaired
    this.parentNeedsSync = created
  }

  get totalBytes (): number { return this.items.reduce((sum, s) => sum + s.size, 0) }

  /** Index of the segment whose base offset is the largest ≤ offset (0 if offset precedes every segment). */
  indexFor (offset: number): number {
    let lo = 0
    let hi = this.items.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (this.items[mid].baseOffset <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** Seals the active segment and starts a new one at `nextOffset` (the caller asks for a sync). */
  roll (nextOffset: number, indexIntervalBytes: number, createdMs: number, keepOpen: boolean): void {
    const old = this.active
    old.seal()
    const next = Segment.create(this.dir, nextOffset, indexIntervalBytes, { keepOpen, createdMs })
    this.items.push(next)
    this.active = next
    this.sealedPendingSync.push(old)
    this.dirNeedsSync = true
  }

  /** Some rolled segment still waits for its fsync (its writer is closed afterwards). */
  get hasUnsyncedSealed (): boolean {
    return this.sealedPendingSync.length > 0 || this.items.some((s) => s !== this.active && s.appendable)
  }

  /**
   * The file work of one group-commit round: rolled segments (fsync, then index files, then close), directory
   * entries, then the active segment if it has bytes beyond `durableOffset` (up to `end`).
   */
  async sync (end: number, durableOffset: number): Promise<void> {
    const active = this.active
    const sealed = this.sealedPendingSync.splice(0)
    for (const segment of sealed) {
      await segment.datasync()
      await segment.persistIndexes()
      segment.closeWriter()
    }
    if (this.dirNeedsSync) {
      this.dirNeedsSync = false
      await syncDirectory(this.dir)
    }
    if (this.parentNeedsSync) {
      this.parentNeedsSync = false
      await syncDirectory(dirname(this.dir))
    }
    if (active.appendable && end > durableOffset) await active.datasync()
  }

  /** Takes the `count` oldest (sealed, synced) segments out; returns their files, renamed `.deleted`. */
  removeOldest (count: number): string[] {
    const removed = this.items.splice(0, count)
    this.dirNeedsSync = true
    return removed.flatMap((segment) => segment.renameForDeletion())
  }

  /** Compaction's swap (see compaction/swap.ts step 3); returns the replaced files, renamed `.deleted`. */
  replace (replaced: Segment[], cleaned: Segment, manifest: SwapManifest, onRename?: (file: string) => void): string[] {
    const at = this.items.indexOf(replaced[0])
    if (at < 0 || replaced.some((segment, i) => this.items[at + i] !== segment)) throw new Error(`${this.dir}: replaced segments are no longer in the log`)
    for (const segment of replaced) segment.release()
    const deleted = applySwap(this.dir, manifest, onRename)
    this.items.splice(at, replaced.length, cleaned.promote(replaced[replaced.length - 1].nextOffset))
    return deleted
  }

  releaseAll (): void {
    for (const segment of this.items) segment.release()
  }
}
