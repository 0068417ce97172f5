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
