/**
 * Decides, for one stored batch, what the cleaner writes back (Kafka's MemoryRecords.filterTo with the cleaner's
 * RecordFilter):
 * - a record survives if it is past what the offset map covers, or it is the latest offset of its key and either
 *   has a value or is a tombstone whose batch has no delete horizon yet / one that has not passed; keyless records
 *   in the mapped range are dropped (Kafka rejects them on compacted topics at produce time);
 * - control batches keep their record until the transaction has nothing left and their delete horizon passed;
 * - the last batch of a producer that is still active is kept, emptied to its header if nothing else survives, so
 *   its sequence and epoch outlive compaction (Kafka's RETAIN_EMPTY);
 * - a batch that keeps every record and needs no new delete horizon is copied byte for byte;
 * - otherwise it is rebuilt with the same baseOffset, lastOffsetDelta (Kafka keeps the original last offset so
 *   producer sequence state survives), producer id/epoch/sequence, leader epoch, attributes and compression codec;
 *   records are copied verbatim, or with their timestamp delta rebased when the batch gets its delete horizon
 *   (attribute bit 6, baseTimestamp = now + delete.retention.ms — KIP-534; record timestamps are unchanged).
 */
import {
  ATTR_COMPRESSION_MASK, ATTR_CONTROL, ATTR_DELETE_HORIZON, ATTR_TIMESTAMP_TYPE, ATTR_TRANSACTIONAL, BATCH_ATTRIBUTES,
  BATCH_BASE_TIMESTAMP, BATCH_CRC, BATCH_HEADER_SIZE, BATCH_LAST_OFFSET_DELTA, BATCH_LENGTH, BATCH_LOG_OVERHEAD,
  BATCH_MAX_TIMESTAMP, BATCH_PRODUCER_EPOCH, BATCH_PRODUCER_ID, BATCH_RECORDS_COUNT, compress, compressAsync, computeCrc, decompress,
  decompressAsync, readInt64, writeInt64
} from '@samsa/protocol'
import type { OffsetMap } from './offset-map.js'
import { ControlType, type CleanedTransactions } from './transactions.js'
import { forEachRecord, sizeWithTimestampDelta, writeWithTimestampDelta, type RecordView } from './record-scan.js'

/**
 * (De)compress on the libuv pool above this many bytes, inline below (a pool round trip costs ~50 µs). gzip is
 * an order of magnitude slower than the others, so it goes to the pool much sooner: the event loop stays free.
 */
function offloaded (codec: number, bytes: number): boolean {
  return bytes > (codec === 1 ? 4096 : 128 * 1024)
}

/** The records section of a stored batch, decompressed (on the libuv pool when large). */
export async function recordsOfBatch (batch: Buffer): Promise<Buffer> {
  const codec = batch.readInt16BE(BATCH_ATTRIBUTES) & ATTR_COMPRESSION_MASK
  const payload = batch.subarray(BATCH_HEADER_SIZE)
  return offloaded(codec, payload.length) ? await decompressAsync(codec, payload) : decompress(codec, payload)
}

export interface FilterContext {
  map: OffsetMap
  now: number
  deleteRetentionMs: number
  transactions: CleanedTransactions
  /** Producers whose state must survive: their last batch is kept, emptied if need be (Kafka's RETAIN_EMPTY). */
  activeProducers: ReadonlyMap<number, ActiveProducer>
  /**
   * Earliest future delete horizon of a batch kept with tombstones (or a removable marker) — when a re-clean could
   * drop them (Infinity: none).
   */
  earliestPendingHorizon: number
  recordsRead: number
  recordsRetained: number
  batchesRewritten: number
}

/** A producer's last data offset (-1: its last entry is a marker) and epoch, from the producer state. */
export interface ActiveProducer { lastDataOffset: number, producerEpoch: number }

type Kept = Pick<RecordView, 'start' | 'end' | 'bodyStart' | 'afterTimestampDelta' | 'timestampDelta'>

