import { ProtocolDecodeError } from '../errors.js'

/**
 * Sequential big-endian reader over one request/response frame. Every read is bounds-checked: a short or
 * malformed frame throws ProtocolDecodeError (a framing fault), never reads past the frame.
 */
export class Reader {
  readonly buffer: Buffer
  offset: number
  readonly end: number

  constructor (buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer
    this.offset = offset
    this.end = end
  }

  get remaining (): number {
    return this.end - this.offset
  }

  private need (bytes: number): number {
    const at = this.offset
    if (bytes < 0 || at + bytes > this.end) {
      throw new ProtocolDecodeError(`need ${bytes} bytes at offset ${at}, frame ends at ${this.end}`)
    }
    this.offset = at + bytes
    return at
  }

  int8 (): number { return this.buffer.readInt8(this.need(1)) }
  int16 (): number { return this.buffer.readInt16BE(this.need(2)) }
  uint16 (): number { return this.buffer.readUInt16BE(this.need(2)) }
  int32 (): number { return this.buffer.readInt32BE(this.need(4)) }
  uint32 (): number { return this.buffer.readUInt32BE(this.need(4)) }
  float64 (): number { return this.buffer.readDoubleBE(this.need(8)) }
  bool (): boolean { return this.buffer[this.need(1)] !== 0 }

  /** int64 as a JS number: exact up to 2^53, which covers offsets, timestamps and producer ids in practice. */
  int64 (): number {
    const at = this.need(8)
    return this.buffer.readInt32BE(at) * 4294967296 + this.buffer.readUInt32BE(at + 4)
  }

  uvarint (): number {
    let value = 0
    let shift = 0
    for (;;) {
      const byte = this.buffer[this.need(1)]!
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return value
      shift += 7
      if (shift > 28) throw new ProtocolDecodeError('unsigned varint longer than 5 bytes')
    }
  }

  varint (): number {
    const raw = this.uvarint()
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
  }

  slice (length: number): Buffer {
    const at = this.need(length)
    return this.buffer.subarray(at, at + length)
  }

  uuid (): string {
    const hex = this.slice(16).toString('hex')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }

  /** Length prefix of a string/bytes/array: int16/int32 classic or uvarint(n+1) compact; -1 means null. */
  length (compact: boolean, wide: boolean): number {
    if (compact) return this.uvarint() - 1
    return wide ? this.int32() : this.int16()
  }

  string (compact: boolean): string | null {
    const length = this.length(compact, false)
    if (length < 0) return null
    return this.slice(length).toString('utf8')
  }

  bytes (compact: boolean): Buffer | null {
    const length = this.length(compact, true)
    if (length < 0) return null
    return this.slice(length)
  }
}
