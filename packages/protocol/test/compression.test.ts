import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  CompressionType, UnsupportedCompressionError, compress, compressAsync, decompress, decompressAsync, toCompressionType
} from '../src/compression.js'
import { ProtocolDecodeError } from '../src/errors.js'

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]

/** The plaintext of every fixed vector below. */
const VECTOR_PLAINTEXT = Buffer.concat([
  Buffer.from('samsa speaks kafka; '.repeat(12)),
  Buffer.from(Array.from({ length: 37 }, (_, i) => i * 7)),
  Buffer.from('the end')
])

/**
 * Compressed by other implementations: kafka-python 2.0.2's kafka.codec (what it puts in record batches — xerial
 * snappy, independent-block lz4 frames with content size, zstd frames with content size) and the lz4 1.9.4 / zstd
 * 1.5.4 CLIs (liblz4/libzstd, the libraries librdkafka links).
 */
const VECTORS: Array<[string, CompressionType, string]> = [
  ['gzip, kafka-python', CompressionType.Gzip, 'H4sIAGAkA2sC/ytOzC1OVCguSE3MLlbITkzLTrRWKB7GYgzsfKIyylqGFvZuviHRSZkF5XWtPZNnLVyxftveI6cv3Xzw/N3XPyUZqQqpeSkA6cYC5xwBAAA='],
  ['snappy raw, kafka-python', CompressionType.Snappy, 'nAJMc2Ftc2Egc3BlYWtzIGthZmthOyD+FAD+FAD+FABuFACsAAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+71/HRoZSBlbmQ='],
  ['snappy xerial (3 blocks), kafka-python', CompressionType.Snappy, 'glNOQVBQWQAAAAABAAAAAQAAABxkTHNhbXNhIHNwZWFrcyBrYWZrYTsg/hQAPhQAAAAAHGRMc2Ftc2Egc3BlYWtzIGthZmthOyD+FAA+FAAAAABGVExzYW1zYSBzcGVha3Mga2Fma2E7IE4UAKwABw4VHCMqMTg/Rk1UW2JpcHd+hYyTmqGor7a9xMvS2eDn7vX8dGhlIGVuZA=='],
  ['lz4 frame, kafka-python', CompressionType.Lz4, 'BCJNGGhAHAEAAAAAAAA4RwAAAP8Fc2Ftc2Egc3BlYWtzIGthZmthOyAUAMnwHQAHDhUcIyoxOD9GTVRbYmlwd36FjJOaoaivtr3Ey9LZ4Ofu9fx0aGUgZW5kAAAAAA=='],
  ['lz4 frame with content checksum, lz4 CLI', CompressionType.Lz4, 'BCJNGGRAp0cAAAD/BXNhbXNhIHNwZWFrcyBrYWZrYTsgFADJ8B0ABw4VHCMqMTg/Rk1UW2JpcHd+hYyTmqGor7a9xMvS2eDn7vX8dGhlIGVuZAAAAACUVY//'],
  ['lz4 frame with block checksums, lz4 CLI', CompressionType.Lz4, 'BCJNGHRAvUcAAAD/BXNhbXNhIHNwZWFrcyBrYWZrYTsgFADJ8B0ABw4VHCMqMTg/Rk1UW2JpcHd+hYyTmqGor7a9xMvS2eDn7vX8dGhlIGVuZE0l6KQAAAAAlFWP/w=='],
  ['zstd with content size, kafka-python', CompressionType.Zstd, 'KLUv/WAcAEUCAAQEc2Ftc2Egc3BlYWtzIGthZmthOyAABw4VHCMqMTg/Rk1UW2JpcHd+hYyTmqGor7a9xMvS2eDn7vX8dGhlIGVuZAEAskdNJg=='],
  ['zstd streamed without content size, zstd CLI', CompressionType.Zstd, 'KLUv/QRYRQIABARzYW1zYSBzcGVha3Mga2Fma2E7IAAHDhUcIyoxOD9GTVRbYmlwd36FjJOaoaivtr3Ey9LZ4Ofu9fx0aGUgZW5kAQCyR00mNkYZig==']
]

