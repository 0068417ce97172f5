import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { crc32c } from '@node-rs/crc32'
import { CompressionType } from '../src/compression.js'
import {
  ControlRecordType, TimestampType, controlRecord, controlRecordType, decodeRecordBatch, decodeRecordBatches,
  encodeRecordBatch, type KafkaRecord, type EncodableRecord
} from '../src/records.js'
import { ProtocolDecodeError } from '../src/errors.js'

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]
const T0 = 1_700_000_000_000

const MIXED: EncodableRecord[] = [
  { key: Buffer.from('k0'), value: Buffer.from('value zero '.repeat(30)), timestamp: T0 },
  { key: null, value: 'no key', headers: [{ key: 'h1', value: Buffer.from('v1') }, { key: 'h2', value: null }], timestamp: T0 + 5 },
  { key: 'k2', value: null, timestamp: T0 - 10 }, // earlier than the first: a negative timestamp delta
  { key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [{ key: 'été', value: Buffer.from([0, 255]) }], timestamp: T0 + 100, offsetDelta: 5 }
]

/** What MIXED decodes to at base offset 1000. */
const MIXED_DECODED: KafkaRecord[] = [
  { offset: 1000, timestamp: T0, key: Buffer.from('k0'), value: Buffer.from('value zero '.repeat(30)), headers: [] },
  { offset: 1001, timestamp: T0 + 5, key: null, value: Buffer.from('no key'), headers: [{ key: 'h1', value: Buffer.from('v1') }, { key: 'h2', value: null }] },
  { offset: 1002, timestamp: T0 - 10, key: Buffer.from('k2'), value: null, headers: [] },
  { offset: 1005, timestamp: T0 + 100, key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [{ key: 'été', value: Buffer.from([0, 255]) }] }
]

/**
 * MIXED at base offset 1000, producer 4242/3, base sequence 17, built by kafka-python 2.0.2's own RecordBatch v2
 * encoder (independent code, own CRC-32C), one per codec; its snappy batches use xerial framing.
 */
const KAFKA_PYTHON_BATCHES: Record<number, string> = {
  0: '00000000000003e8000001b70000000002ef8ca29c0000000000050000018bcfe568000000018bcfe56864000000000000109200030000001100000004a605000000046b30940576616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f2076616c7565207a65726f20002c000a02010c6e6f206b6579040468310476310468320110001304046b3201002000c8010a0000020ac3a974c3a90400ff',
  1: '00000000000003e80000009100000000022c0ee66d0001000000050000018bcfe568000000018bcfe568640000000000001092000300000011000000041f8b0800e424036b02ff5bc6cac0c0c0926d3085b52c31a73455a12ab5285f61944911934187818b8991272f5f213bb5928525c390a5cc9025c388518041988525db88914181e1042317030313d7e195258757b230fc070096e5641386010000',
  2: '00000000000003e80000009f0000000002a73f39f30002000000050000018bcfe568000000018bcfe5686400000000000010920003000000110000000482534e415050590000000001000000010000005a860350a605000000046b30940576616c7565207a65726f20fe0b00fe0b00fe0b00fe0b00fa0b00c4002c000a02010c6e6f206b6579040468310476310468320110001304046b3201002000c8010a0000020ac3a974c3a90400ff',
  3: '00000000000003e80000009700000000021d9bac780003000000050000018bcfe568000000018bcfe5686400000000000010920003000000110000000404224d1868408601000000000000484f000000ff06a605000000046b30940576616c7565207a65726f200b00ff2df023002c000a02010c6e6f206b6579040468310476310468320110001304046b3201002000c8010a0000020ac3a974c3a90400ff00000000',
  4: '00000000000003e80000008a0000000002bdeb81c30004000000050000018bcfe568000000018bcfe5686400000000000010920003000000110000000428b52ffd6086007d02007404a605000000046b30940576616c7565207a65726f20002c000a02010c6e6f206b6579040468310476310468320110001304046b3201002000c8010a0000020ac3a974c3a90400ff010079ac1626'
}

