import {
  ATTR_CONTROL, ATTR_TRANSACTIONAL, BATCH_ATTRIBUTES, BATCH_BASE_SEQUENCE, BATCH_HEADER_SIZE, BATCH_LAST_OFFSET_DELTA, BATCH_LENGTH,
  BATCH_LOG_OVERHEAD, BATCH_MAX_TIMESTAMP, BATCH_PRODUCER_EPOCH, BATCH_PRODUCER_ID, ControlRecordType, controlRecordType, decodeRecordBatch,
  readInt64
} from '@samsa/protocol'
import type { PartitionLog } from '../log/index.js'
import type { ProducerBatch, PartitionProducerState } from './producer-state.js'

const CHUNK_BYTES = 1 << 20

/** The producer fields of the batch header at `pos` (no record decoding). */
export function readProducerBatch (buf: Buffer, pos: number): ProducerBatch {
  return {
    producerId: readInt64(buf, pos + BATCH_PRODUCER_ID),
    epoch: buf.readInt16BE(pos + BATCH_PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BATCH_BASE_SEQUENCE),
    lastOffsetDelta: buf.readInt32BE(pos + BATCH_LAST_OFFSET_DELTA),
    maxTimestamp: readInt64(buf, pos + BATCH_MAX_TIMESTAMP),
    isTransactional: (buf.readInt16BE(pos + BATCH_ATTRIBUTES) & ATTR_TRANSACTIONAL) !== 0
  }
}

/** Marker type of a control batch: decodes its single record (control batches are tiny and rare). */
export function markerIsCommit (batch: Buffer): boolean | null {
  const [record] = decodeRecordBatch(batch).records
  if (record === undefined) return null
  const type = controlRecordType(record)
  return type === ControlRecordType.Commit ? true : type === ControlRecordType.Abort ? false : null
}

/**
 * Rebuilds producer state from the log between `from` and the log end, reading batch headers only (control
 * batches are decoded for their marker type). Synchronous, like every other log read on this broker.
 */
export function replayLog (state: PartitionProducerState, log: PartitionLog, from: number, nowMs = Date.now()): void {
  let offset = Math.max(from, log.logStartOffset)
  while (offset < log.logEndOffset) {
    const chunk = log.read(offset, CHUNK_BYTES)
    if (chunk.length === 0) break
    let pos = 0
    while (chunk.length - pos >= BATCH_HEADER_SIZE) {
      const size = chunk.readInt32BE(pos + BATCH_LENGTH) + BATCH_LOG_OVERHEAD
      if (pos + size > chunk.length) break
      const base = readInt64(chunk, pos)
      const last = base + chunk.readInt32BE(pos + BATCH_LAST_OFFSET_DELTA)
      if (last >= offset && readInt64(chunk, pos + BATCH_PRODUCER_ID) >= 0) {
        const batch = readProducerBatch(chunk, pos)
        if ((chunk.readInt16BE(pos + BATCH_ATTRIBUTES) & ATTR_CONTROL) !== 0) {
          const commit = markerIsCommit(chunk.subarray(pos, pos + size))
          if (commit !== null) state.applyMarker(batch.producerId, batch.epoch, commit, base, 0, last + 1, nowMs)
        } else {
          state.apply(batch, base, nowMs)
        }
      }
      offset = Math.max(offset, last + 1)
      pos += size
    }
    if (pos === 0) break // a batch larger than the chunk cannot happen: read() returns at least one whole batch
  }
}
