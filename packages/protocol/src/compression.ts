/**
 * Kafka record-batch compression codecs, keyed by the codec id in bits 0–2 of the batch attributes.
 *
 * Libraries, and why:
 * - gzip: node:zlib (always there).
 * - snappy: `snappy` (napi-rs; prebuilt binaries ship as npm optional dependencies).
 * - lz4: `lz4-napi` (napi-rs, lz4_flex underneath). Its *frame* functions write what Kafka's Java client writes
 *   for magic ≥ 1: LZ4 frame version 01, independent blocks, no checksums, no content size, no dictionary (FLG 0x60),
 *   spec-correct header checksum. Only the block size differs: Java writes 64 KiB blocks, lz4_flex picks 64 KiB,
 *   256 KiB or 4 MiB by input size — Java's reader accepts all of them (BD values 4–7); it rejects linked blocks.
 * - zstd: `@toondepauw/node-zstd`. Node 20's zlib has no zstd (it arrived in Node 22.15; @platformatic/kafka uses
 *   zlib's and simply lacks zstd on Node 20). Of the packages weighed, this is the one that (1) installs from the
 *   npm registry alone — napi-rs prebuilt binaries for linux/macOS/windows x64+arm64 (glibc and musl) inside npm
 *   optional dependencies, like `snappy` and `lz4-napi` above; (2) has a *synchronous* API as well as async tasks
 *   that run on the libuv pool; (3) wraps the official libzstd (1.5.7) through the Rust `zstd` crate, so it is
 *   ~3× faster than the WASM builds. Rejected: `@mongodb-js/zstd` ≥ 2 and `zstd-napi` (install via
 *   prebuild-install, which downloads from GitHub: fails here), `@mongodb-js/zstd` 1.x (async only, frozen line),
 *   `@bokuweb/zstd-wasm` and `zstd-codec` (WASM/asm.js: slower, need an async init; kept in mind as a portable
 *   fallback), `fzstd` (decompress only).
 *   Its encoder streams, so its frames carry no content size (like Java's ZstdOutputStream and librdkafka). Most
 *   consumers cope, but kafka-python 2.0.2 then caps output at 1 MiB and fails, and librdkafka has to guess a buffer
 *   size; so withContentSize() writes the known size into the frame header (a spec-legal, optional field).
 *
 * Snappy framing: Kafka's Java client (and kafka-python) wrap snappy in xerial-snappy-java's stream format
 * (16-byte header `\x82SNAPPY\0` + version 1 + compatible version 1, then blocks of int32-BE length + raw snappy);
 * librdkafka, Sarama and franz-go write one raw snappy block. Java, librdkafka, kafkajs-snappy and kafka-python
 * decode both, but @platformatic/kafka decodes raw only, so we *write raw* and *read both*. A raw snappy stream can
 * never begin with the xerial magic (its third byte would be an impossible copy at output position 0), so the
 * detection is unambiguous.
 */
import { gzip, gunzip, gzipSync, gunzipSync } from 'node:zlib'
import { promisify } from 'node:util'
import { createRequire } from 'node:module'
import type * as SnappyModule from 'snappy'
import type * as Lz4Module from 'lz4-napi'
import type * as ZstdModule from '@toondepauw/node-zstd'
import { ProtocolDecodeError, SamsaError } from './errors.js'

export enum CompressionType { None = 0, Gzip = 1, Snappy = 2, Lz4 = 3, Zstd = 4 }

/** Mask of the codec bits in RecordBatch attributes. */
export const COMPRESSION_CODEC_MASK = 0x07

/** Kafka's default zstd level (compression.zstd.level = 3). */
const ZSTD_LEVEL = 3

// The native codecs load on first use: most brokers never look inside a batch, and loading all three costs ~40 ms
// of start-up time.
const load = createRequire(import.meta.url)
let snappyModule: typeof SnappyModule | undefined
let lz4Module: typeof Lz4Module | undefined
let zstdCodec: { encoder: ZstdModule.Encoder, decoder: ZstdModule.Decoder } | undefined
const snappy = (): typeof SnappyModule => (snappyModule ??= load('snappy') as typeof SnappyModule)
const lz4 = (): typeof Lz4Module => (lz4Module ??= load('lz4-napi') as typeof Lz4Module)
function zstd (): { encoder: ZstdModule.Encoder, decoder: ZstdModule.Decoder } {
  if (zstdCodec === undefined) {
    const lib = load('@toondepauw/node-zstd') as typeof ZstdModule
    zstdCodec = { encoder: new lib.Encoder(ZSTD_LEVEL), decoder: new lib.Decoder() }
  }
  return zstdCodec
}

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_LENGTH = 16

export class UnsupportedCompressionError extends SamsaError {
  constructor (type: number) {
    super('SAMSA_PROTOCOL_UNSUPPORTED_COMPRESSION', `compression codec ${type} is not supported`)
  }
}

export function compressionName (type: CompressionType): string {
  return CompressionType[type]?.toLowerCase() ?? `codec-${type}`
}

/** Accepts the codec bits of a batch attributes field; throws for 5–7 (reserved). */
export function toCompressionType (value: number): CompressionType {
  if (Number.isInteger(value) && value >= 0 && value <= 4) return value as CompressionType
  throw new UnsupportedCompressionError(value)
}

