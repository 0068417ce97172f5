import { PartitionProgress } from './progress.js'
import { tpKey, type ConsumedRecord } from './records.js'
import type { TopicPartition } from './fetcher.js'

export type Ordering = 'partition' | 'key'

export interface DispatcherOptions {
  /** Records processed at the same time, over all partitions. */
  concurrency: number
  /** 'partition': one record at a time per partition; 'key': one at a time per key (null keys share a lane). */
  ordering: Ordering
  /** Records queued per partition before its fetching is paused (resumed at half). */
  maxBufferedPerPartition: number
  /** Runs one record. A rejection means "could not even dead-letter it": the lane retries it after a pause. */
  process: (record: ConsumedRecord) => Promise<void>
  /** When a record may run (ms since the epoch); a later time parks its lane and pauses its partition. */
  dueAt?: (record: ConsumedRecord) => number | undefined
  pause: (tp: TopicPartition, reason: string) => void
  resume: (tp: TopicPartition, reason: string) => void
  /** Something became committable. */
  onProgress: () => void
  onLaneError: (error: unknown, record: ConsumedRecord) => void
  /** Delay before a failed lane tries its record again. */
  laneRetryMs?: number
}

interface Lane {
  key: string
  tp: TopicPartition
  queue: ConsumedRecord[]
  head: number
  running: boolean
  parkedUntil: number | undefined
  timer: NodeJS.Timeout | undefined
}

/**
 * Bounded-concurrency scheduler that keeps per-partition (or per-key) order. Lanes are FIFO queues; at most one
 * record per lane runs; ready lanes are served round-robin so one busy partition cannot starve the others.
 */
export class Dispatcher {
  readonly #options: DispatcherOptions
  readonly #lanes = new Map<string, Lane>()
  readonly #ready: Lane[] = []
  readonly #progress = new Map<string, PartitionProgress & { tp: TopicPartition }>()
  readonly #buffered = new Map<string, number>()
  /** Partitions about to be given up: nothing new of theirs starts. */
  readonly #held = new Set<string>()
  readonly #runningIn = new Map<string, number>()
  #idleChecks: Array<{ keys: Set<string>, resolve: () => void }> = []
  #active = 0
  #closed = false
  #idleWaiters: Array<() => void> = []

  constructor (options: DispatcherOptions) {
    this.#options = options
  }

