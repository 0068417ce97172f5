/**
 * Splits a TCP byte stream into Kafka frames (int32 size prefix + payload). Chunks are concatenated only when a
 * frame spans several of them. An impossible size (negative, shorter than a request header, above the limit)
 * is reported through `onInvalidSize` and no further frames are produced.
 */
const MIN_REQUEST_SIZE = 8 // apiKey + apiVersion + correlationId

export class FrameReader {
  private chunks: Buffer[] = []
  private buffered = 0
  private expected = -1
  private failed = false

  constructor (
    private readonly maxFrameBytes: number,
    private readonly onFrame: (frame: Buffer) => void,
    private readonly onInvalidSize: (size: number) => void
  ) {}

  push (chunk: Buffer): void {
    if (this.failed) return
    this.chunks.push(chunk)
    this.buffered += chunk.length
    while (!this.failed) {
      if (this.expected < 0) {
        if (this.buffered < 4) return
        const size = this.take(4).readInt32BE(0)
        if (size < MIN_REQUEST_SIZE || size > this.maxFrameBytes) {
          this.failed = true
          this.chunks = []
          this.onInvalidSize(size)
          return
        }
        this.expected = size
      }
      if (this.buffered < this.expected) return
      const frame = this.take(this.expected)
      this.expected = -1
      this.onFrame(frame)
    }
  }

  private take (bytes: number): Buffer {
    const first = this.chunks[0]!
    this.buffered -= bytes
    if (first.length === bytes) {
      this.chunks.shift()
      return first
    }
    if (first.length > bytes) {
      this.chunks[0] = first.subarray(bytes)
      return first.subarray(0, bytes)
    }
    const out = Buffer.allocUnsafe(bytes)
    let filled = 0
    while (filled < bytes) {
      const chunk = this.chunks[0]!
      const needed = bytes - filled
      if (chunk.length <= needed) {
        chunk.copy(out, filled)
        filled += chunk.length
        this.chunks.shift()
      } else {
        chunk.copy(out, filled, 0, needed)
        this.chunks[0] = chunk.subarray(needed)
        filled += needed
      }
    }
    return out
  }
}
