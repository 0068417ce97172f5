import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  BATCH_HEADER_SIZE, BATCH_MAGIC, BATCH_LAST_OFFSET_DELTA, BATCH_RECORDS_COUNT, BATCH_CRC, ATTR_CONTROL,
  readBatchHeader, setBaseOffset, setPartitionLeaderEpoch, setMaxTimestampAndLogAppendTime,
  computeCrc, verifyCrc, scanBatches, checkBatchAt, validateProduceRecords, readInt64, writeInt64
} from '../src/record-batch.js'
import { encodeRecordBatch, decodeRecordBatches } from '../src/records.js'

const CORRUPT_MESSAGE = 2
const MESSAGE_TOO_LARGE = 10
const UNSUPPORTED_FOR_MESSAGE_FORMAT = 43
const INVALID_RECORD = 87

const sample = (n: number, ts = 1_700_000_000_000): Buffer => encodeRecordBatch(
  Array.from({ length: n }, (_, i) => ({
    key: i % 2 === 0 ? `k${i}` : null,
    value: `value-${i}`,
    timestamp: ts + i * 10,
    headers: i === 0 ? [{ key: 'h', value: 'x' }, { key: 'n', value: null }] : []
  }))
)

test('int64 helpers keep negative and large values', () => {
  const buf = Buffer.alloc(8)
  for (const v of [0, -1, 1, 2 ** 40 + 5, -(2 ** 40) - 7, 2 ** 53 - 1, 1_700_000_000_123]) {
    writeInt64(buf, 0, v)
    assert.equal(readInt64(buf, 0), v)
    assert.equal(Number(buf.readBigInt64BE(0)), v)
  }
})

test('build → header → records round trip', () => {
  const batch = sample(5)
  const h = readBatchHeader(batch, 0)
  assert.equal(h.magic, 2)
  assert.equal(h.totalSize, batch.length)
  assert.equal(h.recordsCount, 5)
  assert.equal(h.lastOffsetDelta, 4)
  assert.equal(h.baseTimestamp, 1_700_000_000_000)
  assert.equal(h.maxTimestamp, 1_700_000_000_040)
  assert.equal(h.producerId, -1)
  assert.equal(h.compression, 0)
  assert.equal(h.timestampType, 0)
  assert.equal(h.isTransactional, false)
  assert.equal(h.isControl, false)
  assert.ok(verifyCrc(batch, 0))
  const records = decodeRecordBatches(batch).flatMap((b) => b.records)
  assert.equal(records.length, 5)
  assert.equal(records[0].key?.toString(), 'k0')
  assert.equal(records[1].key, null)
  assert.equal(records[3].value?.toString(), 'value-3')
  assert.equal(records[4].timestamp, 1_700_000_000_040)
  assert.deepEqual(records[0].headers.map((x) => [x.key, x.value?.toString() ?? null]), [['h', 'x'], ['n', null]])
})

test('patching baseOffset and leader epoch keeps the CRC valid', () => {
  const batch = sample(3)
  setBaseOffset(batch, 0, 2 ** 40 + 17)
  setPartitionLeaderEpoch(batch, 0, 7)
  assert.ok(verifyCrc(batch, 0))
  const h = readBatchHeader(batch, 0)
  assert.equal(h.baseOffset, 2 ** 40 + 17)
  assert.equal(h.partitionLeaderEpoch, 7)
  assert.deepEqual(decodeRecordBatches(batch).flatMap((b) => b.records).map((r) => r.offset), [2 ** 40 + 17, 2 ** 40 + 18, 2 ** 40 + 19])
})

test('LogAppendTime stamping sets the type bit, maxTimestamp and a fresh CRC', () => {
  const batch = sample(2)
  const before = batch.readUInt32BE(BATCH_CRC)
  setMaxTimestampAndLogAppendTime(batch, 0, 1_800_000_000_000)
  const h = readBatchHeader(batch, 0)
  assert.equal(h.timestampType, 1)
  assert.equal(h.maxTimestamp, 1_800_000_000_000)
  assert.notEqual(h.crc, before)
  assert.equal(h.crc, computeCrc(batch, 0))
  assert.ok(decodeRecordBatches(batch).flatMap((b) => b.records).every((r) => r.timestamp === 1_800_000_000_000))
})

