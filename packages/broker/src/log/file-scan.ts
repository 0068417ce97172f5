/**
 * Sequential walks over a segment file with synchronous pread. Two flavours:
 * - scanHeaders: trusts the file (bytes below the segment's recovered size), reads only batch headers — used by
 *   reads and timestamp look-ups to step from an index entry to the wanted batch (a few KiB at most).
 * - scanValidBatches: distrusts the file (crash recovery, index rebuild): checks structure, CRC-32C and offset
 *   order of every batch and reports where the valid prefix ends.
 */
import { readSync } from 'node:fs'
import {
  BATCH_HEADER_SIZE, BATCH_LENGTH, BATCH_LOG_OVERHEAD, BATCH_LAST_OFFSET_DELTA, BATCH_MAGIC, BATCH_MAX_TIMESTAMP,
  checkBatchAt, readInt64
} from '@samsa/protocol'

/** One buffer reused by every header scan: all users are synchronous, so it is never shared concurrently. */
const scratch = Buffer.allocUnsafe(64 * 1024)

export class CorruptSegmentError extends Error {}

/** Batch visitor: `buf[at..]` holds at least the 61-byte header of the batch at file position `position`. */
export type HeaderVisitor = (buf: Buffer, at: number, position: number, size: number) => boolean

/**
 * Visits the headers of the batches in [from, to) until `visit` returns true; returns the file position of the
 * batch that stopped the walk, or -1 when the walk reached `to`.
 */
export function scanHeaders (fd: number, from: number, to: number, visit: HeaderVisitor): number {
  let pos = from
  while (pos < to) {
    const n = readFully(fd, scratch, Math.min(scratch.length, to - pos), pos)
    if (n < BATCH_HEADER_SIZE) throw new CorruptSegmentError(`truncated batch header at position ${pos}`)
    let p = 0
    while (p + BATCH_HEADER_SIZE <= n) {
      const size = scratch.readInt32BE(p + BATCH_LENGTH) + BATCH_LOG_OVERHEAD
      if (size < BATCH_HEADER_SIZE) throw new CorruptSegmentError(`impossible batch length at position ${pos + p}`)
      if (visit(scratch, p, pos + p, size)) return pos + p
      p += size
    }
    pos += p // may jump past the chunk when a batch is larger than the scratch buffer
  }
  return -1
}

export interface ValidBatch {
  baseOffset: number
  lastOffset: number
  position: number
  size: number
  maxTimestamp: number
}

export interface ValidScan {
  /** End of the valid prefix: the file should be truncated here. */
  validEnd: number
  /** Offset after the last valid batch (or the `nextOffset` passed in when none). */
  nextOffset: number
  /** 0 when the whole range was valid, else checkBatchAt's code (-1 torn, -2 invalid, -3 CRC) or -4 (offset order). */
  stopReason: number
}

const RECOVERY_CHUNK = 1 << 20

/**
 * Walks [from, fileSize) verifying every batch; calls onBatch for each valid one in order. Stops at the first torn
 * (incomplete), zero-filled, malformed or CRC-failing batch, or one whose offsets go backwards or leave the range
 * a segment can index (relative offsets are uint32).
 */
export function scanValidBatches (fd: number, from: number, fileSize: number, segmentBase: number, nextOffset: number,
  onBatch: (batch: ValidBatch) => void): ValidScan {
  let chunk = Buffer.allocUnsafe(Math.min(RECOVERY_CHUNK, Math.max(BATCH_HEADER_SIZE, fileSize - from)))
  let chunkPos = from // file position of chunk[0]
  let chunkLen = 0
  let p = 0 // cursor inside the chunk
  let stopReason = 0
  let expected = nextOffset
  while (chunkPos + p < fileSize) {
    let size = checkBatchAt(chunk, p, chunkLen)
    if (size === -1) {
      // Incomplete inside the chunk: refill from this batch's start; a batch larger than a chunk gets its own buffer.
      chunkPos += p
      p = 0
      const available = fileSize - chunkPos
      const want = Math.min(RECOVERY_CHUNK, available)
      if (want > chunk.length) chunk = Buffer.allocUnsafe(want)
      chunkLen = readFully(fd, chunk, want, chunkPos)
      if (chunkLen >= BATCH_HEADER_SIZE && chunk[BATCH_MAGIC] === 2) {
        const total = chunk.readInt32BE(BATCH_LENGTH) + BATCH_LOG_OVERHEAD
        if (total > available) { stopReason = -1; break } // torn: announces more bytes than the file holds
        if (total > chunkLen) {
          const bigger = Buffer.allocUnsafe(total)
          chunk.copy(bigger, 0, 0, chunkLen)
          chunkLen += readFully(fd, bigger.subarray(chunkLen), total - chunkLen, chunkPos + chunkLen)
          chunk = bigger
        }
      }
      size = checkBatchAt(chunk, 0, chunkLen)
      if (size === -1) { stopReason = -1; break } // still incomplete with everything the file holds
    }
    if (size < 0) { stopReason = size; break }
    const baseOffset = readInt64(chunk, p)
    const lastOffset = baseOffset + chunk.readInt32BE(p + BATCH_LAST_OFFSET_DELTA)
    if (baseOffset < expected || lastOffset - segmentBase > 0xffffffff) { stopReason = -4; break }
    onBatch({ baseOffset, lastOffset, position: chunkPos + p, size, maxTimestamp: readInt64(chunk, p + BATCH_MAX_TIMESTAMP) })
    expected = lastOffset + 1
    p += size
  }
  return { validEnd: chunkPos + p, nextOffset: expected, stopReason }
}

/** pread until `length` bytes or end of file; returns the bytes read. */
export function readFully (fd: number, buf: Buffer, length: number, position: number): number {
  let done = 0
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done
}
