/**
 * The journal's file format (see journal.ts for the journal itself). File `<20-digit number>.wal`; entries back to
 * back (big-endian):
 *   u32 size (bytes after this field) | u32 CRC-32C of [8, 22 + key length) | u32 file number (low 32 bits)
 *   | u32 records length | i32 reserved (0) | u16 key length | key (utf8) | records (RecordBatch v2 as appended)
 * The header has its own CRC; the records are covered by their batches' CRCs, checked on replay, so the produce
 * path computes no checksum over the data. The file number in every entry ends a replay at the stale bytes of a
 * reused file.
 */
import { BATCH_LAST_OFFSET_DELTA, BATCH_LENGTH, BATCH_LOG_OVERHEAD, crc32cOf, readInt64, scanBatches } from '@samsa/protocol'

/** Fixed part of an entry: size, crc, file number, records length, reserved, key length. */
export const HEADER_SIZE = 22
export const SIZE_FIELD = 4
export const CRC_FROM = 8
export const FILE_NAME = /^(\d{20})\.wal$/

/** A partition as the journal sees it: what must be durable before a journal file may go. */
export interface JournalMember {
  /** Resolves once the partition's segments hold every offset ≤ `offset` durably, or the partition is gone. */
  segmentsDurable: (offset: number) => Promise<void>
}

/** A partition as replay sees it. */
export interface ReplayTarget {
  readonly logEndOffset: number
  readonly member: JournalMember
  /** Appends batches whose offsets are already assigned and start at logEndOffset; not journaled again. */
  appendRecovered: (records: Buffer) => void
}

export function fileName (number: number): string {
  return String(number).padStart(20, '0') + '.wal'
}

interface Entry { key: string, records: Buffer }

/** Valid entries of one file, in order; stops at the first torn or foreign entry (the file's end for a reader). */
export function * readEntries (data: Buffer, number: number, warn: (why: string) => void): Generator<Entry> {
  let pos = 0
  while (pos + HEADER_SIZE <= data.length) {
    const size = data.readUInt32BE(pos)
    const keyLength = data.readUInt16BE(pos + 20)
    const headerEnd = pos + HEADER_SIZE + keyLength
    const end = pos + SIZE_FIELD + size
    if (size < HEADER_SIZE - SIZE_FIELD || headerEnd > data.length || end > data.length) break // torn tail
    if (crc32cOf(data.subarray(pos + CRC_FROM, headerEnd)) !== data.readUInt32BE(pos + 4) || data.readUInt32BE(pos + 8) !== (number >>> 0)) break
    const recordsLength = data.readUInt32BE(pos + 12)
    if (HEADER_SIZE - SIZE_FIELD + keyLength + recordsLength !== size) break
    const records = data.subarray(headerEnd, end)
    const scan = scanBatches(records, 0, records.length, true)
    if (scan.stopReason !== 0 || scan.batchCount === 0) {
      if (end < data.length) warn(`entry at byte ${pos} has invalid batches; the rest of the file is ignored`)
      break
    }
    yield { key: data.toString('utf8', pos + HEADER_SIZE, headerEnd), records }
    pos = end
  }
}

/** Appends the part of `records` the target lacks (batches from its log end on). */
export function replayEntry (target: ReplayTarget, records: Buffer): { batches: number, bytes: number, lastOffset: number, gap: boolean, gapAt: number } {
  let pos = 0
  let lastOffset = -1
  while (pos < records.length) {
    const base = readInt64(records, pos)
    const last = base + records.readInt32BE(pos + BATCH_LAST_OFFSET_DELTA)
    const size = records.readInt32BE(pos + BATCH_LENGTH) + BATCH_LOG_OVERHEAD
    lastOffset = last
    if (last < target.logEndOffset) { pos += size; continue } // already in the segment
    if (base !== target.logEndOffset) return { batches: 0, bytes: 0, lastOffset, gap: true, gapAt: base }
    const rest = records.subarray(pos)
    const batches = scanBatches(rest, 0, rest.length, false).batchCount
    target.appendRecovered(Buffer.from(rest)) // a copy: the file's buffer is large and short-lived
    return { batches, bytes: rest.length, lastOffset: target.logEndOffset - 1, gap: false, gapAt: -1 }
  }
  return { batches: 0, bytes: 0, lastOffset, gap: false, gapAt: -1 }
}
