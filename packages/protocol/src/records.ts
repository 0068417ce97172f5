/**
 * Full RecordBatch v2 encode/decode into per-record JS objects. For compaction, tools, tests and the SDK — not for
 * the broker's produce/fetch path, which keeps batches as opaque Buffers.
 *
 * Layout (big-endian, 61-byte header): baseOffset i64 · batchLength i32 · partitionLeaderEpoch i32 · magic i8 ·
 * crc u32 (CRC-32C of attributes..end) · attributes i16 · lastOffsetDelta i32 · baseTimestamp i64 · maxTimestamp i64 ·
 * producerId i64 · producerEpoch i16 · baseSequence i32 · recordsCount i32 · records (compressed as one blob).
 * Record: varint length · attributes i8 · varlong timestampDelta · varint offsetDelta · varint key length + key ·
 * varint value length + value (−1 = null) · varint header count · headers (varint key length + utf8 key, varint
 * value length + value). Varints are zigzag-encoded.
 */
import { crc32c } from '@node-rs/crc32'
import { COMPRESSION_CODEC_MASK, CompressionType, compress, decompress, toCompressionType } from './compression.js'
import { Reader } from './codec/reader.js'
import { ProtocolDecodeError } from './errors.js'
import {
  ATTR_CONTROL, ATTR_DELETE_HORIZON, ATTR_TIMESTAMP_TYPE, ATTR_TRANSACTIONAL, BATCH_ATTRIBUTES, BATCH_CRC, BATCH_HEADER_SIZE, BATCH_LOG_OVERHEAD
} from './record-batch.js'

export enum TimestampType { CreateTime = 0, LogAppendTime = 1 }
export enum ControlRecordType { Abort = 0, Commit = 1 }

export interface Header { key: string, value: Buffer | null }

export interface KafkaRecord {
  /** Absolute offset: baseOffset + offsetDelta. */
  offset: number
  /** Milliseconds; for LogAppendTime batches this is the batch's maxTimestamp, as Kafka's clients report it. */
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: Header[]
}

export interface DecodedBatch {
  baseOffset: number
  partitionLeaderEpoch: number
  magic: number
  crc: number
  attributes: number
  compression: CompressionType
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  hasDeleteHorizon: boolean
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  /** Bytes the batch occupies in the input, 12-byte log overhead included. */
  byteLength: number
  records: KafkaRecord[]
}

type Bytes = Buffer | string | null

export interface EncodableRecord {
  key?: Bytes
  value?: Bytes
  headers?: Array<{ key: string, value?: Bytes }>
  /** Default: the time encodeRecordBatch() is called. */
  timestamp?: number
  /** Default: the record's index. Must increase strictly within a batch. */
  offsetDelta?: number
}

export interface EncodeBatchOptions {
  baseOffset?: number
  compression?: CompressionType
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
  isTransactional?: boolean
  isControl?: boolean
  timestampType?: TimestampType
  partitionLeaderEpoch?: number
  /** Overrides the computed maximum (for LogAppendTime: the broker's append time). */
  maxTimestamp?: number
  /** Overrides the last record's offsetDelta, e.g. so a compacted batch keeps the offsets of the original. */
  lastOffsetDelta?: number
}

export const RECORD_BATCH_MAGIC = 2
/** baseOffset + batchLength: the bytes not counted by batchLength. */
const LOG_OVERHEAD = BATCH_LOG_OVERHEAD
const HEADER_SIZE = BATCH_HEADER_SIZE
const CRC_OFFSET = BATCH_CRC
const ATTRIBUTES_OFFSET = BATCH_ATTRIBUTES
const TIMESTAMP_TYPE_FLAG = ATTR_TIMESTAMP_TYPE
const TRANSACTIONAL_FLAG = ATTR_TRANSACTIONAL
const CONTROL_FLAG = ATTR_CONTROL
const DELETE_HORIZON_FLAG = ATTR_DELETE_HORIZON

interface PreparedRecord { timestampDelta: number | bigint, offsetDelta: number, key: Buffer | null, value: Buffer | null, headers: Array<{ key: Buffer, value: Buffer | null }>, bodySize: number }

