/**
 * Group commit for one partition. Waiters ask "is everything up to offset X durable?"; one sync (fdatasync on the
 * libuv pool, supplied by the log) serves every waiter registered before it started, at most one sync runs at a
 * time, and the next starts as soon as the previous finishes if anyone is still waiting. Under load this batches
 * thousands of acks=all produce requests into one fdatasync.
 *
 * A failed sync is fatal for the partition: after an fsync error Linux may already have dropped the dirty pages,
 * so a later "successful" retry would prove nothing (the PostgreSQL "fsyncgate" lesson). Every waiter, present
 * and future, gets the error; the log refuses further appends.
 */
interface Waiter { offset: number, resolve: () => void, reject: (error: Error) => void }

const resolved = Promise.resolve()

export class GroupCommit {
  /** Offsets below this are durable. */
  private durableEnd: number
  private waiters: Waiter[] = []
  private running: Promise<void> | null = null
  private backgroundRequested = false
  private failure: Error | null = null
  /** Performs one sync; resolves with the offset below which everything is now durable. */
  private readonly sync: () => Promise<number>

  constructor (durableEnd: number, sync: () => Promise<number>) {
    this.durableEnd = durableEnd
    this.sync = sync
  }

  get durableOffset (): number { return this.durableEnd }
  get error (): Error | null { return this.failure }
  get pending (): number { return this.waiters.length }
  /** A sync is running (its descriptors are in use). */
  get busy (): boolean { return this.running !== null }

  /** Resolves once every offset ≤ `offset` is durable. */
  waitFor (offset: number): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    if (offset < this.durableEnd) return resolved
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ offset, resolve, reject })
      this.kick()
    })
  }

  /** Asks for a sync without waiting for it (segment rolls, flush.interval.*). */
  request (): void {
    this.backgroundRequested = true
    this.kick()
  }

  /** Resolves when no sync is running (and none is queued behind it). */
  async idle (): Promise<void> {
    while (this.running !== null) await this.running
  }

  /** Rejects every current and future waiter (log deleted, or a sync error). */
  fail (error: Error): void {
    if (this.failure === null) this.failure = error
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter.reject(this.failure)
  }

  private kick (): void {
    if (this.running !== null || this.failure !== null) return
    if (this.waiters.length === 0 && !this.backgroundRequested) return
    this.backgroundRequested = false
    this.running = this.runOnce()
  }

  private async runOnce (): Promise<void> {
    try {
      const end = await this.sync()
      if (end > this.durableEnd) this.durableEnd = end
      if (this.waiters.length > 0) {
        const still: Waiter[] = []
        for (const waiter of this.waiters) {
          if (waiter.offset < this.durableEnd) waiter.resolve()
          else still.push(waiter)
        }
        this.waiters = still
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)))
    }
    this.running = null
    this.kick()
  }
}
