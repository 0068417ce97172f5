import { ConnectionPool, type Consumer, type fetchV17, type GroupAssignment } from '@platformatic/kafka'
import { retryDelay, type RetryOptions } from '../config.js'
import { SamsaClientError } from '../errors.js'
import { interceptGroupRequests, joinConsumerGroup } from './group-requests.js'
import { decodePartition, tpKey, type ConsumedRecord } from './records.js'

type FetchResponse = fetchV17.FetchResponse
type FetchRequestTopic = fetchV17.FetchRequestTopic

export interface TopicPartition { topic: string, partition: number }

/** 'classic': JoinGroup/SyncGroup/Heartbeat; 'consumer': KIP-848 ConsumerGroupHeartbeat, assignment by the broker. */
export type GroupProtocol = 'classic' | 'consumer'

export interface FetcherOptions {
  /** A @platformatic/kafka consumer with Buffer serdes: the fetcher uses its group membership and requests. */
  consumer: Consumer
  topics: string[]
  /** Where a partition of `topic` without a committed offset starts: earliest (true) or latest. */
  fromBeginning: (topic: string) => boolean
  readCommitted: boolean
  maxWaitTime: number
  minBytes: number
  maxBytes: number
  partitionMaxBytes: number
  group: { sessionTimeout: number, heartbeatInterval: number, rebalanceTimeout: number }
  /** Default 'classic'. The consumer must have been created with the same `groupProtocol`. */
  groupProtocol?: GroupProtocol
  /**
   * Runs before this member gives partitions up, while it still owns them (classic: before it rejoins, with
   * every partition it owns; consumer protocol: before it acknowledges a revocation, with the revoked ones).
   * The group request waits for it, at most `revokeTimeout` ms.
   */
  beforeRevoke?: (tps: TopicPartition[]) => Promise<void>
  revokeTimeout?: number
  /** Consecutive failures tolerated (with exponential backoff) before the fetcher gives up: bounded reconnects. */
  reconnect: Required<RetryOptions>
  /** Connection options for the fetch-only connections (TLS/SASL as the consumer's). */
  connection: ConstructorParameters<typeof ConnectionPool>[1]
  onRecords: (tp: TopicPartition, records: ConsumedRecord[], next: bigint, end: bigint) => void
  onAssignment: (assigned: TopicPartition[], revoked: TopicPartition[]) => void
  /** `fatal` means the fetcher stopped (reconnect attempts exhausted). */
  onError: (error: Error, fatal: boolean) => void
}

interface PartitionState extends TopicPartition {
  position: bigint | undefined
  pausedBy: Set<string>
  aborted: Map<bigint, bigint> | undefined
}

// Partition-level codes that mean "metadata is stale: refresh, then fetch again".
const STALE_METADATA = new Set([3, 5, 6, 74, 75, 100])
const OFFSET_OUT_OF_RANGE = 1

/**
 * The fetch loop of one consumer. Group membership, heartbeats, rebalances and leader lookups stay with
 * @platformatic/kafka; this loop adds what its stream lacks: per-partition pause/resume (fetches skip paused
 * partitions, so a retry topic waiting for its due time is not fetched at all), seek, and bounded reconnects.
 * One fetch is in flight per leader, on connections of its own so long polls never delay heartbeats.
 */