export function encodeRecordBatch (records: EncodableRecord[], options: EncodeBatchOptions = {}): Buffer {
  const now = Date.now()
  const timestamps = records.map((record) => checkInt64(record.timestamp ?? now, 'timestamp'))
  const baseTimestamp = timestamps[0] ?? -1
  const maxTimestamp = options.maxTimestamp ?? (timestamps.length > 0 ? timestamps.reduce((max, t) => (t > max ? t : max)) : -1)

  let previousDelta = -1
  const prepared = records.map((record, index): PreparedRecord => {
    const offsetDelta = record.offsetDelta ?? index
    if (!Number.isInteger(offsetDelta) || offsetDelta <= previousDelta || offsetDelta > 0x7fffffff) {
      throw new RangeError(`record ${index}: offsetDelta ${offsetDelta} must be an int32 above the previous one`)
    }
    previousDelta = offsetDelta
    const timestamp = timestamps[index]!
    const plainDelta = timestamp - baseTimestamp
    const timestampDelta = Number.isSafeInteger(plainDelta) ? plainDelta : BigInt(timestamp) - BigInt(baseTimestamp)
    const key = toBuffer(record.key)
    const value = toBuffer(record.value)
    const headers = (record.headers ?? []).map((header) => ({ key: Buffer.from(header.key, 'utf8'), value: toBuffer(header.value) }))
    let bodySize = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfBytes(key) + sizeOfBytes(value) + sizeOfVarint(headers.length)
    for (const header of headers) bodySize += sizeOfBytes(header.key) + sizeOfBytes(header.value)
    return { timestampDelta, offsetDelta, key, value, headers, bodySize }
  })
  const lastOffsetDelta = options.lastOffsetDelta ?? (previousDelta >= 0 ? previousDelta : 0)
  if (lastOffsetDelta < previousDelta) throw new RangeError(`lastOffsetDelta ${lastOffsetDelta} is below the last record's ${previousDelta}`)

  const codec = toCompressionType(options.compression ?? CompressionType.None)
  const payload = compress(codec, writeRecords(prepared))
  const timestampType = options.timestampType ?? TimestampType.CreateTime
  const attributes = codec |
    (timestampType === TimestampType.LogAppendTime ? TIMESTAMP_TYPE_FLAG : 0) |
    (options.isTransactional === true ? TRANSACTIONAL_FLAG : 0) |
    (options.isControl === true ? CONTROL_FLAG : 0)

  const batch = Buffer.allocUnsafe(HEADER_SIZE + payload.length)
  batch.writeBigInt64BE(BigInt(checkInt64(options.baseOffset ?? 0, 'baseOffset')), 0)
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, 8)
  batch.writeInt32BE(options.partitionLeaderEpoch ?? -1, 12)
  batch.writeInt8(RECORD_BATCH_MAGIC, 16)
  batch.writeInt16BE(attributes, ATTRIBUTES_OFFSET)
  batch.writeInt32BE(lastOffsetDelta, 23)
  batch.writeBigInt64BE(BigInt(baseTimestamp), 27)
  batch.writeBigInt64BE(BigInt(checkInt64(maxTimestamp, 'maxTimestamp')), 35)
  batch.writeBigInt64BE(BigInt(checkInt64(options.producerId ?? -1, 'producerId')), 43)
  batch.writeInt16BE(options.producerEpoch ?? -1, 51)
  batch.writeInt32BE(options.baseSequence ?? -1, 53)
  batch.writeInt32BE(records.length, 57)
  payload.copy(batch, HEADER_SIZE)
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET)
  return batch
}

/**
 * Decodes concatenated batches. A trailing partial batch (Fetch responses may end with one) is ignored; anything
 * else malformed — CRC mismatch, magic other than 2, bad lengths — throws ProtocolDecodeError.
 */
export function decodeRecordBatches (buf: Buffer, options: { verifyCrc?: boolean } = {}): DecodedBatch[] {
  const batches: DecodedBatch[] = []
  let at = 0
  while (buf.length - at >= LOG_OVERHEAD) {
    const batchLength = buf.readInt32BE(at + 8)
    if (batchLength < HEADER_SIZE - LOG_OVERHEAD) throw new ProtocolDecodeError(`batch at byte ${at} has impossible length ${batchLength}`)
    const end = at + LOG_OVERHEAD + batchLength
    if (end > buf.length) break
    batches.push(decodeRecordBatch(buf.subarray(at, end), options))
    at = end
  }
  return batches
}

