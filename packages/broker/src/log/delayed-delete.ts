/**
 * Second half of Kafka's asynchronous segment deletion: files already renamed to `.deleted` are unlinked after
 * file.delete.delay.ms. Nothing reads them any more (reads are synchronous and the segment left the list first),
 * so the delay only matters for tools looking at the directory; close() unlinks what is still pending, and
 * recovery removes `.deleted` files left by a crash.
 */
import { rm } from 'node:fs/promises'

export class DelayedDelete {
  private readonly timers = new Map<NodeJS.Timeout, string[]>()

  schedule (paths: string[], delayMs: number): void {
    if (paths.length === 0) return
    if (!(delayMs > 0)) {
      void unlinkAll(paths)
      return
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      void unlinkAll(paths)
    }, Math.min(delayMs, 2 ** 31 - 1))
    timer.unref()
    this.timers.set(timer, paths)
  }

  get pending (): number { return this.timers.size }

  /** Unlinks everything still waiting, now. */
  async flush (): Promise<void> {
    const all = [...this.timers.entries()]
    this.timers.clear()
    for (const [timer] of all) clearTimeout(timer)
    await unlinkAll(all.flatMap(([, paths]) => paths))
  }
}

async function unlinkAll (paths: string[]): Promise<void> {
  await Promise.all(paths.map(async (path) => await rm(path, { force: true }).catch(() => {})))
}
