/**
 * Splits a TCP byte stream into Kafka frames (int32 size prefix + payload). A frame that lies whole inside a chunk
 * is passed on as a view of it (no copy); a frame that spans chunks is assembled in a buffer of its own (a recycled
 * slab when large, see log/read-buffers.ts). Chunks may be owned by the caller's Buffer or only lent (the reused
 * read buffer of network/read-buffer.ts): a frame passed on as a view of a lent chunk is `transient`, valid only
 * until onFrame returns. An impossible size (negative, shorter than a request header, above the limit) is
 * reported through `onInvalidSize` and no further frames are produced.
 */
import { takeReadBuffer } from '../log/read-buffers.js'

const MIN_REQUEST_SIZE = 8 // apiKey + apiVersion + correlationId
const SIZE_BYTES = 4

export class FrameReader {
  /** Size prefix bytes received so far when it was split between chunks. */
  private readonly sizeBytes = Buffer.alloc(SIZE_BYTES)
  private sizeFilled = 0
  /** The frame being assembled from several chunks, and how much of it has arrived. */
  private partial: Buffer | null = null
  private partialFilled = 0
  private failed = false

  constructor (
    private readonly maxFrameBytes: number,
    private readonly onFrame: (frame: Buffer, transient: boolean) => void,
    private readonly onInvalidSize: (size: number) => void
  ) {}

  /** `owned`: the chunk's memory stays valid after this call (false: it is reused for the next read). */
  push (chunk: Buffer, owned = true): void {
    const end = chunk.length
    let pos = 0
    while (pos < end && !this.failed) {
      const partial = this.partial
      if (partial !== null) {
        const bytes = Math.min(end - pos, partial.length - this.partialFilled)
        chunk.copy(partial, this.partialFilled, pos, pos + bytes)
        this.partialFilled += bytes
        pos += bytes
        if (this.partialFilled === partial.length) {
          this.partial = null
          this.onFrame(partial, false)
        }
        continue
      }
      let size: number
      if (this.sizeFilled > 0 || end - pos < SIZE_BYTES) {
        const bytes = Math.min(SIZE_BYTES - this.sizeFilled, end - pos)
        chunk.copy(this.sizeBytes, this.sizeFilled, pos, pos + bytes)
        this.sizeFilled += bytes
        pos += bytes
        if (this.sizeFilled < SIZE_BYTES) return
        this.sizeFilled = 0
        size = this.sizeBytes.readInt32BE(0)
      } else {
        size = chunk.readInt32BE(pos)
        pos += SIZE_BYTES
      }
      if (size < MIN_REQUEST_SIZE || size > this.maxFrameBytes) {
        this.failed = true
        this.onInvalidSize(size)
        return
      }
      if (end - pos >= size) {
        this.onFrame(chunk.subarray(pos, pos + size), !owned)
        pos += size
      } else {
        // A recycled slab when large enough (the connection returns Produce frames once their records are stored).
        this.partial = takeReadBuffer(size)
        this.partialFilled = 0
      }
    }
  }
}