function sampleJson (count: number): Buffer {
  const lines: string[] = []
  for (let i = 0; i < count; i++) lines.push(JSON.stringify({ id: i, user: `user-${i % 97}`, nonce: randomBytes(6).toString('hex') }))
  return Buffer.from(lines.join('\n'))
}

const SAMPLES: Array<[string, Buffer]> = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from([0x82])],
  ['random 4 KiB', randomBytes(4096)],
  ['json 300 KiB', sampleJson(5000)]
]

test('every codec round-trips, sync and async, in every combination', async () => {
  for (const codec of CODECS) {
    for (const [name, plain] of SAMPLES) {
      const sync = compress(codec, plain)
      const async = await compressAsync(codec, plain)
      assert.deepEqual(decompress(codec, sync), plain, `${CompressionType[codec]} sync/sync ${name}`)
      assert.deepEqual(decompress(codec, async), plain, `${CompressionType[codec]} async/sync ${name}`)
      assert.deepEqual(await decompressAsync(codec, sync), plain, `${CompressionType[codec]} sync/async ${name}`)
    }
  }
})

test('compressible data actually shrinks', () => {
  const plain = sampleJson(2000)
  for (const codec of CODECS.slice(1)) {
    assert.ok(compress(codec, plain).length < plain.length * 0.7, CompressionType[codec])
  }
})

test('decodes vectors written by kafka-python and the lz4/zstd CLIs', async () => {
  for (const [name, codec, base64] of VECTORS) {
    const compressed = Buffer.from(base64, 'base64')
    assert.deepEqual(decompress(codec, compressed), VECTOR_PLAINTEXT, name)
    assert.deepEqual(await decompressAsync(codec, compressed), VECTOR_PLAINTEXT, `${name} (async)`)
  }
})

test('snappy: writes raw snappy (readable by every client), reads raw and xerial', () => {
  const out = compress(CompressionType.Snappy, VECTOR_PLAINTEXT)
  assert.notEqual(out[0], 0x82, 'no xerial header: @platformatic/kafka cannot read one')
  // Hand-assembled per the snappy format: length 12, literal "abc", copy(length 9, offset 3).
  const raw = Buffer.from([0x0c, 0x08, 0x61, 0x62, 0x63, 0x15, 0x03])
  assert.equal(decompress(CompressionType.Snappy, raw).toString(), 'abcabcabcabc')
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])
  const block = (bytes: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes])
  const xerial = Buffer.concat([header, block(raw), block(Buffer.from([0x02, 0x04, 0x21, 0x3f]))])
  assert.equal(decompress(CompressionType.Snappy, xerial).toString(), 'abcabcabcabc!?')
  // Two xerial streams back to back (snappy-java's reader accepts this too).
  assert.equal(decompress(CompressionType.Snappy, Buffer.concat([xerial, xerial])).toString(), 'abcabcabcabc!?'.repeat(2))
  assert.throws(() => decompress(CompressionType.Snappy, xerial.subarray(0, xerial.length - 2)), ProtocolDecodeError)
})

test('lz4: writes frame flags Kafka\'s Java reader accepts (independent blocks, 64 KiB–4 MiB, no extras)', () => {
  for (const size of [100, 70_000, 300_000]) {
    const out = compress(CompressionType.Lz4, randomBytes(size))
    assert.equal(out.readUInt32LE(0), 0x184d2204, 'frame magic')
    assert.equal(out[4], 0x60, 'FLG: version 01, block independence, no checksums, no content size, no dictionary')
    assert.ok([0x40, 0x50, 0x60, 0x70].includes(out[5]!), `BD ${out[5]}: block size id 4–7, reserved bits clear`)
  }
  assert.equal(compress(CompressionType.Lz4, Buffer.from('small'))[5], 0x40, 'small inputs get Java\'s 64 KiB blocks')
})