/** kafka-python again: transactional, record timestamps 0, 2^62 and −2^62 — 10-byte varlong deltas. */
const WIDE_TIMESTAMP_BATCH = '00000000000000000000005c00000000025983efea001000000002000000000000000040000000000000000000000000000007000000000000000000031000000002610262002200808080808080808080010202630264001e00ffffffffffffffff7f0402650100'

function manyRecords (count: number): EncodableRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `key-${i % 50}`,
    value: JSON.stringify({ i, payload: 'x'.repeat(i % 40) }),
    headers: i % 3 === 0 ? [{ key: 'trace', value: Buffer.from(`t${i}`) }] : [],
    timestamp: T0 + i
  }))
}

test('decodes kafka-python batches of every codec, CRC checked, and re-encodes the plain one byte for byte', () => {
  for (const codec of CODECS) {
    const bytes = Buffer.from(KAFKA_PYTHON_BATCHES[codec]!, 'hex')
    const [batch, ...rest] = decodeRecordBatches(bytes)
    assert.equal(rest.length, 0)
    assert.ok(batch)
    assert.equal(batch.compression, codec)
    assert.equal(batch.baseOffset, 1000)
    assert.equal(batch.lastOffsetDelta, 5)
    assert.equal(batch.producerId, 4242)
    assert.equal(batch.producerEpoch, 3)
    assert.equal(batch.baseSequence, 17)
    assert.equal(batch.baseTimestamp, T0)
    assert.equal(batch.maxTimestamp, T0 + 100)
    assert.equal(batch.byteLength, bytes.length)
    assert.deepEqual(batch.records, MIXED_DECODED, `codec ${codec}`)
  }
  const ours = encodeRecordBatch(MIXED, { baseOffset: 1000, producerId: 4242, producerEpoch: 3, baseSequence: 17, partitionLeaderEpoch: 0 })
  assert.equal(ours.toString('hex'), KAFKA_PYTHON_BATCHES[0])
})

test('round-trips every codec: null key/value, empty buffers, headers, negative timestamp delta, offset gaps', () => {
  for (const codec of CODECS) {
    const bytes = encodeRecordBatch(MIXED, { baseOffset: 1000, compression: codec, producerId: 9, producerEpoch: 1, baseSequence: 0, isTransactional: true, partitionLeaderEpoch: 7 })
    const [batch] = decodeRecordBatches(bytes)
    assert.ok(batch)
    assert.deepEqual(batch.records, MIXED_DECODED)
    assert.equal(batch.compression, codec)
    assert.equal(batch.magic, 2)
    assert.equal(batch.crc, crc32c(bytes.subarray(21)))
    assert.equal(batch.attributes, codec | 0x10)
    assert.equal(batch.isTransactional, true)
    assert.equal(batch.isControl, false)
    assert.equal(batch.timestampType, TimestampType.CreateTime)
    assert.equal(batch.partitionLeaderEpoch, 7)
    assert.equal(batch.lastOffsetDelta, 5)
    assert.equal(batch.baseTimestamp, T0)
    assert.equal(batch.maxTimestamp, T0 + 100)
    assert.equal(bytes.readInt32BE(8), bytes.length - 12, 'batchLength excludes baseOffset and itself')
    assert.equal(bytes.readInt32BE(57), MIXED.length, 'recordsCount')
  }
})

test('1000 records in one batch, every codec', () => {
  const input = manyRecords(1000)
  for (const codec of CODECS) {
    const bytes = encodeRecordBatch(input, { baseOffset: 5_000_000_000, compression: codec })
    const [batch] = decodeRecordBatches(bytes)
    assert.ok(batch)
    assert.equal(batch.records.length, 1000)
    assert.equal(batch.lastOffsetDelta, 999)
    assert.equal(batch.maxTimestamp, T0 + 999)
    batch.records.forEach((record, i) => {
      assert.equal(record.offset, 5_000_000_000 + i)
      assert.equal(record.timestamp, T0 + i)
      assert.equal(record.key?.toString(), `key-${i % 50}`)
      assert.deepEqual(JSON.parse(record.value!.toString()), { i, payload: 'x'.repeat(i % 40) })
      assert.equal(record.headers.length, i % 3 === 0 ? 1 : 0)
    })
  }
})

