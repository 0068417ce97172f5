import { BATCH_HEADER_SIZE, BATCH_LENGTH, BATCH_LOG_OVERHEAD } from '@samsa/protocol'
import type { Segment } from './segment.js'
import { readFully } from './file-scan.js'
import { returnReadBuffer, takeReadBuffer } from './read-buffers.js'

const EMPTY = Buffer.alloc(0)

/**
 * Fetch read: whole batches beginning with the one that contains `offset`, while the total stays ≤ maxBytes (the
 * first batch always, whatever its size, unless `firstMustFit`), continuing into later segments. One Buffer sized
 * up front, filled by pread straight from the segment files, cut back to the last complete batch; no per-batch or
 * per-record objects. The Buffer may be a recycled slab (read-buffers.ts) that the connection takes back once it
 * has been sent.
 */
export function readBatches (segments: Segment[], startIndex: number, offset: number, maxBytes: number, firstMustFit = false): Buffer {
  let i = startIndex
  let first: { position: number, size: number } | null = null
  for (; i < segments.length && first === null; i++) first = segments[i].locate(offset)
  if (first === null) return EMPTY
  // Known from the index before any byte is read: a Fetch that already has data skips such a partition this time.
  if (firstMustFit && first.size > maxBytes) return EMPTY
  i-- // the loop stepped past the segment that had it

  const wanted = Math.max(maxBytes, first.size)
  let available = segments[i].size - first.position
  for (let j = i + 1; j < segments.length && available < wanted; j++) available += segments[j].size
  const budget = Math.min(wanted, available)
  const out = takeReadBuffer(budget)

  let filled = 0
  let position = first.position
  for (;;) {
    const segment = segments[i]
    const length = Math.min(budget - filled, segment.size - position)
    const end = filled + readFully(segment.readFd(), out.subarray(filled), length, position)
    let p = filled
    while (end - p >= BATCH_HEADER_SIZE) {
      const size = out.readInt32BE(p + BATCH_LENGTH) + BATCH_LOG_OVERHEAD
      if (size < BATCH_HEADER_SIZE || p + size > end) break
      p += size
    }
    filled = p
    if (p < end || filled >= budget || ++i >= segments.length) break
    position = 0
  }
  if (filled === 0) {
    returnReadBuffer(out)
    return EMPTY
  }
  return filled === out.length ? out : out.subarray(0, filled)
}
