import { closeSync, existsSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { readInt64, writeInt64 } from '@samsa/protocol'

/**
 * The aborted-transaction index of one partition (Kafka's .txnindex, one file per partition instead of per
 * segment): `<partition dir>/aborted.txnindex`, fixed 32-byte entries producerId · firstOffset · lastOffset ·
 * lastStableOffset (int64 each), in marker order. Entries are appended without fsync: on load, entries at or
 * beyond the replay start are dropped and the replay of the log re-creates them, so a torn or stale tail is harmless.
 */
export interface AbortedTxn { producerId: number, firstOffset: number, lastOffset: number, lastStableOffset: number }

export const ABORTED_INDEX_FILE = 'aborted.txnindex'
const ENTRY_SIZE = 32

export class AbortedIndex {
  /** Sorted by lastOffset (markers are appended in offset order). */
  readonly entries: AbortedTxn[] = []
  private fd: number | null = null

  private constructor (private readonly file: string | null) {}

  /** In-memory only (tests, replay into a scratch state). */
  static memory (): AbortedIndex {
    return new AbortedIndex(null)
  }

  /** Loads the entries that end before `replayStart` and cuts the file after them. */
  static open (dir: string, replayStart: number, logStartOffset: number): AbortedIndex {
    const index = new AbortedIndex(join(dir, ABORTED_INDEX_FILE))
    const file = index.file!
    const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0)
    let kept = 0
    for (let pos = 0; pos + ENTRY_SIZE <= bytes.length; pos += ENTRY_SIZE) {
      const entry = { producerId: readInt64(bytes, pos), firstOffset: readInt64(bytes, pos + 8), lastOffset: readInt64(bytes, pos + 16), lastStableOffset: readInt64(bytes, pos + 24) }
      if (entry.lastOffset >= replayStart) break
      kept = pos + ENTRY_SIZE
      if (entry.lastOffset >= logStartOffset) index.entries.push(entry)
    }
    if (existsSync(file)) {
      index.fd = openSync(file, 'r+')
      if (kept !== bytes.length) ftruncateSync(index.fd, kept)
    }
    index.size = kept
    return index
  }

  private size = 0

  add (entry: AbortedTxn): void {
    this.entries.push(entry)
    if (this.file === null) return
    this.fd ??= openSync(this.file, 'w+') // created with the first aborted transaction
    const bytes = Buffer.allocUnsafe(ENTRY_SIZE)
    writeInt64(bytes, 0, entry.producerId)
    writeInt64(bytes, 8, entry.firstOffset)
    writeInt64(bytes, 16, entry.lastOffset)
    writeInt64(bytes, 24, entry.lastStableOffset)
    writeSync(this.fd, bytes, 0, ENTRY_SIZE, this.size)
    this.size += ENTRY_SIZE
  }

  /**
   * Aborted transactions a read_committed fetch of [fetchOffset, upperBound) must be told about: those ending at
   * or after fetchOffset that began before upperBound. Stops at the first entry whose LSO is ≥ upperBound: every
   * later transaction began at or after that LSO (Kafka's trick to avoid scanning the whole index).
   */
  between (fetchOffset: number, upperBound: number): Array<{ producerId: number, firstOffset: number }> {
    const result: Array<{ producerId: number, firstOffset: number }> = []
    const entries = this.entries
    let lo = 0
    let hi = entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (entries[mid]!.lastOffset < fetchOffset) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < entries.length; i++) {
      const entry = entries[i]!
      if (entry.firstOffset < upperBound) result.push({ producerId: entry.producerId, firstOffset: entry.firstOffset })
      if (entry.lastStableOffset >= upperBound) break
    }
    return result
  }

  /** Entries wholly below the log start can never be fetched (retention, DeleteRecords). Memory only. */
  trimBelow (logStartOffset: number): void {
    let drop = 0
    while (drop < this.entries.length && this.entries[drop]!.lastOffset < logStartOffset) drop++
    if (drop > 0) this.entries.splice(0, drop)
  }

  sync (): void {
    if (this.fd !== null) fdatasyncSync(this.fd)
  }

  close (): void {
    if (this.fd === null) return
    try { fdatasyncSync(this.fd) } finally { closeSync(this.fd) }
    this.fd = null
  }
}