test('concatenated batches decode in order; a trailing partial batch is ignored', () => {
  const first = encodeRecordBatch(manyRecords(3), { baseOffset: 0 })
  const second = encodeRecordBatch(manyRecords(2), { baseOffset: 3, compression: CompressionType.Zstd })
  const third = encodeRecordBatch(manyRecords(4), { baseOffset: 5, compression: CompressionType.Lz4 })
  const whole = Buffer.concat([first, second])
  assert.deepEqual(decodeRecordBatches(whole).map((b) => b.baseOffset), [0, 3])
  for (const cut of [1, 5, 11, 12, 40, 61, third.length - 1]) {
    const decoded = decodeRecordBatches(Buffer.concat([whole, third.subarray(0, cut)]))
    assert.deepEqual(decoded.map((b) => b.records.length), [3, 2], `partial batch of ${cut} bytes`)
  }
  assert.deepEqual(decodeRecordBatches(Buffer.alloc(0)), [])
  assert.deepEqual(decodeRecordBatches(third.subarray(0, 30)), [])
})

test('control batches: transaction markers', () => {
  for (const type of [ControlRecordType.Commit, ControlRecordType.Abort]) {
    const bytes = encodeRecordBatch([controlRecord(type, 12, T0)], { baseOffset: 77, producerId: 5, producerEpoch: 2, isTransactional: true, isControl: true })
    const [batch] = decodeRecordBatches(bytes)
    assert.ok(batch)
    assert.equal(batch.isControl, true)
    assert.equal(batch.isTransactional, true)
    assert.equal(batch.attributes, 0x30)
    assert.equal(batch.records.length, 1)
    const marker = batch.records[0]!
    assert.equal(controlRecordType(marker), type)
    assert.deepEqual(marker.key, Buffer.from([0, 0, 0, type]), 'key: version 0, type')
    assert.deepEqual(marker.value, Buffer.from([0, 0, 0, 0, 0, 12]), 'value: version 0, coordinator epoch')
    assert.equal(marker.offset, 77)
  }
  assert.equal(controlRecordType({ key: null }), null)
})

test('LogAppendTime batches report maxTimestamp as every record\'s timestamp', () => {
  const bytes = encodeRecordBatch(manyRecords(3), { timestampType: TimestampType.LogAppendTime, maxTimestamp: T0 + 60_000 })
  const [batch] = decodeRecordBatches(bytes)
  assert.ok(batch)
  assert.equal(batch.timestampType, TimestampType.LogAppendTime)
  assert.equal(batch.attributes & 0x08, 0x08)
  assert.deepEqual(batch.records.map((r) => r.timestamp), [T0 + 60_000, T0 + 60_000, T0 + 60_000])
})

test('varlong timestamp deltas cover the 64-bit range', () => {
  const [wide] = decodeRecordBatches(Buffer.from(WIDE_TIMESTAMP_BATCH, 'hex'))
  assert.ok(wide)
  assert.equal(wide.isTransactional, true)
  assert.deepEqual(wide.records.map((r) => BigInt(r.timestamp)), [0n, 2n ** 62n, -(2n ** 62n)])
  const extremes = [0, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 52, -(2 ** 52), 1, -1]
  const bytes = encodeRecordBatch(extremes.map((timestamp) => ({ value: 'v', timestamp })))
  const [batch] = decodeRecordBatches(bytes)
  assert.ok(batch)
  assert.deepEqual(batch.records.map((r) => r.timestamp), extremes)
  assert.equal(batch.maxTimestamp, Number.MAX_SAFE_INTEGER)
})

test('empty batches keep lastOffsetDelta (compaction keeps the offsets a batch spanned)', () => {
  const bytes = encodeRecordBatch([], { baseOffset: 40, lastOffsetDelta: 9, producerId: 3, producerEpoch: 0, baseSequence: 100 })
  const [batch] = decodeRecordBatches(bytes)
  assert.ok(batch)
  assert.deepEqual(batch.records, [])
  assert.equal(batch.lastOffsetDelta, 9)
  assert.equal(batch.baseTimestamp, -1)
  assert.equal(batch.maxTimestamp, -1)
  assert.equal(bytes.length, 61)
  const sparse = encodeRecordBatch([{ value: 'survivor', offsetDelta: 4, timestamp: T0 }], { lastOffsetDelta: 9 })
  assert.equal(decodeRecordBatch(sparse).records[0]!.offset, 4)
})

