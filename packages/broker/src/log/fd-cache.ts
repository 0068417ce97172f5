import { closeSync, openSync } from 'node:fs'

/**
 * Read-only descriptors of sealed segments, shared by every partition and bounded (LRU): only active segments
 * hold a descriptor permanently, so a broker with many partitions × segments stays far below the fd limit.
 * All users read with synchronous pread on the event-loop thread, so an evicted descriptor is never in use.
 */
export class ReadFdCache {
  private readonly fds = new Map<string, number>()
  private readonly capacity: number

  constructor (capacity: number) {
    this.capacity = capacity
  }

  get (path: string): number {
    const cached = this.fds.get(path)
    if (cached !== undefined) {
      // Refresh LRU position: Map iteration order is insertion order.
      this.fds.delete(path)
      this.fds.set(path, cached)
      return cached
    }
    const fd = openSync(path, 'r')
    this.fds.set(path, fd)
    if (this.fds.size > this.capacity) {
      const [oldestPath, oldestFd] = this.fds.entries().next().value as [string, number]
      this.fds.delete(oldestPath)
      closeSync(oldestFd)
    }
    return fd
  }

  evict (path: string): void {
    const fd = this.fds.get(path)
    if (fd === undefined) return
    this.fds.delete(path)
    closeSync(fd)
  }

  get size (): number { return this.fds.size }
}

export const readFds = new ReadFdCache(128)

/** What the writer cache needs from a segment with an open read/write descriptor. */
export interface WriterOwner {
  /** False while an fdatasync on the descriptor is in flight: closing it then could sync a reused fd number. */
  readonly canCloseWriter: boolean
  /** Closes the descriptor; the owner reopens it on its next write or sync. */
  closeIdleWriter: () => void
}

/**
 * Read/write descriptors of appendable segments (the active one of each partition, plus rolled ones awaiting
 * their fsync), bounded (LRU) so that 10,000 partitions being written round-robin never hold 10,000 descriptors.
 * An evicted writer loses nothing: its bytes are in the page cache, and the next fdatasync — through whatever
 * descriptor — makes them durable (a writeback error not yet seen is still reported to it).
 */
export class WriterCache {
  private readonly owners = new Set<WriterOwner>()
  capacity: number

  constructor (capacity: number) {
    this.capacity = capacity
  }

  /** Marks `owner`'s writer as most recently used; evicts idle writers beyond the capacity. */
  opened (owner: WriterOwner): void {
    this.owners.delete(owner)
    this.owners.add(owner)
    if (this.owners.size <= this.capacity) return
    for (const candidate of this.owners) {
      if (this.owners.size <= this.capacity) break
      if (candidate === owner || !candidate.canCloseWriter) continue
      this.owners.delete(candidate)
      candidate.closeIdleWriter()
    }
  }

  touch (owner: WriterOwner): void {
    if (this.owners.delete(owner)) this.owners.add(owner)
  }

  closed (owner: WriterOwner): void {
    this.owners.delete(owner)
  }

  get size (): number { return this.owners.size }
}

export const writeFds = new WriterCache(512)
