/**
 * Sparse time index of one segment: (largest batch maxTimestamp seen so far, offset of the batch that carried it)
 * pairs, added at the same sparse points as the offset index and only when the timestamp grew, plus one final
 * entry when the segment is sealed so the last entry always holds the segment's maximum. The `.timeindex` file
 * (12-byte big-endian entries: int64 timestamp, uint32 relative offset — Kafka's layout) is a rebuildable cache,
 * written with the offset index.
 */
import { closeSync, openSync, statSync } from 'node:fs'
import { readInt64, writeInt64 } from '@samsa/protocol'
import { readFully } from './file-scan.js'

export const TIME_INDEX_ENTRY_SIZE = 12

export class TimeIndex {
  readonly baseOffset: number
  private timestamps: Float64Array
  private relOffsets: Uint32Array
  private count = 0

  constructor (baseOffset: number, capacity = 16) {
    this.baseOffset = baseOffset
    this.timestamps = new Float64Array(capacity)
    this.relOffsets = new Uint32Array(capacity)
  }

  get length (): number { return this.count }

  get lastTimestamp (): number {
    return this.count === 0 ? -1 : this.timestamps[this.count - 1]
  }

  get lastOffset (): number {
    return this.count === 0 ? -1 : this.baseOffset + this.relOffsets[this.count - 1]
  }

  /** Adds (timestamp, offset) if the timestamp is larger than the last entry's. */
  maybeAppend (timestamp: number, offset: number): void {
    if (timestamp <= this.lastTimestamp) return
    const rel = offset - this.baseOffset
    if (this.count > 0 && rel < this.relOffsets[this.count - 1]) return
    if (this.count === this.timestamps.length) {
      const timestamps = new Float64Array(this.count * 2)
      timestamps.set(this.timestamps)
      this.timestamps = timestamps
      const relOffsets = new Uint32Array(this.count * 2)
      relOffsets.set(this.relOffsets)
      this.relOffsets = relOffsets
    }
    this.timestamps[this.count] = timestamp
    this.relOffsets[this.count] = rel
    this.count++
  }

  /**
   * Offset from which a search for the first batch with maxTimestamp ≥ `timestamp` may start: the offset of the
   * last entry whose timestamp is < `timestamp` (every batch up to it has a smaller maxTimestamp), or -1 to start
   * at the beginning of the segment.
   */
  searchStart (timestamp: number): number {
    let lo = 0
    let hi = this.count - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.timestamps[mid] < timestamp) { found = mid; lo = mid + 1 } else hi = mid - 1
    }
    return found < 0 ? -1 : this.baseOffset + this.relOffsets[found]
  }

  toBuffer (): Buffer {
    const buf = Buffer.allocUnsafe(this.count * TIME_INDEX_ENTRY_SIZE)
    for (let i = 0; i < this.count; i++) {
      writeInt64(buf, i * TIME_INDEX_ENTRY_SIZE, this.timestamps[i])
      buf.writeUInt32BE(this.relOffsets[i], i * TIME_INDEX_ENTRY_SIZE + 8)
    }
    return buf
  }

  /**
   * Parses a `.timeindex` file; null when it cannot be trusted (odd size, timestamps not increasing, offsets going
   * back, a timestamp ≤ 0 as in a zero-filled file — a genuine 0 only costs a rebuild).
   */
  static fromBuffer (baseOffset: number, buf: Buffer): TimeIndex | null {
    if (buf.length % TIME_INDEX_ENTRY_SIZE !== 0) return null
    const entries = buf.length / TIME_INDEX_ENTRY_SIZE
    const index = new TimeIndex(baseOffset, Math.max(16, entries))
    let prevTs = -Infinity
    let prevRel = 0
    for (let i = 0; i < entries; i++) {
      const timestamp = readInt64(buf, i * TIME_INDEX_ENTRY_SIZE)
      const rel = buf.readUInt32BE(i * TIME_INDEX_ENTRY_SIZE + 8)
      if (timestamp <= prevTs || rel < prevRel || timestamp <= 0) return null
      index.timestamps[i] = timestamp
      index.relOffsets[i] = rel
      prevTs = timestamp
      prevRel = rel
    }
    index.count = entries
    return index
  }
}

/**
 * The timestamp of a `.timeindex` file's last entry — a sealed segment's largest timestamp — read without loading
 * the file; null when the file is missing, empty, of an odd size or ends in an implausible entry.
 */
export function readLastTimestamp (path: string): number | null {
  try {
    const size = statSync(path).size
    if (size === 0 || size % TIME_INDEX_ENTRY_SIZE !== 0) return null
    const fd = openSync(path, 'r')
    try {
      const entry = Buffer.allocUnsafe(TIME_INDEX_ENTRY_SIZE)
      if (readFully(fd, entry, TIME_INDEX_ENTRY_SIZE, size - TIME_INDEX_ENTRY_SIZE) !== TIME_INDEX_ENTRY_SIZE) return null
      const ts = readInt64(entry, 0)
      return ts > 0 ? ts : null
    } finally {
      closeSync(fd)
    }
  } catch {
    return null
  }
}