test('rejects bad input: CRC mismatch, wrong magic, impossible lengths, non-increasing offsets', () => {
  const bytes = encodeRecordBatch(manyRecords(5), { compression: CompressionType.Gzip })
  const flipped = Buffer.from(bytes)
  flipped[bytes.length - 3]! ^= 0x01
  assert.throws(() => decodeRecordBatches(flipped), /CRC mismatch/)
  assert.throws(() => decodeRecordBatch(flipped, { verifyCrc: false }), ProtocolDecodeError) // now the gzip body is corrupt
  const wrongMagic = Buffer.from(bytes)
  wrongMagic[16] = 1
  assert.throws(() => decodeRecordBatches(wrongMagic), /magic 1/)
  const tinyLength = Buffer.from(bytes)
  tinyLength.writeInt32BE(10, 8)
  assert.throws(() => decodeRecordBatches(tinyLength), ProtocolDecodeError)
  const plain = encodeRecordBatch(manyRecords(2))
  const extraCount = Buffer.from(plain)
  extraCount.writeInt32BE(3, 57)
  extraCount.writeUInt32BE(crc32c(extraCount.subarray(21)), 17)
  assert.throws(() => decodeRecordBatches(extraCount), ProtocolDecodeError)
  assert.throws(() => encodeRecordBatch([{ offsetDelta: 2 }, { offsetDelta: 2 }]), RangeError)
  assert.throws(() => encodeRecordBatch([{ value: 'x' }], { lastOffsetDelta: -1 }), RangeError)
})

const PYTHON_READER = `
import sys, json
from kafka.record.memory_records import MemoryRecords
records = MemoryRecords(sys.stdin.buffer.read())
out = []
while True:
    batch = records.next_batch()
    if batch is None:
        break
    assert batch.validate_crc(), 'crc'
    hexed = lambda b: None if b is None else bytes(b).hex()
    out.append({'baseOffset': batch.base_offset, 'codec': batch.compression_type, 'control': batch.is_control_batch,
                'records': [[r.offset, r.timestamp, hexed(r.key), hexed(r.value), [[k, hexed(v)] for k, v in r.headers]] for r in batch]})
print(json.dumps(out))
`

function kafkaPythonAvailable (): boolean {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import kafka.codec as c; assert c.has_snappy() and c.has_lz4() and c.has_zstd()'], { stdio: 'ignore' })
  return probe.status === 0
}

test('kafka-python (a real client) reads our batches of every codec, CRC verified', { skip: kafkaPythonAvailable() ? false : 'python3-kafka with snappy/lz4/zstd not installed' }, () => {
  const batches = CODECS.map((codec, i) => encodeRecordBatch(MIXED, { baseOffset: 1000 + 10 * i, compression: codec }))
  batches.push(encodeRecordBatch([controlRecord(ControlRecordType.Commit, 0, T0)], { baseOffset: 2000, isControl: true, isTransactional: true, producerId: 1, producerEpoch: 0 }))
  const result = spawnSync('/usr/bin/python3', ['-c', PYTHON_READER], { input: Buffer.concat(batches) })
  assert.equal(result.status, 0, result.stderr.toString())
  const seen = JSON.parse(result.stdout.toString()) as Array<{ baseOffset: number, codec: number, control: boolean, records: unknown[][] }>
  const hex = (b: Buffer | null): string | null => (b === null ? null : b.toString('hex'))
  CODECS.forEach((codec, i) => {
    const base = 1000 + 10 * i
    assert.equal(seen[i]!.codec, codec)
    assert.deepEqual(seen[i]!.records, MIXED_DECODED.map((r) => [r.offset - 1000 + base, r.timestamp, hex(r.key), hex(r.value), r.headers.map((h) => [h.key, hex(h.value)])]))
  })
  assert.equal(seen[5]!.control, true)
  assert.equal(seen[5]!.baseOffset, 2000)
})