test('a flipped byte anywhere in the CRC range is detected', () => {
  const batch = sample(4)
  for (const at of [21, 30, BATCH_HEADER_SIZE, batch.length - 1]) {
    const copy = Buffer.from(batch)
    copy[at] ^= 0x01
    assert.equal(verifyCrc(copy, 0), false, `flip at ${at}`)
    assert.deepEqual(validateProduceRecords(copy, 1 << 20), { ok: false, errorCode: CORRUPT_MESSAGE })
    assert.equal(checkBatchAt(copy, 0, copy.length), -3)
  }
})

test('scanBatches walks concatenated batches and stops at a truncated one', () => {
  const batches = [sample(1), sample(3), sample(10)]
  const all = Buffer.concat(batches)
  const full = scanBatches(all)
  assert.deepEqual(full, { batchCount: 3, recordCount: 14, validEnd: all.length, stopReason: 0 })
  const cut = all.subarray(0, all.length - 5)
  const partial = scanBatches(cut)
  assert.equal(partial.batchCount, 2)
  assert.equal(partial.validEnd, batches[0].length + batches[1].length)
  assert.equal(partial.stopReason, -1)
  // Header-only tails and zero-filled tails.
  assert.equal(scanBatches(all.subarray(0, batches[0].length + 30)).stopReason, -1)
  const zeros = Buffer.concat([all, Buffer.alloc(200)])
  const z = scanBatches(zeros)
  assert.equal(z.batchCount, 3)
  assert.equal(z.validEnd, all.length)
  assert.equal(z.stopReason, -2)
  // Start/end window.
  assert.equal(scanBatches(all, batches[0].length).batchCount, 2)
})

test('validateProduceRecords accepts several batches and sums offsets', () => {
  const all = Buffer.concat([sample(1), sample(3, 1_700_000_100_000), sample(2)])
  const result = validateProduceRecords(all, 1 << 20)
  assert.ok(result.ok)
  if (!result.ok) return
  assert.equal(result.batchCount, 3)
  assert.equal(result.recordCount, 6)
  assert.equal(result.lastOffsetDelta, 5)
  assert.equal(result.maxTimestamp, 1_700_000_100_020)
  assert.equal(result.producerId, -1)
})

test('validateProduceRecords error codes', () => {
  const batch = sample(3)
  assert.deepEqual(validateProduceRecords(Buffer.alloc(0), 1000), { ok: false, errorCode: CORRUPT_MESSAGE })
  assert.deepEqual(validateProduceRecords(batch.subarray(0, 40), 1 << 20), { ok: false, errorCode: CORRUPT_MESSAGE })
  assert.deepEqual(validateProduceRecords(batch.subarray(0, batch.length - 1), 1 << 20), { ok: false, errorCode: CORRUPT_MESSAGE })
  assert.deepEqual(validateProduceRecords(Buffer.concat([batch, batch.subarray(0, 10)]), 1 << 20), { ok: false, errorCode: CORRUPT_MESSAGE })
  // Oversize: per batch, not per request.
  assert.deepEqual(validateProduceRecords(batch, batch.length - 1), { ok: false, errorCode: MESSAGE_TOO_LARGE })
  assert.equal(validateProduceRecords(Buffer.concat([batch, batch]), batch.length).ok, true)
  for (const magic of [0, 1]) {
    const legacy = Buffer.from(batch)
    legacy[BATCH_MAGIC] = magic
    assert.deepEqual(validateProduceRecords(legacy, 1 << 20), { ok: false, errorCode: UNSUPPORTED_FOR_MESSAGE_FORMAT })
  }
  const magic3 = Buffer.from(batch)
  magic3[BATCH_MAGIC] = 3
  assert.deepEqual(validateProduceRecords(magic3, 1 << 20), { ok: false, errorCode: CORRUPT_MESSAGE })
  const badLength = Buffer.from(batch)
  badLength.writeInt32BE(10, 8)
  assert.deepEqual(validateProduceRecords(badLength, 1 << 20), { ok: false, errorCode: CORRUPT_MESSAGE })
  // Count/delta mismatch with a valid CRC.
  const mismatch = Buffer.from(batch)
  mismatch.writeInt32BE(5, BATCH_LAST_OFFSET_DELTA)
  mismatch.writeUInt32BE(computeCrc(mismatch, 0), BATCH_CRC)
  assert.deepEqual(validateProduceRecords(mismatch, 1 << 20), { ok: false, errorCode: INVALID_RECORD })
  const zeroCount = Buffer.from(batch)
  zeroCount.writeInt32BE(0, BATCH_RECORDS_COUNT)
  zeroCount.writeInt32BE(-1, BATCH_LAST_OFFSET_DELTA)
  zeroCount.writeUInt32BE(computeCrc(zeroCount, 0), BATCH_CRC)
  assert.deepEqual(validateProduceRecords(zeroCount, 1 << 20), { ok: false, errorCode: INVALID_RECORD })
  const control = encodeRecordBatch([{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.alloc(6) }], { isControl: true })
  assert.deepEqual(validateProduceRecords(control, 1 << 20), { ok: false, errorCode: INVALID_RECORD })
})

