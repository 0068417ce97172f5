/** Helpers for byte-exact ("golden") frame checks written out by hand from the protocol guide. */

/** Hex text to bytes; whitespace is ignored so fields can be spaced apart. */
export const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex')

/** A frame as on the wire: int32 size prefix, then the given parts (header and body). */
export const framed = (...parts: string[]): Buffer => {
  const body = hex(parts.join(''))
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length)
  return Buffer.concat([size, body])
}

/** Body types make every nested field required, even fields absent from the version under test. */
export const loose = (body: Record<string, unknown>): never => body as never