test('zstd: frames carry the content size (kafka-python 2.0.2 needs it above 1 MiB)', () => {
  for (const size of [0, 1, 255, 256, 65791, 65792, 70000, 1_300_000]) {
    const plain = randomBytes(size)
    const out = compress(CompressionType.Zstd, plain)
    assert.equal(out.readUInt32LE(0), 0xfd2fb528, 'frame magic')
    const descriptor = out[4]!
    const hasSize = (descriptor >> 6) !== 0 || (descriptor & 0x20) !== 0
    assert.ok(hasSize, `content size present for ${size} bytes`)
    assert.equal(decompress(CompressionType.Zstd, out).length, size)
  }
  const tampered = Buffer.from(compress(CompressionType.Zstd, Buffer.alloc(1000, 'abc')))
  tampered.writeUInt16LE(1000 - 256 + 1, 6) // claim one byte more than the frame holds
  assert.throws(() => decompress(CompressionType.Zstd, tampered), ProtocolDecodeError)
})

test('corrupt input throws ProtocolDecodeError; codec ids 5–7 throw UnsupportedCompressionError', async () => {
  const garbage = Buffer.from('definitely not compressed data')
  for (const codec of CODECS.slice(1)) {
    assert.throws(() => decompress(codec, garbage), (err: unknown) => err instanceof ProtocolDecodeError && err.code === 'SAMSA_PROTOCOL_DECODE')
    await assert.rejects(decompressAsync(codec, garbage), ProtocolDecodeError)
  }
  for (const id of [5, 6, 7, -1, 1.5]) {
    assert.throws(() => toCompressionType(id), UnsupportedCompressionError)
    assert.throws(() => compress(id as CompressionType, garbage), UnsupportedCompressionError)
    assert.throws(() => decompress(id as CompressionType, garbage), UnsupportedCompressionError)
  }
})

function hasTool (name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0
}

const CLI_TOOLS: Array<[string, CompressionType, string[], string[]]> = [
  ['gzip', CompressionType.Gzip, ['-c'], ['-dc']],
  ['lz4', CompressionType.Lz4, ['-c'], ['-dc']],
  ['zstd', CompressionType.Zstd, ['-cq'], ['-dcq']]
]

for (const [tool, codec, compressArgs, decompressArgs] of CLI_TOOLS) {
  test(`interop with the ${tool} CLI in both directions`, { skip: hasTool(tool) ? false : `${tool} not installed` }, () => {
    const plain = sampleJson(20_000) // > 1 MiB: several lz4 blocks
    const theirs = spawnSync(tool, decompressArgs, { input: compress(codec, plain), maxBuffer: 64 << 20 })
    assert.equal(theirs.status, 0, theirs.stderr.toString())
    assert.deepEqual(theirs.stdout, plain)
    const ours = spawnSync(tool, compressArgs, { input: plain, maxBuffer: 64 << 20 })
    assert.equal(ours.status, 0, ours.stderr.toString())
    assert.deepEqual(decompress(codec, ours.stdout), plain)
  })
}

const PYTHON_DECODER = `
import sys, kafka.codec as c
data = sys.stdin.buffer.read()
decode = {1: c.gzip_decode, 2: c.snappy_decode, 3: c.lz4_decode, 4: c.zstd_decode}[int(sys.argv[1])]
sys.stdout.buffer.write(decode(data))
`

function kafkaPythonCodecs (): boolean {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import kafka.codec as c; assert c.has_snappy() and c.has_lz4() and c.has_zstd()'], { stdio: 'ignore' })
  return probe.status === 0
}

test('kafka-python (a real client codec) decodes what we compress', { skip: kafkaPythonCodecs() ? false : 'python3-kafka with snappy/lz4/zstd not installed' }, () => {
  const plain = sampleJson(20_000) // > 1 MiB, past kafka-python's zstd limit for frames without a content size
  for (const codec of CODECS.slice(1)) {
    const result = spawnSync('/usr/bin/python3', ['-c', PYTHON_DECODER, String(codec)], { input: compress(codec, plain), maxBuffer: 64 << 20 })
    assert.equal(result.status, 0, `${CompressionType[codec]}: ${result.stderr.toString()}`)
    assert.deepEqual(result.stdout, plain, CompressionType[codec])
  }
})
