/**
 * Sparse offset index of one segment: (offset relative to the segment's base, file position) pairs, one per
 * ~indexIntervalBytes of log, always pointing at the first byte of a batch. Kept in growable typed arrays and
 * searched in memory; the `.index` file (8-byte big-endian entries, Kafka's layout) is only a cache that saves a
 * scan on startup. It can always be rebuilt from the `.log`, so it is written when a segment is sealed or the log
 * is closed, never on the append path.
 */
export const OFFSET_INDEX_ENTRY_SIZE = 8

export class OffsetIndex {
  readonly baseOffset: number
  private relOffsets: Uint32Array
  private positions: Uint32Array
  private count = 0

  constructor (baseOffset: number, capacity = 16) {
    this.baseOffset = baseOffset
    this.relOffsets = new Uint32Array(capacity)
    this.positions = new Uint32Array(capacity)
  }

  get length (): number { return this.count }

  get lastOffset (): number {
    return this.count === 0 ? -1 : this.baseOffset + this.relOffsets[this.count - 1]
  }

  get lastPosition (): number {
    return this.count === 0 ? 0 : this.positions[this.count - 1]
  }

  /** Adds an entry; entries at or before the last one are ignored (recovery re-visits the last indexed batch). */
  append (offset: number, position: number): void {
    const rel = offset - this.baseOffset
    if (this.count > 0 && (rel <= this.relOffsets[this.count - 1] || position <= this.positions[this.count - 1])) return
    if (this.count === this.relOffsets.length) {
      const relOffsets = new Uint32Array(this.count * 2)
      relOffsets.set(this.relOffsets)
      this.relOffsets = relOffsets
      const positions = new Uint32Array(this.count * 2)
      positions.set(this.positions)
      this.positions = positions
    }
    this.relOffsets[this.count] = rel
    this.positions[this.count] = position
    this.count++
  }

  /**
   * File position of the last indexed batch whose base offset is ≤ offset, or 0 (segment start). The batch that
   * contains `offset` starts at or after the returned position.
   */
  lookup (offset: number): number {
    const rel = offset - this.baseOffset
    let lo = 0
    let hi = this.count - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.relOffsets[mid] <= rel) { found = mid; lo = mid + 1 } else hi = mid - 1
    }
    return found < 0 ? 0 : this.positions[found]
  }

  toBuffer (): Buffer {
    const buf = Buffer.allocUnsafe(this.count * OFFSET_INDEX_ENTRY_SIZE)
    for (let i = 0; i < this.count; i++) {
      buf.writeUInt32BE(this.relOffsets[i], i * OFFSET_INDEX_ENTRY_SIZE)
      buf.writeUInt32BE(this.positions[i], i * OFFSET_INDEX_ENTRY_SIZE + 4)
    }
    return buf
  }

  /**
   * Parses an `.index` file; returns null when it cannot be trusted (odd size, entries not strictly increasing,
   * an entry at position 0 — a zero-filled file — or a position past the end of the log).
   */
  static fromBuffer (baseOffset: number, buf: Buffer, logSize: number): OffsetIndex | null {
    if (buf.length % OFFSET_INDEX_ENTRY_SIZE !== 0) return null
    const entries = buf.length / OFFSET_INDEX_ENTRY_SIZE
    const index = new OffsetIndex(baseOffset, Math.max(16, entries))
    let prevRel = 0
    let prevPos = 0
    for (let i = 0; i < entries; i++) {
      const rel = buf.readUInt32BE(i * OFFSET_INDEX_ENTRY_SIZE)
      const position = buf.readUInt32BE(i * OFFSET_INDEX_ENTRY_SIZE + 4)
      if (rel <= prevRel || position <= prevPos || position >= logSize) return null
      index.relOffsets[i] = rel
      index.positions[i] = position
      prevRel = rel
      prevPos = position
    }
    index.count = entries
    return index
  }
}