  get active (): number { return this.#active }

  /** Records of one fetch of one partition, in offset order, and the position after them. */
  push (tp: TopicPartition, records: ConsumedRecord[], next: bigint): void {
    const key = tpKey(tp.topic, tp.partition)
    let progress = this.#progress.get(key)
    if (progress === undefined) {
      const start = records[0]?.offset ?? next
      progress = Object.assign(new PartitionProgress(start), { tp })
      progress.committed = start
      this.#progress.set(key, progress)
    }
    for (const record of records) {
      progress.add(record.offset)
      const lane = this.#lane(tp, record)
      lane.queue.push(record)
      if (!lane.running && lane.parkedUntil === undefined && lane.queue.length - lane.head === 1) this.#ready.push(lane)
    }
    progress.fetchedTo(next)
    const buffered = (this.#buffered.get(key) ?? 0) + records.length
    this.#buffered.set(key, buffered)
    if (buffered >= this.#options.maxBufferedPerPartition) this.#options.pause(tp, 'backpressure')
    if (records.length === 0) this.#options.onProgress()
    this.#schedule()
  }

  /** Forgets a partition this member no longer owns; its queued records are dropped (the new owner reads them). */
  revoke (tp: TopicPartition): void {
    const key = tpKey(tp.topic, tp.partition)
    for (const [laneKey, lane] of this.#lanes) {
      if (lane.tp.topic === tp.topic && lane.tp.partition === tp.partition) {
        clearTimeout(lane.timer)
        this.#lanes.delete(laneKey)
      }
    }
    this.#progress.delete(key)
    this.#buffered.delete(key)
    this.#held.delete(key)
  }

  /** Starts no further record of these partitions until release(); running ones go on. */
  hold (tps: TopicPartition[]): void {
    for (const tp of tps) this.#held.add(tpKey(tp.topic, tp.partition))
  }

  /** Lets held partitions run again. */
  release (): void {
    if (this.#held.size === 0) return
    this.#held.clear()
    for (const lane of this.#lanes.values()) {
      if (!lane.running && lane.parkedUntil === undefined && lane.head < lane.queue.length && !this.#ready.includes(lane)) this.#ready.push(lane)
    }
    this.#schedule()
  }

  /** Resolves once no record of these partitions is running. */
  async idle (tps: TopicPartition[]): Promise<void> {
    const keys = new Set(tps.map((tp) => tpKey(tp.topic, tp.partition)))
    if (![...keys].some((key) => (this.#runningIn.get(key) ?? 0) > 0)) return
    await new Promise<void>((resolve) => this.#idleChecks.push({ keys, resolve }))
  }

  /** Partitions with an offset to commit: the next record to read after everything done so far. */
  committable (): Array<TopicPartition & { offset: bigint }> {
    const out: Array<TopicPartition & { offset: bigint }> = []
    for (const progress of this.#progress.values()) {
      const offset = progress.toCommit
      if (offset !== undefined) out.push({ ...progress.tp, offset })
    }
    return out
  }

  markCommitted (tp: TopicPartition, offset: bigint): void {
    const progress = this.#progress.get(tpKey(tp.topic, tp.partition))
    if (progress !== undefined && (progress.committed === undefined || offset > progress.committed)) progress.committed = offset
  }

  committed (tp: TopicPartition): bigint | undefined {
    return this.#progress.get(tpKey(tp.topic, tp.partition))?.committed
  }

  /** Starts nothing new; resolves once the records already running have finished. */
  async close (): Promise<void> {
    this.#closed = true
    for (const lane of this.#lanes.values()) clearTimeout(lane.timer)
    if (this.#active === 0) return
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve))
  }

  #lane (tp: TopicPartition, record: ConsumedRecord): Lane {
    const key = this.#options.ordering === 'key'
      ? `${tpKey(tp.topic, tp.partition)}\u0000${record.key === null ? '' : record.key.toString('latin1')}`
      : tpKey(tp.topic, tp.partition)
    let lane = this.#lanes.get(key)
    if (lane === undefined) {
      lane = { key, tp, queue: [], head: 0, running: false, parkedUntil: undefined, timer: undefined }
      this.#lanes.set(key, lane)
    }
    return lane
  }

  #schedule (): void {
    while (!this.#closed && this.#active < this.#options.concurrency && this.#ready.length > 0) {
      const lane = this.#ready.shift()!
      if (this.#lanes.get(lane.key) !== lane || lane.running || lane.head >= lane.queue.length) continue
      // Held: dropped from the ready list; release() puts it back.
      if (this.#held.size > 0 && this.#held.has(tpKey(lane.tp.topic, lane.tp.partition))) continue
      const record = lane.queue[lane.head]!
      const due = this.#options.dueAt?.(record)
      if (due !== undefined && due > Date.now()) {
        this.#park(lane, due)
        continue
      }
      this.#run(lane, record)
    }
  }

  /** Not due yet: the lane waits on a timer and its partition is not fetched meanwhile (no sleeping in a loop). */
  #park (lane: Lane, due: number): void {
    lane.parkedUntil = due
    const reason = `due:${lane.key}`
    this.#options.pause(lane.tp, reason)
    lane.timer = setTimeout(() => {
      lane.parkedUntil = undefined
      lane.timer = undefined
      if (this.#lanes.get(lane.key) !== lane) return
      this.#options.resume(lane.tp, reason)
      this.#ready.push(lane)
      this.#schedule()
    }, Math.max(0, due - Date.now()))
  }

  #run (lane: Lane, record: ConsumedRecord): void {
    this.#active++
    const partitionKey = tpKey(lane.tp.topic, lane.tp.partition)
    this.#runningIn.set(partitionKey, (this.#runningIn.get(partitionKey) ?? 0) + 1)
    lane.running = true
    this.#options.process(record).then(() => {
      lane.head++
      if (lane.head > 256 && lane.head * 2 > lane.queue.length) {
        lane.queue = lane.queue.slice(lane.head)
        lane.head = 0
      }
      this.#completed(lane, record)
    }, (error) => {
      this.#options.onLaneError(error, record)
      // Keep the record at the head: nothing after it in this lane runs, nothing past it is committed.
      lane.parkedUntil = Date.now() + (this.#options.laneRetryMs ?? 1000)
      lane.timer = setTimeout(() => {
        lane.parkedUntil = undefined
        if (this.#lanes.get(lane.key) === lane) this.#ready.push(lane)
        this.#schedule()
      }, this.#options.laneRetryMs ?? 1000)
    }).finally(() => {
      lane.running = false
      this.#active--
      this.#finishedIn(partitionKey)
      if (lane.parkedUntil === undefined && lane.head < lane.queue.length && this.#lanes.get(lane.key) === lane) this.#ready.push(lane)
      if (lane.head >= lane.queue.length && this.#lanes.get(lane.key) === lane) this.#lanes.delete(lane.key)
      if (this.#active === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve()
      this.#schedule()
    })
  }

  #finishedIn (partitionKey: string): void {
    const left = (this.#runningIn.get(partitionKey) ?? 1) - 1
    if (left > 0) {
      this.#runningIn.set(partitionKey, left)
      return
    }
    this.#runningIn.delete(partitionKey)
    if (this.#idleChecks.length === 0) return
    this.#idleChecks = this.#idleChecks.filter(({ keys, resolve }) => {
      if ([...keys].some((key) => this.#runningIn.has(key))) return true
      resolve()
      return false
    })
  }

  #completed (lane: Lane, record: ConsumedRecord): void {
    const key = tpKey(lane.tp.topic, lane.tp.partition)
    const progress = this.#progress.get(key)
    if (progress === undefined) return
    progress.complete(record.offset)
    const buffered = (this.#buffered.get(key) ?? 1) - 1
    this.#buffered.set(key, buffered)
    if (buffered === Math.floor(this.#options.maxBufferedPerPartition / 2)) this.#options.resume(lane.tp, 'backpressure')
    this.#options.onProgress()
  }
}
