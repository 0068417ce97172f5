/**
 * Owner of the registry state: one reader loop tails `_schemas` and applies every record to RegistryState; writes go
 * through one serial queue that (1) catches up to the log end, (2) lets the caller decide what to write from an
 * up-to-date state, (3) appends with acks=all and (4) waits until the reader has applied its own records, so a
 * response always reflects the log (read-your-writes) and ids are assigned from the log's order, never from memory alone.
 */
import { errors, RegistryError } from '../errors.js'
import type { Logger } from '../logger.js'
import { SchemasLog, type SchemasLogOptions } from './kafka-log.js'
import { RegistryState } from './state.js'

export interface StoreRecord { key: Buffer, value: Buffer | null }

export interface StoreOptions extends SchemasLogOptions {
  /** How long a write may wait for the reader (Confluent's kafkastore.timeout.ms). */
  timeoutMs?: number
}

export class KafkaStore {
  readonly state = new RegistryState()
  private position = 0n
  private endAtStart = 0n
  private closed = false
  private readerError: Error | undefined
  private readonly waiters: Array<{ offset: bigint, resolve: () => void }> = []
  private queue: Promise<unknown> = Promise.resolve()
  private readerDone: Promise<void> = Promise.resolve()
  /** Checked in the queue right before each decision: throws when this instance may not write (lost the election). */
  writeGuard: (() => void) | undefined

  private constructor (private readonly log: SchemasLog, private readonly logger: Logger, private readonly timeoutMs: number) {}

  /** Opens the topic, replays it from offset 0 to its current end, then keeps tailing it. */
  static async open (options: StoreOptions): Promise<KafkaStore> {
    const log = await SchemasLog.open(options)
    const store = new KafkaStore(log, options.logger, options.timeoutMs ?? 30_000)
    try {
      store.endAtStart = await log.endOffset()
      store.readerDone = store.readLoop()
      await store.waitForPosition(store.endAtStart, Math.max(store.timeoutMs, 120_000))
    } catch (error) {
      await store.close()
      throw error
    }
    options.logger.info(`replayed ${options.topic} to offset ${store.endAtStart}: ${store.state.subjects.size} subjects, max id ${store.state.maxId}`)
    return store
  }

  /** Offset up to which the state reflects the log (exclusive). */
  get appliedOffset (): bigint { return this.position }
  get healthy (): boolean { return !this.closed && this.readerError === undefined }

  private async readLoop (): Promise<void> {
    let backoff = 100
    while (!this.closed) {
      try {
        const { records, next } = await this.log.fetch(this.position, 500)
        for (const record of records) {
          try {
            this.state.apply(record.key, record.value)
          } catch (error) {
            // A record we cannot parse must not stop the registry: Confluent skips them the same way.
            this.state.recordsSkipped++
            this.logger.warn(`skipping unreadable record at offset ${record.offset}: ${(error as Error).message}`)
          }
        }
        if (next > this.position) this.position = next
        this.readerError = undefined
        backoff = 100
        this.wakeWaiters()
      } catch (error) {
        if (this.closed) return
        this.readerError = error as Error
        this.logger.warn(`reading ${this.log.topic} at offset ${this.position}: ${(error as Error).message}`)
        await new Promise((resolve) => setTimeout(resolve, backoff))
        backoff = Math.min(backoff * 2, 5_000)
      }
    }
  }

  private wakeWaiters (): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i] as { offset: bigint, resolve: () => void }
      if (this.position >= waiter.offset) {
        this.waiters.splice(i, 1)
        waiter.resolve()
      }
    }
  }

  /** Resolves once every record before `offset` has been applied. */
  waitForPosition (offset: bigint, timeoutMs = this.timeoutMs): Promise<void> {
    if (this.position >= offset) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const waiter = { offset, resolve: () => { clearTimeout(timer); resolve() } }
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter)
        if (index >= 0) this.waiters.splice(index, 1)
        reject(errors.timeout(`timed out after ${timeoutMs} ms waiting for ${this.log.topic} to reach offset ${offset} (at ${this.position})`))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  /** Reads up to the current end of the log (what another writer may have appended). */
  async catchUp (): Promise<void> {
    const end = await this.log.endOffset().catch((error: unknown) => { throw errors.store(`cannot read the end offset of ${this.log.topic}: ${(error as Error).message}`, error) })
    await this.waitForPosition(end)
  }

  /**
   * Runs `decide` on an up-to-date state, one at a time; appends what it returns and resolves after those records are
   * applied. `decide` throws RegistryErrors for rejected requests; nothing is written then.
   */
  write<T> (decide: () => { records: StoreRecord[], result: () => T }): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw errors.store('the registry is shutting down')
      await this.catchUp()
      this.writeGuard?.()
      const { records, result } = decide()
      if (records.length > 0) {
        let last: bigint
        try {
          last = await this.log.append(records)
        } catch (error) {
          if (RegistryError.is(error)) throw error
          throw errors.store(`write to ${this.log.topic} failed: ${(error as Error).message}`, error)
        }
        await this.waitForPosition(last + 1n)
      }
      return result()
    }
    const next = this.queue.then(run, run)
    this.queue = next.catch(() => {})
    return next
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.log.close()
    await this.readerDone.catch(() => {})
    for (const waiter of this.waiters.splice(0)) waiter.resolve()
  }
}
