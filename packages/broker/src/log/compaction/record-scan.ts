/**
 * Record-level walk over the (decompressed) records section of a RecordBatch v2, for the log cleaner only. It
 * locates each record's bytes, key and value without building per-record objects, so the cleaner can copy the
 * records it keeps verbatim (or with a new timestamp delta when it stamps a delete horizon on the batch).
 *
 * Record layout (Kafka protocol docs, "Record"): varint length · int8 attributes · varlong timestampDelta ·
 * varint offsetDelta · varint keyLength + key (-1 = null) · varint valueLength + value (-1 = null: a tombstone) ·
 * varint headerCount · headers. Varints are zigzag encoded.
 */
export class CorruptRecordsError extends Error {}

/** One record; reused between visits (copy what you keep). Positions index the records buffer. */
export interface RecordView {
  /** First byte of the length prefix. */
  start: number
  /** One past the last byte of the record. */
  end: number
  /** First byte of the body (attributes). */
  bodyStart: number
  /** One past the timestampDelta varlong: the body continues from here unchanged when the delta is rewritten. */
  afterTimestampDelta: number
  timestampDelta: number
  offsetDelta: number
  keyStart: number
  /** -1 = null key. */
  keyLength: number
  /** -1 = null value (tombstone). */
  valueLength: number
}

let cursor = 0

function readVarint (buf: Buffer, end: number): number {
  let raw = 0
  let shift = 0
  for (;;) {
    if (cursor >= end) throw new CorruptRecordsError('varint runs past the end of the records')
    const byte = buf[cursor++]
    raw |= (byte & 0x7f) << shift
    if ((byte & 0x80) === 0) break
    shift += 7
    if (shift > 28) throw new CorruptRecordsError('varint longer than 5 bytes')
  }
  return (raw >>> 1) ^ -(raw & 1)
}

/** Zigzag varlong as a number (exact up to 2^53: timestamps and their deltas). */
function readVarlong (buf: Buffer, end: number): number {
  let raw = 0
  let scale = 1
  for (let i = 0; ; i++) {
    if (cursor >= end) throw new CorruptRecordsError('varlong runs past the end of the records')
    if (i >= 10) throw new CorruptRecordsError('varlong longer than 10 bytes')
    const byte = buf[cursor++]
    raw += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) break
    scale *= 128
  }
  return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
}

/**
 * Calls `visit` for each of `count` records in `buf`; throws CorruptRecordsError when the bytes do not hold
 * exactly that many well-formed records.
 */
export function forEachRecord (buf: Buffer, count: number, visit: (record: RecordView) => void): void {
  const view: RecordView = { start: 0, end: 0, bodyStart: 0, afterTimestampDelta: 0, timestampDelta: 0, offsetDelta: 0, keyStart: 0, keyLength: -1, valueLength: -1 }
  cursor = 0
  const total = buf.length
  for (let i = 0; i < count; i++) {
    view.start = cursor
    const length = readVarint(buf, total)
    view.bodyStart = cursor
    const end = cursor + length
    if (length < 0 || end > total) throw new CorruptRecordsError(`record ${i} overruns the batch`)
    view.end = end
    cursor++ // attributes
    view.timestampDelta = readVarlong(buf, end)
    view.afterTimestampDelta = cursor
    view.offsetDelta = readVarint(buf, end)
    view.keyLength = readVarint(buf, end)
    view.keyStart = cursor
    if (view.keyLength > 0) cursor += view.keyLength
    view.valueLength = readVarint(buf, end)
    if (cursor > end || (view.valueLength > 0 && cursor + view.valueLength > end)) throw new CorruptRecordsError(`record ${i} overruns its length`)
    visit(view)
    cursor = end
  }
  if (cursor !== total) throw new CorruptRecordsError(`${total - cursor} bytes follow the batch's ${count} records`)
}

function sizeOfUnsigned (raw: number): number {
  let size = 1
  while (raw >= 128) { raw = Math.floor(raw / 128); size++ }
  return size
}

function zigzag (value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1
}

function writeUnsigned (out: Buffer, at: number, raw: number): number {
  while (raw >= 128) { out[at++] = (raw % 128) | 0x80; raw = Math.floor(raw / 128) }
  out[at++] = raw
  return at
}

/** Size of `record` re-encoded with another timestamp delta. */
export function sizeWithTimestampDelta (record: RecordView, timestampDelta: number): number {
  const body = 1 + sizeOfUnsigned(zigzag(timestampDelta)) + (record.end - record.afterTimestampDelta)
  return sizeOfUnsigned(zigzag(body)) + body
}

/** Writes `record` (from `src`) into `out` at `at` with a new timestamp delta; returns the position after it. */
export function writeWithTimestampDelta (src: Buffer, record: RecordView, timestampDelta: number, out: Buffer, at: number): number {
  const rest = record.end - record.afterTimestampDelta
  const body = 1 + sizeOfUnsigned(zigzag(timestampDelta)) + rest
  at = writeUnsigned(out, at, zigzag(body))
  out[at++] = src[record.bodyStart] // attributes
  at = writeUnsigned(out, at, zigzag(timestampDelta))
  src.copy(out, at, record.afterTimestampDelta, record.end)
  return at + rest
}
