/**
 * Confluent's wire format: byte 0 = magic 0, bytes 1–4 = schema id (big-endian int32), then the payload. PROTOBUF
 * payloads start with the message indexes: a count then each index, as zigzag varints, with the common case `[0]`
 * (first message of the file) written as a single 0x00. Some older clients (confluent-kafka-python < 1.8) wrote
 * unsigned varints instead; `indexEncoding: 'unsigned'` reads and writes those.
 */
export const MAGIC_BYTE = 0

/** Bytes not in the wire format (a poison message on consume): 'schema-validation' for dead-letter handling. */
export class WireFormatError extends Error {
  readonly code = 'SAMSA_REGISTRY_WIRE_FORMAT'
  readonly category = 'schema-validation'
  readonly retriable = false
  constructor (message: string) {
    super(message)
    this.name = 'WireFormatError'
  }
}

export function frame (id: number, payload: Uint8Array, prefix?: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.writeUInt8(MAGIC_BYTE, 0)
  header.writeInt32BE(id, 1)
  return Buffer.concat(prefix === undefined ? [header, payload] : [header, prefix, payload])
}

export function unframe (bytes: Buffer): { id: number, body: Buffer } {
  if (bytes.length < 5) throw new WireFormatError(`message of ${bytes.length} bytes is shorter than the 5-byte schema header`)
  if (bytes[0] !== MAGIC_BYTE) throw new WireFormatError(`unknown magic byte ${bytes[0]} (expected ${MAGIC_BYTE}): not written by a schema-registry serializer`)
  return { id: bytes.readInt32BE(1), body: bytes.subarray(5) }
}

export type IndexEncoding = 'zigzag' | 'unsigned'

function writeVarint (out: number[], value: number): void {
  let v = value >>> 0
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
}

function readVarint (bytes: Buffer, offset: number): { value: number, next: number } {
  let result = 0
  let shift = 0
  let position = offset
  for (;;) {
    if (position >= bytes.length) throw new WireFormatError('truncated varint in protobuf message indexes')
    const byte = bytes[position++] as number
    result |= (byte & 0x7f) << shift
    if ((byte & 0x80) === 0) break
    shift += 7
    if (shift > 28) throw new WireFormatError('varint too long in protobuf message indexes')
  }
  return { value: result >>> 0, next: position }
}

const zigzag = (n: number): number => (n << 1) ^ (n >> 31)
const unzigzag = (n: number): number => (n >>> 1) ^ -(n & 1)

export function encodeMessageIndexes (indexes: number[], encoding: IndexEncoding = 'zigzag'): Buffer {
  if (indexes.length === 1 && indexes[0] === 0) return Buffer.from([0])
  const out: number[] = []
  const put = (n: number): void => writeVarint(out, encoding === 'zigzag' ? zigzag(n) : n)
  put(indexes.length)
  for (const index of indexes) put(index)
  return Buffer.from(out)
}

export function decodeMessageIndexes (bytes: Buffer, encoding: IndexEncoding = 'zigzag'): { indexes: number[], rest: Buffer } {
  const get = (offset: number): { value: number, next: number } => {
    const { value, next } = readVarint(bytes, offset)
    return { value: encoding === 'zigzag' ? unzigzag(value) : value, next }
  }
  let { value: count, next } = get(0)
  if (count === 0) return { indexes: [0], rest: bytes.subarray(next) }
  if (count < 0 || count > 100) throw new WireFormatError(`implausible protobuf message index count ${count}`)
  const indexes: number[] = []
  for (let i = 0; i < count; i++) {
    const read = get(next)
    indexes.push(read.value)
    next = read.next
  }
  return { indexes, rest: bytes.subarray(next) }
}
