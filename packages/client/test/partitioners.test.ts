import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { javaCompatiblePartitioner, javaKeyPartition, murmur2, roundRobinPartitioner, timeWindowPartitioner, toPositive } from '../src/index.js'

// The Java client's test vectors (signed int32 murmur2 of the UTF-8 bytes).
const VECTORS: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
  ['0', 971027396],
  ['1', -1993445489],
  ['100:48069', 1009543857]
]

const request = (key: string | null, numPartitions: number, value = 'v', topic = 't') =>
  ({ topic, key: key === null ? null : Buffer.from(key), value: Buffer.from(value), numPartitions, timestamp: 0 })

describe('murmur2 (Java-compatible)', () => {
  for (const [input, expected] of VECTORS) {
    test(`murmur2(${JSON.stringify(input)}) = ${expected}`, () => {
      assert.equal(murmur2(Buffer.from(input)), expected)
    })
  }

  test('toPositive masks the sign bit instead of taking the absolute value', () => {
    assert.equal(toPositive(-973932308), -973932308 & 0x7fffffff)
    assert.equal(toPositive(-973932308), 1173551340)
    assert.notEqual(toPositive(-1), Math.abs(-1))
    assert.equal(toPositive(-2147483648), 0)
  })

  test('keyed partition = toPositive(murmur2(key)) % numPartitions, bit-exact for every vector', () => {
    for (const [input, hash] of VECTORS) {
      for (const partitions of [1, 3, 7, 12, 100]) {
        assert.equal(javaKeyPartition(Buffer.from(input), partitions), (hash & 0x7fffffff) % partitions)
      }
    }
    // Worked examples: "foobar" over 12 partitions, "abc" over 7.
    assert.equal(javaKeyPartition(Buffer.from('foobar'), 12), (-790332482 & 0x7fffffff) % 12)
    assert.equal(javaKeyPartition(Buffer.from('abc'), 7), 479470107 % 7)
  })

  test('empty key and every tail length (0–3 trailing bytes)', () => {
    assert.equal(murmur2(Buffer.alloc(0)), murmur2(new Uint8Array(0)))
    const hashes = new Set([1, 2, 3, 4, 5, 6, 7].map((n) => murmur2(Buffer.from('abcdefg'.slice(0, n)))))
    assert.equal(hashes.size, 7)
  })
})

describe('javaCompatiblePartitioner', () => {
  test('keyed records: the murmur2 partition', () => {
    const partition = javaCompatiblePartitioner()
    assert.equal(partition(request('foobar', 12)), (-790332482 & 0x7fffffff) % 12)
    assert.equal(partition(request('21', 5)), (-973932308 & 0x7fffffff) % 5)
  })

  test('null keys stick to one partition until stickyBatchBytes, then move to a different one', () => {
    const randoms = [0.5, 0.0, 0.99]
    const partition = javaCompatiblePartitioner({ stickyBatchBytes: 10, random: () => randoms.shift() ?? 0 })
    // 0.5 * 4 → partition 2; each record counts value length + 1 = 4 bytes; 3 records reach 12 ≥ 10.
    assert.deepEqual([1, 2, 3].map(() => partition(request(null, 4, 'abc'))), [2, 2, 2])
    // Next pick excludes 2: 0.0 → 0.
    assert.deepEqual([1, 2, 3].map(() => partition(request(null, 4, 'abc'))), [0, 0, 0])
    // 0.99 * 3 = 2 → not below the previous (0) → 3.
    assert.equal(partition(request(null, 4, 'abc')), 3)
  })

  test('sticky state is per topic, and a single partition is always 0', () => {
    const partition = javaCompatiblePartitioner({ random: () => 0.9 })
    assert.equal(partition(request(null, 10, 'x', 'a')), 9)
    assert.equal(partition(request(null, 1, 'x', 'b')), 0)
    assert.equal(partition(request(null, 10, 'x', 'a')), 9)
  })
})

describe('pluggable partitioners', () => {
  test('round robin cycles per topic', () => {
    const partition = roundRobinPartitioner()
    assert.deepEqual([0, 1, 2, 3, 4].map(() => partition(request('k', 3))), [0, 1, 2, 0, 1])
  })

  test('time windows: every record of one window lands on one partition, windows rotate', () => {
    const partition = timeWindowPartitioner({ windowMs: 3_600_000 })
    const at = (timestamp: number) => partition({ ...request('k', 4), timestamp })
    assert.equal(at(0), 0)
    assert.equal(at(3_599_999), 0)
    assert.equal(at(3_600_000), 1)
    assert.equal(at(4 * 3_600_000 + 5), 0)
    assert.throws(() => timeWindowPartitioner({ windowMs: 0 }), RangeError)
  })
})
