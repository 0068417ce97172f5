/**
 * Runs the coordinator's operations on one transactional id one at a time (Kafka holds a lock per
 * TransactionMetadata), while different ids proceed concurrently. Each chain is dropped once it drains.
 */
export class TxnLocks {
  private readonly tails = new Map<string, Promise<void>>()

  run<T> (key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    const result = previous.then(task)
    const tail = result.then(() => undefined, () => undefined)
    this.tails.set(key, tail)
    void tail.then(() => { if (this.tails.get(key) === tail) this.tails.delete(key) })
    return result
  }

  /** Resolves when every queued operation has finished. */
  async idle (): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()])
  }
}