/** Decodes exactly one complete batch. Keys, values and header values are views into `batch` (or its decompressed copy). */
export function decodeRecordBatch (batch: Buffer, options: { verifyCrc?: boolean } = {}): DecodedBatch {
  if (batch.length < HEADER_SIZE) throw new ProtocolDecodeError(`record batch of ${batch.length} bytes is shorter than its header`)
  const magic = batch.readInt8(16)
  if (magic !== RECORD_BATCH_MAGIC) throw new ProtocolDecodeError(`unsupported record batch magic ${magic}`)
  const crc = batch.readUInt32BE(CRC_OFFSET)
  if (options.verifyCrc !== false) {
    const actual = crc32c(batch.subarray(ATTRIBUTES_OFFSET))
    if (actual !== crc) throw new ProtocolDecodeError(`record batch CRC mismatch: stored ${crc}, computed ${actual}`)
  }
  const attributes = batch.readInt16BE(ATTRIBUTES_OFFSET)
  const codecBits = attributes & COMPRESSION_CODEC_MASK
  if (codecBits > CompressionType.Zstd) throw new ProtocolDecodeError(`unknown compression codec ${codecBits}`)
  const compression = codecBits as CompressionType
  const baseOffset = Number(batch.readBigInt64BE(0))
  const baseTimestamp = Number(batch.readBigInt64BE(27))
  const maxTimestamp = Number(batch.readBigInt64BE(35))
  const timestampType = (attributes & TIMESTAMP_TYPE_FLAG) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime
  const count = batch.readInt32BE(57)
  if (count < 0) throw new ProtocolDecodeError(`negative record count ${count}`)

  const body = decompress(compression, batch.subarray(HEADER_SIZE))
  const reader = new Reader(body)
  const records: KafkaRecord[] = []
  for (let i = 0; i < count; i++) {
    const length = reader.varint()
    if (length < 0 || length > reader.remaining) throw new ProtocolDecodeError(`record ${i} length ${length} overruns the batch`)
    const record = new Reader(body, reader.offset, reader.offset + length)
    reader.offset += length
    record.int8() // record attributes: unused by Kafka
    const timestampDelta = readVarlong(record)
    const offsetDelta = record.varint()
    const key = readBytes(record)
    const value = readBytes(record)
    const headerCount = record.varint()
    if (headerCount < 0) throw new ProtocolDecodeError(`record ${i} has ${headerCount} headers`)
    const headers: Header[] = []
    for (let h = 0; h < headerCount; h++) {
      const headerKey = readBytes(record)
      if (headerKey === null) throw new ProtocolDecodeError(`record ${i} header ${h} has a null key`)
      headers.push({ key: headerKey.toString('utf8'), value: readBytes(record) })
    }
    const timestamp = timestampType === TimestampType.LogAppendTime
      ? maxTimestamp
      : typeof timestampDelta === 'number' && Number.isSafeInteger(baseTimestamp + timestampDelta)
        ? baseTimestamp + timestampDelta
        : Number(BigInt.asIntN(64, batch.readBigInt64BE(27) + BigInt(timestampDelta)))
    if (record.remaining !== 0) throw new ProtocolDecodeError(`record ${i} has ${record.remaining} bytes past its last header`)
    records.push({ offset: baseOffset + offsetDelta, timestamp, key, value, headers })
  }

  if (reader.remaining !== 0) throw new ProtocolDecodeError(`${reader.remaining} bytes follow the batch's ${count} records`)

  return {
    baseOffset,
    partitionLeaderEpoch: batch.readInt32BE(12),
    magic,
    crc,
    attributes,
    compression,
    timestampType,
    isTransactional: (attributes & TRANSACTIONAL_FLAG) !== 0,
    isControl: (attributes & CONTROL_FLAG) !== 0,
    hasDeleteHorizon: (attributes & DELETE_HORIZON_FLAG) !== 0,
    lastOffsetDelta: batch.readInt32BE(23),
    baseTimestamp,
    maxTimestamp,
    producerId: Number(batch.readBigInt64BE(43)),
    producerEpoch: batch.readInt16BE(51),
    baseSequence: batch.readInt32BE(53),
    byteLength: batch.length,
    records
  }
}

/** The single record of a transaction marker batch (encode with isControl and isTransactional). */
export function controlRecord (type: ControlRecordType, coordinatorEpoch = 0, timestamp?: number): EncodableRecord {
  const key = Buffer.alloc(4)
  key.writeInt16BE(0, 0) // version
  key.writeInt16BE(type, 2)
  const value = Buffer.alloc(6)
  value.writeInt16BE(0, 0) // version
  value.writeInt32BE(coordinatorEpoch, 2)
  return timestamp === undefined ? { key, value } : { key, value, timestamp }
}