export function compress (type: CompressionType, data: Buffer): Buffer {
  switch (toCompressionType(type)) {
    case CompressionType.None: return data
    case CompressionType.Gzip: return gzipSync(data)
    case CompressionType.Snappy: return snappy().compressSync(data)
    case CompressionType.Lz4: return lz4().compressFrameSync(data)
    case CompressionType.Zstd: return withContentSize(zstd().encoder.encodeSync(data), data.length)
  }
}

export function decompress (type: CompressionType, data: Buffer): Buffer {
  const codec = toCompressionType(type)
  try {
    switch (codec) {
      case CompressionType.None: return data
      case CompressionType.Gzip: return gunzipSync(data)
      case CompressionType.Snappy: return isXerial(data) ? Buffer.concat(xerialBlocks(data).map(snappyRaw)) : snappyRaw(data)
      case CompressionType.Lz4: return lz4().decompressFrameSync(data)
      case CompressionType.Zstd: return zstd().decoder.decodeSync(data)
    }
  } catch (err) {
    throw corrupt(codec, err)
  }
}

/** Same as compress(), but the work runs on the libuv thread pool instead of the event loop. */
export async function compressAsync (type: CompressionType, data: Buffer): Promise<Buffer> {
  switch (toCompressionType(type)) {
    case CompressionType.None: return data
    case CompressionType.Gzip: return await gzipAsync(data)
    case CompressionType.Snappy: return await snappy().compress(data)
    case CompressionType.Lz4: return await lz4().compressFrame(data)
    case CompressionType.Zstd: return withContentSize(await zstd().encoder.encode(data), data.length)
  }
}

/** Same as decompress(), but the work runs on the libuv thread pool instead of the event loop. */
export async function decompressAsync (type: CompressionType, data: Buffer): Promise<Buffer> {
  const codec = toCompressionType(type)
  try {
    switch (codec) {
      case CompressionType.None: return data
      case CompressionType.Gzip: return await gunzipAsync(data)
      case CompressionType.Snappy: {
        if (!isXerial(data)) return asBuffer(await snappy().uncompress(data))
        const blocks = await Promise.all(xerialBlocks(data).map(async (block) => asBuffer(await snappy().uncompress(block))))
        return Buffer.concat(blocks)
      }
      case CompressionType.Lz4: return await lz4().decompressFrame(data)
      case CompressionType.Zstd: return await zstd().decoder.decode(data)
    }
  } catch (err) {
    throw corrupt(codec, err)
  }
}

function snappyRaw (data: Buffer): Buffer {
  return asBuffer(snappy().uncompressSync(data))
}

function asBuffer (value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : value
}

function isXerial (data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_LENGTH && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)
}

/** Raw snappy blocks of a xerial stream. Concatenated streams (a header again between blocks) are accepted too. */
function xerialBlocks (data: Buffer): Buffer[] {
  const blocks: Buffer[] = []
  let at = 0
  while (at < data.length) {
    if (data.length - at >= XERIAL_HEADER_LENGTH && data.subarray(at, at + XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
      at += XERIAL_HEADER_LENGTH
      continue
    }
    if (data.length - at < 4) throw new Error(`truncated xerial block length at ${at}`)
    const length = data.readInt32BE(at)
    at += 4
    if (length < 0 || at + length > data.length) throw new Error(`xerial block of ${length} bytes overruns the input at ${at}`)
    blocks.push(data.subarray(at, at + length))
    at += length
  }
  return blocks
}

const ZSTD_MAGIC = 0xfd2fb528

/**
 * Adds Frame_Content_Size to a single zstd frame written without one (RFC 8878 §3.1.1.1). Only the header changes:
 * the field is optional and covered by no checksum, and the decoder checks it against what it decodes. Frames
 * that already have a size, a dictionary id or the single-segment layout are returned unchanged.
 */
function withContentSize (frame: Buffer, contentSize: number): Buffer {
  if (frame.length < 6 || frame.readUInt32LE(0) !== ZSTD_MAGIC) return frame
  const descriptor = frame[4]!
  if ((descriptor & 0xe3) !== 0) return frame // size flag, single-segment flag or dictionary id already set
  let sizeFlag: number
  let field: Buffer
  if (contentSize >= 256 && contentSize < 256 + 0x10000) {
    sizeFlag = 1
    field = Buffer.alloc(2)
    field.writeUInt16LE(contentSize - 256) // the 2-byte form stores size − 256
  } else if (contentSize < 2 ** 32) {
    sizeFlag = 2
    field = Buffer.alloc(4)
    field.writeUInt32LE(contentSize)
  } else {
    sizeFlag = 3
    field = Buffer.alloc(8)
    field.writeBigUInt64LE(BigInt(contentSize))
  }
  const header = Buffer.from(frame.subarray(0, 6)) // magic, descriptor, window descriptor
  header[4] = descriptor | (sizeFlag << 6)
  return Buffer.concat([header, field, frame.subarray(6)])
}

function corrupt (codec: CompressionType, err: unknown): ProtocolDecodeError {
  const reason = err instanceof Error ? err.message : String(err)
  return new ProtocolDecodeError(`${compressionName(codec)} decompression failed: ${reason}`)
}
