/**
 * Recycled read buffers for Fetch (and for request frames that span several socket reads, which the connection
 * hands back once a Produce has stored them). A fetch reads up to partitionMaxBytes per partition from the segment files into
 * a Buffer that goes to the socket by reference; with a fresh allocation per read, every 4 KiB page of it is a page
 * fault on first touch, which measured as much as the read itself (100 MB: ~40–90 ms fresh vs ~15 ms into resident
 * memory). Here reads of 64 KiB – 1 MiB borrow a slab of a power-of-two size class instead, and the connection hands
 * the slabs back once the response carrying them has been written to the kernel (recycleAfterWrite). A borrowed slab
 * that never comes back (a response never sent, a discarded long-poll result, a caller other than Fetch) is
 * ordinary garbage: only the WeakSet knows it, so nothing leaks.
 */
const MIN_CLASS_BITS = 16 // 64 KiB: smaller reads are cheap enough with plain allocations
const MAX_CLASS_BITS = 20 // 1 MiB: librdkafka's and Kafka's default max.partition.fetch.bytes
/** Bytes kept in the free lists at most (about one default-sized fetch.max.bytes response). */
const MAX_POOLED_BYTES = 64 * 1024 * 1024
/** Free slabs are dropped after this long without a fetch, so an idle broker gives the memory back. */
const IDLE_RELEASE_MS = 30_000

const free: ArrayBuffer[][] = Array.from({ length: MAX_CLASS_BITS - MIN_CLASS_BITS + 1 }, () => [])
const lent = new WeakSet<ArrayBuffer>()
let pooledBytes = 0
let idleTimer: NodeJS.Timeout | null = null

/**
 * A Buffer of exactly `size` bytes (uninitialized), backed by a recycled slab when the size is in the pooled
 * range. The caller may cut it down with subarray; all views share the slab.
 */
export function takeReadBuffer (size: number): Buffer {
  if (size < 1 << MIN_CLASS_BITS || size > 1 << MAX_CLASS_BITS) return Buffer.allocUnsafe(size)
  const bits = Math.max(MIN_CLASS_BITS, 32 - Math.clz32(size - 1))
  const slab = free[bits - MIN_CLASS_BITS].pop()
  let memory: ArrayBuffer
  if (slab !== undefined) {
    pooledBytes -= slab.byteLength
    memory = slab
  } else {
    memory = Buffer.allocUnsafeSlow(1 << bits).buffer as ArrayBuffer
  }
  lent.add(memory)
  return Buffer.from(memory, 0, size)
}

/** Gives `buffer`'s slab back at once (a read that turned out empty). No-op for other Buffers. */
export function returnReadBuffer (buffer: Buffer): void {
  const memory = buffer.buffer as ArrayBuffer
  if (!lent.delete(memory)) return
  const bits = 31 - Math.clz32(memory.byteLength)
  if (pooledBytes + memory.byteLength > MAX_POOLED_BYTES || bits < MIN_CLASS_BITS || bits > MAX_CLASS_BITS) return
  free[bits - MIN_CLASS_BITS].push(memory)
  pooledBytes += memory.byteLength
  if (idleTimer === null) {
    idleTimer = setTimeout(dropIdle, IDLE_RELEASE_MS)
    idleTimer.unref()
  } else {
    idleTimer.refresh()
  }
}

/**
 * For a response about to be written: a write callback that returns its borrowed slabs, or undefined when it has
 * none (then no callback is needed). Call the callback only once the socket is done with every chunk.
 */
export function recycleAfterWrite (chunks: Buffer[]): (() => void) | undefined {
  let borrowed: Buffer[] | undefined
  for (const chunk of chunks) {
    if (lent.has(chunk.buffer as ArrayBuffer)) (borrowed ??= []).push(chunk)
  }
  if (borrowed === undefined) return undefined
  const slabs = borrowed
  return () => { for (const chunk of slabs) returnReadBuffer(chunk) }
}

function dropIdle (): void {
  idleTimer = null
  for (const list of free) list.length = 0
  pooledBytes = 0
}