/** The marker type of a control batch's record, or null if its key is not a control key. */
export function controlRecordType (record: Pick<KafkaRecord, 'key'>): ControlRecordType | null {
  if (record.key === null || record.key.length < 4) return null
  return record.key.readInt16BE(2) as ControlRecordType
}

function writeRecords (records: PreparedRecord[]): Buffer {
  let total = 0
  for (const record of records) total += sizeOfVarint(record.bodySize) + record.bodySize
  const out = Buffer.allocUnsafe(total)
  let at = 0
  for (const record of records) {
    at = writeVarint(out, at, record.bodySize)
    out[at++] = 0 // record attributes
    at = writeVarlong(out, at, record.timestampDelta)
    at = writeVarint(out, at, record.offsetDelta)
    at = writeBytes(out, at, record.key)
    at = writeBytes(out, at, record.value)
    at = writeVarint(out, at, record.headers.length)
    for (const header of record.headers) {
      at = writeBytes(out, at, header.key)
      at = writeBytes(out, at, header.value)
    }
  }
  return out
}

function toBuffer (value: Bytes | undefined): Buffer | null {
  if (value === null || value === undefined) return null
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value
}

function checkInt64 (value: number, name: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} ${value} is not a safe integer`)
  return value
}

function zigzag32 (value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0
}

function sizeOfVarint (value: number): number {
  let rest = zigzag32(value)
  let size = 1
  while (rest >= 0x80) { rest >>>= 7; size++ }
  return size
}

function writeVarint (out: Buffer, at: number, value: number): number {
  let rest = zigzag32(value)
  while (rest >= 0x80) { out[at++] = (rest & 0x7f) | 0x80; rest >>>= 7 }
  out[at++] = rest
  return at
}

/** Zigzag of a 64-bit value: a number while it stays exact (|value| < 2^52), a bigint beyond. */
function zigzag64 (value: number | bigint): number | bigint {
  if (typeof value === 'number' && Math.abs(value) < 2 ** 52) return value >= 0 ? value * 2 : -value * 2 - 1
  const big = BigInt.asIntN(64, BigInt(value))
  return BigInt.asUintN(64, (big << 1n) ^ (big >> 63n))
}

function sizeOfVarlong (value: number | bigint): number {
  let rest = zigzag64(value)
  let size = 1
  if (typeof rest === 'number') {
    while (rest >= 0x80) { rest = Math.floor(rest / 0x80); size++ }
  } else {
    while (rest >= 0x80n) { rest >>= 7n; size++ }
  }
  return size
}

function writeVarlong (out: Buffer, at: number, value: number | bigint): number {
  let rest = zigzag64(value)
  if (typeof rest === 'number') {
    while (rest >= 0x80) { out[at++] = (rest % 0x80) | 0x80; rest = Math.floor(rest / 0x80) }
    out[at++] = rest
  } else {
    while (rest >= 0x80n) { out[at++] = Number(rest & 0x7fn) | 0x80; rest >>= 7n }
    out[at++] = Number(rest)
  }
  return at
}

/** Reads a zigzag varlong of up to 10 bytes: a number while exact (7 bytes = 49 bits), else a bigint. */
function readVarlong (reader: Reader): number | bigint {
  let raw = 0
  let byte = 0x80
  let shift = 0
  while ((byte & 0x80) !== 0 && shift < 49) {
    byte = reader.int8() & 0xff
    raw += (byte & 0x7f) * 2 ** shift
    shift += 7
  }
  if ((byte & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
  let big = BigInt(raw)
  while ((byte & 0x80) !== 0) {
    if (shift >= 70) throw new ProtocolDecodeError('varlong longer than 10 bytes')
    byte = reader.int8() & 0xff
    big |= BigInt(byte & 0x7f) << BigInt(shift)
    shift += 7
  }
  big = BigInt.asUintN(64, big)
  return BigInt.asIntN(64, (big >> 1n) ^ -(big & 1n))
}

function sizeOfBytes (value: Buffer | null): number {
  return value === null ? 1 : sizeOfVarint(value.length) + value.length
}

function writeBytes (out: Buffer, at: number, value: Buffer | null): number {
  if (value === null) return writeVarint(out, at, -1)
  at = writeVarint(out, at, value.length)
  value.copy(out, at)
  return at + value.length
}

function readBytes (reader: Reader): Buffer | null {
  const length = reader.varint()
  if (length < -1) throw new ProtocolDecodeError(`negative length ${length}`)
  return length === -1 ? null : reader.slice(length)
}