/** The bytes to keep for `batch` (itself, a rebuilt batch, or null to drop it). */
export async function filterBatch (batch: Buffer, ctx: FilterContext): Promise<Buffer | null> {
  const attributes = batch.readInt16BE(BATCH_ATTRIBUTES)
  const codec = attributes & ATTR_COMPRESSION_MASK
  const isControl = (attributes & ATTR_CONTROL) !== 0
  const hasHorizon = (attributes & ATTR_DELETE_HORIZON) !== 0
  const baseOffset = readInt64(batch, 0)
  const lastOffset = baseOffset + batch.readInt32BE(BATCH_LAST_OFFSET_DELTA)
  const baseTimestamp = readInt64(batch, BATCH_BASE_TIMESTAMP)
  const producerId = readInt64(batch, BATCH_PRODUCER_ID)
  const count = batch.readInt32BE(BATCH_RECORDS_COUNT)
  const records = await recordsOfBatch(batch)

  const canDiscard = isControl
    ? ctx.transactions.onControlBatch(producerId, lastOffset, controlTypeOf(records, count))
    : ctx.transactions.onBatch(producerId, (attributes & ATTR_TRANSACTIONAL) !== 0, lastOffset)
  const discardRecords = isControl ? canDiscard && hasHorizon && baseTimestamp <= ctx.now : canDiscard
  ctx.recordsRead += count
  const active = producerId >= 0 ? ctx.activeProducers.get(producerId) : undefined
  const lastOfProducer = active !== undefined && (active.lastDataOffset >= 0
    ? lastOffset === active.lastDataOffset
    : isControl && batch.readInt16BE(BATCH_PRODUCER_EPOCH) === active.producerEpoch)
  if (discardRecords) return lastOfProducer ? emptyBatch(batch) : null

  const retainDeletes = !hasHorizon || ctx.now < baseTimestamp
  const kept: Kept[] = []
  let containsTombstones = false
  forEachRecord(records, count, (record) => {
    const offset = baseOffset + record.offsetDelta
    let keep: boolean
    if (isControl || offset > ctx.map.latestOffset) keep = true
    else if (record.keyLength < 0) keep = false
    else {
      const latest = offset >= ctx.map.get(records, record.keyStart, record.keyLength)
      keep = latest && (record.valueLength >= 0 || retainDeletes)
    }
    if (!keep) return
    kept.push({ start: record.start, end: record.end, bodyStart: record.bodyStart, afterTimestampDelta: record.afterTimestampDelta, timestampDelta: record.timestampDelta })
    if (record.valueLength < 0) containsTombstones = true
  })
  ctx.recordsRetained += kept.length
  if (kept.length === 0) return lastOfProducer ? emptyBatch(batch) : null
  const awaitsHorizon = containsTombstones || (canDiscard && isControl)
  const needsHorizon = awaitsHorizon && !hasHorizon
  const newBase = needsHorizon ? ctx.now + ctx.deleteRetentionMs : baseTimestamp
  if (awaitsHorizon && newBase > ctx.now && newBase < ctx.earliestPendingHorizon) ctx.earliestPendingHorizon = newBase
  if (kept.length === count && !needsHorizon) return batch

  ctx.batchesRewritten++
  let size = 0
  let maxTimestamp = -1
  for (const record of kept) {
    const timestamp = baseTimestamp + record.timestampDelta
    if (timestamp > maxTimestamp) maxTimestamp = timestamp
    size += needsHorizon ? sizeWithTimestampDelta(record as RecordView, timestamp - newBase) : record.end - record.start
  }
  const body = Buffer.allocUnsafe(size)
  let at = 0
  for (const record of kept) {
    if (needsHorizon) at = writeWithTimestampDelta(records, record as RecordView, baseTimestamp + record.timestampDelta - newBase, body, at)
    else at += records.copy(body, at, record.start, record.end)
  }
  const compressed = offloaded(codec, body.length) ? await compressAsync(codec, body) : compress(codec, body)

  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length)
  batch.copy(out, 0, 0, BATCH_HEADER_SIZE)
  compressed.copy(out, BATCH_HEADER_SIZE)
  out.writeInt32BE(out.length - BATCH_LOG_OVERHEAD, BATCH_LENGTH)
  out.writeInt16BE(needsHorizon ? attributes | ATTR_DELETE_HORIZON : attributes, BATCH_ATTRIBUTES)
  writeInt64(out, BATCH_BASE_TIMESTAMP, newBase)
  // LogAppendTime batches keep the broker's stamp; CreateTime batches report the largest record kept (as Kafka).
  if ((attributes & ATTR_TIMESTAMP_TYPE) === 0) writeInt64(out, BATCH_MAX_TIMESTAMP, maxTimestamp)
  out.writeInt32BE(kept.length, BATCH_RECORDS_COUNT)
  out.writeUInt32BE(computeCrc(out, 0), BATCH_CRC)
  return out
}

/**
 * The batch's header alone, without records (Kafka's DefaultRecordBatch.writeEmptyHeader): offsets, producer
 * id/epoch/sequence and flags survive so producer state rebuilt from the log stays right.
 */
function emptyBatch (batch: Buffer): Buffer {
  if (batch.readInt32BE(BATCH_RECORDS_COUNT) === 0) return batch
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE)
  batch.copy(out, 0, 0, BATCH_HEADER_SIZE)
  out.writeInt32BE(BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD, BATCH_LENGTH)
  out.writeInt16BE(batch.readInt16BE(BATCH_ATTRIBUTES) & (ATTR_TIMESTAMP_TYPE | ATTR_TRANSACTIONAL | ATTR_CONTROL), BATCH_ATTRIBUTES)
  writeInt64(out, BATCH_BASE_TIMESTAMP, readInt64(batch, BATCH_MAX_TIMESTAMP))
  out.writeInt32BE(0, BATCH_RECORDS_COUNT)
  out.writeUInt32BE(computeCrc(out, 0), BATCH_CRC)
  return out
}

/** Type of a transaction marker: the first record's key is int16 version, int16 type. */
export function controlTypeOf (records: Buffer, count: number): ControlType | null {
  if (count === 0) return null
  let type: ControlType | null = null
  let seen = false
  forEachRecord(records, count, (record) => {
    if (seen) return
    seen = true
    if (record.keyLength >= 4) {
      const value = records.readInt16BE(record.keyStart + 2)
      type = value === ControlType.Abort || value === ControlType.Commit ? value : -1 as ControlType
    }
  })
  return type
}
