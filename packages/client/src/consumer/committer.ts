import type { Consumer } from '@platformatic/kafka'
import type { Dispatcher } from './dispatcher.js'
import type { TopicPartition } from './fetcher.js'

export type CommittedOffsets = Array<TopicPartition & { offset: bigint }>

export interface CommitterOptions {
  consumer: Consumer<Buffer, Buffer, Buffer, Buffer>
  dispatcher: Dispatcher
  /** 0: commit as soon as something is done; > 0: at most this often. */
  interval: number
  /** Pause after a failed commit before the next try (default 1 s). */
  retryMs?: number
  onCommitted: (offsets: CommittedOffsets) => void
  onError: (error: Error) => void
}

/**
 * Commits what the dispatcher reports as done, one OffsetCommit in flight at a time: completions that happen
 * while a commit is in flight are taken by the next one, so commits batch themselves under load.
 */
export class Committer {
  readonly #options: CommitterOptions
  #timer: NodeJS.Timeout | undefined
  #inflight: Promise<void> | undefined
  #again = false
  #closed = false

  constructor (options: CommitterOptions) {
    this.#options = options
  }

  schedule (): void {
    if (this.#closed || this.#timer !== undefined) return
    if (this.#inflight !== undefined) {
      this.#again = true
      return
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#commit().catch(() => {})
    }, this.#options.interval)
  }

  /** Commits what is done now (after the commit in flight, if any) and waits for it; used before a revocation. */
  async flush (): Promise<void> {
    if (this.#closed) return
    clearTimeout(this.#timer)
    this.#timer = undefined
    while (this.#inflight !== undefined) await this.#inflight
    await this.#commit()
  }

  /** Waits for the commit in flight, then commits what is left; no more commits after this. */
  async close (): Promise<void> {
    this.#closed = true
    clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#inflight
    await this.#commit(true)
  }

  async #commit (final = false): Promise<void> {
    if ((this.#closed && !final) || this.#inflight !== undefined) return
    const { consumer, dispatcher } = this.#options
    const offsets = dispatcher.committable()
    if (offsets.length === 0) return
    let failed = false
    this.#inflight = consumer.commit({ offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset, leaderEpoch: -1 })) })
      .then(() => {
        for (const { topic, partition, offset } of offsets) dispatcher.markCommitted({ topic, partition }, offset)
        this.#options.onCommitted(offsets)
      }, (error: Error) => {
        failed = true
        this.#options.onError(error)
      })
      .finally(() => {
        this.#inflight = undefined
        if (this.#closed) return
        if (failed) {
          // Back off before the next try: the coordinator may be moving or the broker restarting.
          this.#timer = setTimeout(() => {
            this.#timer = undefined
            this.#commit().catch(() => {})
          }, this.#options.retryMs ?? 1000)
        } else if (this.#again) {
          this.#again = false
          this.schedule()
        }
      })
    await this.#inflight
  }
}
