/**
 * Growable big-endian writer that produces a list of chunks. Large opaque payloads (record batches) are
 * appended by reference, not copied, so a Fetch response hands the socket the very Buffers read from disk.
 */
const CHUNK_SIZE = 16 * 1024
const COPY_LIMIT = 1024

export class Writer {
  private readonly chunks: Buffer[] = []
  private current: Buffer
  private position = 0
  private finished = 0

  constructor (initialSize = 256) {
    this.current = Buffer.allocUnsafe(initialSize)
  }

  get length (): number {
    return this.finished + this.position
  }

  private ensure (bytes: number): void {
    if (this.position + bytes <= this.current.length) return
    this.seal()
    this.current = Buffer.allocUnsafe(Math.max(CHUNK_SIZE, bytes))
  }

  private seal (): void {
    if (this.position > 0) {
      this.chunks.push(this.current.subarray(0, this.position))
      this.finished += this.position
    }
    this.current = this.current.subarray(this.position)
    this.position = 0
  }

  int8 (value: number): this { this.ensure(1); this.current.writeInt8(value, this.position); this.position += 1; return this }
  int16 (value: number): this { this.ensure(2); this.current.writeInt16BE(value, this.position); this.position += 2; return this }
  uint16 (value: number): this { this.ensure(2); this.current.writeUInt16BE(value, this.position); this.position += 2; return this }
  int32 (value: number): this { this.ensure(4); this.current.writeInt32BE(value, this.position); this.position += 4; return this }
  uint32 (value: number): this { this.ensure(4); this.current.writeUInt32BE(value >>> 0, this.position); this.position += 4; return this }
  float64 (value: number): this { this.ensure(8); this.current.writeDoubleBE(value, this.position); this.position += 8; return this }
  bool (value: boolean): this { return this.int8(value ? 1 : 0) }

  int64 (value: number): this {
    this.ensure(8)
    if (Number.isSafeInteger(value)) {
      const high = Math.floor(value / 4294967296)
      this.current.writeInt32BE(high, this.position)
      this.current.writeUInt32BE(value - high * 4294967296, this.position + 4)
    } else {
      // Beyond 2^53 (e.g. Long.MAX_VALUE sentinels): clamp into the int64 range.
      const big = BigInt(Math.trunc(value))
      const clamped = big > 9223372036854775807n ? 9223372036854775807n : big < -9223372036854775808n ? -9223372036854775808n : big
      this.current.writeBigInt64BE(clamped, this.position)
    }
    this.position += 8
    return this
  }

  uvarint (value: number): this {
    this.ensure(5)
    let rest = value >>> 0
    while (rest >= 0x80) {
      this.current[this.position++] = (rest & 0x7f) | 0x80
      rest >>>= 7
    }
    this.current[this.position++] = rest
    return this
  }

  varint (value: number): this {
    return this.uvarint(((value << 1) ^ (value >> 31)) >>> 0)
  }

  uuid (value: string): this {
    const hex = value.replaceAll('-', '')
    if (hex.length !== 32) throw new TypeError(`invalid UUID ${value}`)
    this.ensure(16)
    this.current.write(hex, this.position, 16, 'hex')
    this.position += 16
    return this
  }

  raw (bytes: Buffer): this {
    if (bytes.length <= COPY_LIMIT) {
      this.ensure(bytes.length)
      bytes.copy(this.current, this.position)
      this.position += bytes.length
    } else {
      this.seal()
      this.chunks.push(bytes)
      this.finished += bytes.length
    }
    return this
  }

  length32 (compact: boolean, wide: boolean, length: number): this {
    if (compact) return this.uvarint(length + 1)
    return wide ? this.int32(length) : this.int16(length)
  }

  string (value: string | null, compact: boolean): this {
    if (value === null) return this.length32(compact, false, -1)
    const length = Buffer.byteLength(value)
    this.length32(compact, false, length)
    this.ensure(length)
    this.current.write(value, this.position, length, 'utf8')
    this.position += length
    return this
  }

  bytes (value: Buffer | null, compact: boolean): this {
    if (value === null) return this.length32(compact, true, -1)
    this.length32(compact, true, value.length)
    return this.raw(value)
  }

  /** Returns the written chunks; the writer must not be used afterwards. */
  finish (): Buffer[] {
    this.seal()
    return this.chunks
  }

  /** Convenience for tests and small messages: one contiguous Buffer. */
  toBuffer (): Buffer {
    const chunks = this.finish()
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
  }
}