test('large timestamp deltas and big values survive the varint encodings', () => {
  const big = Buffer.alloc(70_000, 7)
  const batch = encodeRecordBatch([
    { value: 'a', timestamp: 1 },
    { key: big, value: big, timestamp: 1_700_000_000_000 }
  ])
  const records = decodeRecordBatches(batch).flatMap((b) => b.records)
  assert.equal(records[1].timestamp, 1_700_000_000_000)
  assert.equal(records[1].value?.length, 70_000)
  assert.equal(readBatchHeader(batch, 0).maxTimestamp, 1_700_000_000_000)
})

test('validateProduceRecords reads the records of uncompressed batches: a broken layout is CORRUPT_MESSAGE', () => {
  const batch = sample(6)
  assert.equal(validateProduceRecords(batch, 1 << 20).ok, true)
  // Every byte of the records section, overwritten three ways (CRC recomputed, so only the layout can fail): the
  // validation must agree with the full decoder, which reads every record.
  let refused = 0
  for (let at = BATCH_HEADER_SIZE; at < batch.length; at++) {
    for (const value of [0x00, 0x7f, 0xff]) {
      const mutated = Buffer.from(batch)
      mutated[at] = value
      mutated.writeUInt32BE(computeCrc(mutated, 0), BATCH_CRC)
      let decodable: boolean
      try {
        const [decoded] = decodeRecordBatches(mutated)
        decodable = decoded!.records.length === 6
      } catch {
        decodable = false
      }
      const result = validateProduceRecords(mutated, 1 << 20)
      assert.deepEqual(result.ok ? 'accepted' : result.errorCode, decodable ? 'accepted' : CORRUPT_MESSAGE, `byte ${at} = ${value}`)
      if (!result.ok) refused++
    }
  }
  assert.ok(refused > 0)
  // Fewer records than the header counts, and bytes after the last record.
  const short = Buffer.concat([batch.subarray(0, batch.length - 1)])
  short.writeInt32BE(short.length - 12, 8)
  short.writeUInt32BE(computeCrc(short, 0), BATCH_CRC)
  assert.deepEqual(validateProduceRecords(short, 1 << 20), { ok: false, errorCode: CORRUPT_MESSAGE })
  const trailing = Buffer.concat([batch, Buffer.from([0])])
  trailing.writeInt32BE(trailing.length - 12, 8)
  trailing.writeUInt32BE(computeCrc(trailing, 0), BATCH_CRC)
  assert.deepEqual(validateProduceRecords(trailing, 1 << 20), { ok: false, errorCode: CORRUPT_MESSAGE })
})