export class Fetcher {
  readonly #options: FetcherOptions
  readonly #consumer: Consumer
  readonly #partitions = new Map<string, PartitionState>()
  readonly #inflight = new Map<number, Promise<void>>()
  readonly #pool: ConnectionPool
  #running = false
  #pumping = false
  #repump = false
  #failures = 0
  #retryTimer: NodeJS.Timeout | undefined
  #backoffUntil = 0
  #assignmentChain: Promise<void> = Promise.resolve()
  #removeHooks: (() => void) | undefined
  readonly #onJoin = (payload: { assignments?: GroupAssignment[] }): void => {
    const assignments = payload.assignments ?? this.#consumer.assignments ?? []
    this.#assignmentChain = this.#assignmentChain.then(async () => await this.#applyAssignment(assignments)).catch((error) => this.#fail(error))
  }

  readonly #onConsumerError = (error: Error): void => {
    // platformatic gave up rejoining after its own retries: rejoin with our bounded backoff.
    this.#fail(error, async () => { await this.#join() })
  }

  constructor (options: FetcherOptions) {
    this.#options = options
    this.#consumer = options.consumer
    this.#pool = new ConnectionPool(`${options.consumer.clientId}-fetch`, options.connection)
  }

  get running (): boolean { return this.#running }

  get #kip848 (): boolean { return this.#options.groupProtocol === 'consumer' }

  async start (): Promise<void> {
    if (this.#running) return
    this.#running = true
    this.#consumer.topics.trackAll(...this.#options.topics)
    this.#consumer.on('error', this.#onConsumerError)
    const holdLimitMs = (this.#options.revokeTimeout ?? 30_000) + 1000
    if (this.#kip848) {
      // KIP-848 assignments change without any event: every heartbeat reports them, so look before each one.
      this.#removeHooks = interceptGroupRequests(this.#consumer, { holdLimitMs, beforeHeartbeat: (epoch) => this.#beforeHeartbeat(epoch) })
    } else {
      this.#consumer.on('consumer:group:join', this.#onJoin)
      const beforeRevoke = this.#options.beforeRevoke
      if (beforeRevoke !== undefined) {
        this.#removeHooks = interceptGroupRequests(this.#consumer, {
          holdLimitMs,
          beforeJoin: () => {
            const owned = this.assignment()
            return this.#running && owned.length > 0 ? this.#bounded(beforeRevoke(owned)) : undefined
          }
        })
      }
    }
    await this.#join()
    await this.#assignmentChain
  }

  /** Stops fetching; records of fetches still in flight are dropped. Membership is left to the caller. */
  async stop (): Promise<void> {
    if (!this.#running) return
    this.#running = false
    clearTimeout(this.#retryTimer)
    this.#consumer.off('consumer:group:join', this.#onJoin)
    this.#consumer.off('error', this.#onConsumerError)
    this.#removeHooks?.()
    this.#removeHooks = undefined
    await Promise.allSettled([...this.#inflight.values()])
    await this.#assignmentChain.catch(() => {})
    await this.#pool.close()
  }

  assignment (): TopicPartition[] {
    return [...this.#partitions.values()].map(({ topic, partition }) => ({ topic, partition }))
  }

  /** Stops fetching a partition until every reason it was paused for is resumed. */
  pause (topic: string, partition: number, reason = 'user'): void {
    this.#partitions.get(tpKey(topic, partition))?.pausedBy.add(reason)
  }

  resume (topic: string, partition: number, reason = 'user'): void {
    const state = this.#partitions.get(tpKey(topic, partition))
    if (state !== undefined && state.pausedBy.delete(reason) && state.pausedBy.size === 0) this.#pump()
  }

  isPaused (topic: string, partition: number): boolean {
    return (this.#partitions.get(tpKey(topic, partition))?.pausedBy.size ?? 0) > 0
  }

  /** Partitions not being fetched right now, with why (user, backpressure, due:<lane>). */
  paused (): Array<TopicPartition & { reasons: string[] }> {
    return [...this.#partitions.values()].filter((s) => s.pausedBy.size > 0).map(({ topic, partition, pausedBy }) => ({ topic, partition, reasons: [...pausedBy] }))
  }

  /** Next offset to fetch for a partition this member owns. */
  position (topic: string, partition: number): bigint | undefined {
    return this.#partitions.get(tpKey(topic, partition))?.position
  }

  seek (topic: string, partition: number, offset: bigint): void {
    const state = this.#partitions.get(tpKey(topic, partition))
    if (state === undefined) return
    state.position = offset
    state.aborted?.clear()
    this.#pump()
  }

  async #join (): Promise<void> {
    if (this.#kip848) await joinConsumerGroup(this.#consumer)
    else await this.#consumer.joinGroup(this.#options.group)
  }

  async #bounded (work: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const limit = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.#options.revokeTimeout ?? 30_000) })
    await Promise.race([work.catch((error) => this.#options.onError(error as Error, false)), limit])
    clearTimeout(timer)
  }

  /**
   * KIP-848: the client has just stored the assignment it is about to report. Partitions it no longer lists are
   * given up here — after `beforeRevoke` — and the heartbeat (the acknowledgement) waits for that; new
   * partitions are started without holding it. Epoch 0 means the member (re)joins: what it owned is lost already.
   */
  #beforeHeartbeat (memberEpoch: number): Promise<void> | undefined {
    if (!this.#running || memberEpoch < 0) return undefined
    const assignments = this.#consumer.assignments ?? []
    let givenUp!: () => void
    const revokedDone = new Promise<void>((resolve) => { givenUp = resolve })
    this.#assignmentChain = this.#assignmentChain
      .then(async () => await this.#applyAssignment(assignments, { lost: memberEpoch === 0, givenUp }))
      .catch((error) => this.#fail(error))
      .finally(givenUp)
    return revokedDone
  }

  async #applyAssignment (assignments: GroupAssignment[], kip848?: { lost: boolean, givenUp: () => void }): Promise<void> {
    const next = new Map<string, TopicPartition>()
    for (const { topic, partitions } of assignments) {
      if (!this.#options.topics.includes(topic)) continue
      for (const partition of partitions) next.set(tpKey(topic, partition), { topic, partition })
    }
    const revoking = [...this.#partitions].filter(([key]) => !next.has(key)).map(([, { topic, partition }]) => ({ topic, partition }))
    const assigned = [...next].filter(([key]) => !this.#partitions.has(key)).map(([, tp]) => tp)
    if (kip848 !== undefined) {
      // Heartbeats report the assignment every few seconds; most change nothing.
      if (revoking.length === 0 && assigned.length === 0) return
      if (revoking.length > 0 && !kip848.lost && this.#options.beforeRevoke !== undefined) await this.#bounded(this.#options.beforeRevoke(revoking))
    }
    const revoked: TopicPartition[] = []
    for (const tp of revoking) {
      if (this.#partitions.delete(tpKey(tp.topic, tp.partition))) revoked.push(tp)
    }
    if (kip848 !== undefined) {
      // The acknowledgement may go now; loading the new partitions' offsets does not need to hold it.
      if (revoked.length > 0) this.#options.onAssignment([], revoked)
      kip848.givenUp()
    }
    for (const tp of assigned) {
      this.#partitions.set(tpKey(tp.topic, tp.partition), {
        ...tp, position: undefined, pausedBy: new Set(), aborted: this.#options.readCommitted ? new Map() : undefined
      })
    }
    await this.#loadPositions(assigned)
    if (kip848 === undefined) this.#options.onAssignment(assigned, revoked)
    else if (assigned.length > 0) this.#options.onAssignment(assigned, [])
    this.#pump()
  }

  /** Committed offsets, or the earliest/latest offset where the group has none. */
  async #loadPositions (tps: TopicPartition[]): Promise<void> {
    if (tps.length === 0) return
    const byTopic = groupByTopic(tps)
    const committed = await this.#consumer.listCommittedOffsets({ topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) })
    const missing = tps.filter((tp) => (committed.get(tp.topic)?.[tp.partition] ?? -1n) < 0n)
    const fallback = new Map<string, bigint[]>()
    for (const topic of groupByTopic(missing).keys()) {
      const offsets = await this.#consumer.listOffsets({ topics: [topic], timestamp: this.#options.fromBeginning(topic) ? -2n : -1n })
      fallback.set(topic, offsets.get(topic) ?? [])
    }
    for (const tp of tps) {
      const state = this.#partitions.get(tpKey(tp.topic, tp.partition))
      if (state === undefined) continue
      const offset = committed.get(tp.topic)?.[tp.partition] ?? -1n
      state.position = offset >= 0n ? offset : fallback.get(tp.topic)?.[tp.partition] ?? 0n
    }
  }

  #pump (): void {
    if (!this.#running) return
    if (this.#pumping) {
      this.#repump = true
      return
    }
    this.#pumping = true
    this.#startFetches().catch((error) => this.#fail(error)).finally(() => {
      this.#pumping = false
      if (this.#repump) {
        this.#repump = false
        this.#pump()
      }
    })
  }

  async #startFetches (): Promise<void> {
    if (Date.now() < this.#backoffUntil) return
    const ready = [...this.#partitions.values()].filter((s) => s.pausedBy.size === 0 && s.position !== undefined)
    if (ready.length === 0) return
    const metadata = await this.#consumer.metadata({ topics: [...this.#options.topics] })
    const byLeader = new Map<number, PartitionState[]>()
    for (const state of ready) {
      const leader = metadata.topics.get(state.topic)?.partitions[state.partition]?.leader
      if (leader === undefined || leader < 0 || this.#inflight.has(leader)) continue
      const list = byLeader.get(leader) ?? []
      list.push(state)
      byLeader.set(leader, list)
    }
    for (const [leader, states] of byLeader) {
      const topics = new Map<string, { topicId: string, partitions: FetchRequestTopic['partitions'] }>()
      for (const state of states) {
        const topicId = metadata.topics.get(state.topic)!.id
        const entry = topics.get(state.topic) ?? { topicId, partitions: [] }
        entry.partitions.push({ partition: state.partition, fetchOffset: state.position!, partitionMaxBytes: this.#options.partitionMaxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1 })
        topics.set(state.topic, entry)
      }
      const requested = new Map(states.map((s) => [tpKey(s.topic, s.partition), s.position!]))
      const idToTopic = new Map([...topics].map(([name, { topicId }]) => [topicId, name]))
      const fetch = this.#fetch(leader, [...topics.values()], requested, idToTopic)
        .finally(() => {
          this.#inflight.delete(leader)
          this.#pump()
        })
      this.#inflight.set(leader, fetch)
    }
  }

  async #fetch (leader: number, topics: FetchRequestTopic[], requested: Map<string, bigint>, idToTopic: Map<string, string>): Promise<void> {
    let response: FetchResponse
    try {
      response = await this.#consumer.fetch({
        node: leader,
        topics,
        maxWaitTime: this.#options.maxWaitTime,
        minBytes: this.#options.minBytes,
        maxBytes: this.#options.maxBytes,
        isolationLevel: this.#options.readCommitted ? 1 : 0,
        connectionPool: this.#pool
      })
    } catch (error) {
      if (!this.#running) return
      const partial = findFetchResponse(error)
      if (partial === undefined) {
        this.#fail(error as Error)
        return
      }
      response = partial
    }
    if (!this.#running) return
    this.#failures = 0
    let staleMetadata = false
    for (const topicResponse of response.responses) {
      const topic = idToTopic.get(topicResponse.topicId)
      if (topic === undefined) continue
      for (const data of topicResponse.partitions) {
        const state = this.#partitions.get(tpKey(topic, data.partitionIndex))
        const position = requested.get(tpKey(topic, data.partitionIndex))
        // Revoked, or moved by seek() while this fetch was in flight: drop what it returned.
        if (state === undefined || position === undefined || state.position !== position) continue
        if (data.errorCode === OFFSET_OUT_OF_RANGE) {
          state.position = undefined
          await this.#resetOutOfRange(state)
          continue
        }
        if (data.errorCode !== 0) {
          staleMetadata ||= STALE_METADATA.has(data.errorCode)
          continue
        }
        const { records, next } = decodePartition(topic, data, position, state.aborted)
        state.position = next
        // Lag is measured to what this consumer can read: the last stable offset under read_committed.
        const end = this.#options.readCommitted && data.lastStableOffset >= 0n ? data.lastStableOffset : data.highWatermark
        this.#options.onRecords({ topic, partition: data.partitionIndex }, records, next, end)
      }
    }
    if (staleMetadata) {
      this.#consumer.clearMetadata()
      await delay(Math.min(1000, this.#options.reconnect.initialRetryTime))
    }
  }

  async #resetOutOfRange (state: PartitionState): Promise<void> {
    const offsets = await this.#consumer.listOffsets({ topics: [state.topic], partitions: { [state.topic]: [state.partition] }, timestamp: this.#options.fromBeginning(state.topic) ? -2n : -1n })
    state.position = offsets.get(state.topic)?.[state.partition] ?? 0n
  }

  /** Counts a failure; retries `action` (default: fetch again) with backoff, or gives up after `retries`. */
  #fail (error: unknown, action?: () => Promise<void>): void {
    if (!this.#running) return
    this.#failures++
    if (this.#failures > this.#options.reconnect.retries) {
      this.#running = false
      this.#options.onError(new SamsaClientError('SAMSA_CLIENT_RECONNECT_EXHAUSTED', `gave up after ${this.#failures} consecutive failures`, { cause: error }), true)
      return
    }
    this.#options.onError(error as Error, false)
    const wait = retryDelay(this.#options.reconnect, this.#failures)
    this.#backoffUntil = Date.now() + wait
    clearTimeout(this.#retryTimer)
    this.#retryTimer = setTimeout(() => {
      if (action === undefined) {
        this.#pump()
        return
      }
      action().then(() => this.#pump(), (next) => this.#fail(next, action))
    }, wait)
  }
}

function groupByTopic (tps: TopicPartition[]): Map<string, number[]> {
  const map = new Map<string, number[]>()
  for (const { topic, partition } of tps) map.set(topic, [...(map.get(topic) ?? []), partition])
  return map
}

/** A Fetch answered with some partition errors still carries the other partitions' data. */
function findFetchResponse (error: unknown, depth = 0): FetchResponse | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined
  const response = (error as { response?: { responses?: unknown } }).response
  if (response !== undefined && Array.isArray(response.responses)) return response as FetchResponse
  for (const nested of (error as { errors?: unknown[] }).errors ?? []) {
    const found = findFetchResponse(nested, depth + 1)
    if (found !== undefined) return found
  }
  return undefined
}

async function delay (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}
