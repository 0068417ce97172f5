/**
 * Asynchronous sequential read of a segment's batches for the cleaner: chunks come from the libuv pool, so a
 * clean of a large log never blocks the event loop on disk I/O. The yielded Buffer is a view into a reused chunk:
 * it is valid until the consumer asks for the next batch (copy what you keep).
 */
import { open } from 'node:fs/promises'
import { BATCH_HEADER_SIZE, BATCH_LENGTH, BATCH_LOG_OVERHEAD } from '@samsa/protocol'

const CHUNK_BYTES = 256 * 1024

export async function * segmentBatches (path: string, from: number, to: number): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r')
  try {
    let chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(BATCH_HEADER_SIZE, to - from)))
    let pos = from // file position of chunk[0]
    let filled = 0
    while (pos < to) {
      const want = Math.min(chunk.length, to - pos)
      while (filled < want) {
        const { bytesRead } = await handle.read(chunk, filled, want - filled, pos + filled)
        if (bytesRead === 0) throw new Error(`${path}: unexpected end of file at ${pos + filled}`)
        filled += bytesRead
      }
      let p = 0
      while (filled - p >= BATCH_HEADER_SIZE) {
        const size = chunk.readInt32BE(p + BATCH_LENGTH) + BATCH_LOG_OVERHEAD
        if (size < BATCH_HEADER_SIZE) throw new Error(`${path}: impossible batch length at ${pos + p}`)
        if (p + size > filled) break
        yield chunk.subarray(p, p + size)
        p += size
      }
      if (p === 0 && filled >= BATCH_HEADER_SIZE) {
        // One batch larger than the chunk: grow to hold it whole.
        const size = chunk.readInt32BE(BATCH_LENGTH) + BATCH_LOG_OVERHEAD
        if (pos + size > to) throw new Error(`${path}: batch at ${pos} runs past the segment end`)
        const bigger = Buffer.allocUnsafe(size)
        chunk.copy(bigger, 0, 0, filled)
        chunk = bigger
        continue
      }
      if (p === 0) throw new Error(`${path}: truncated batch header at ${pos}`)
      // The consumer is done with every view by now: move the partial batch to the front and read on.
      chunk.copyWithin(0, p, filled)
      pos += p
      filled -= p
    }
  } finally {
    await handle.close()
  }
}
