import { EventEmitter } from 'node:events'
import { Consumer } from '@platformatic/kafka'
import { toBaseOptions } from '../config.js'
import { SamsaClientError } from '../errors.js'
import { ensureTopicsLike } from '../internal/admin.js'
import { ConsumerMetrics } from '../observability/consumer-metrics.js'
import type { KafkaProducer } from '../producer/producer.js'
import { resolveRetryPolicy, type RetryPolicy } from '../retry/policy.js'
import { Recoverer } from '../retry/recoverer.js'
import { deadLetterTopicName, retryTopicName } from '../retry/topics.js'
import type { ClientServices } from '../services.js'
import type { TopicDescriptor, TopicRegistry } from '../topics.js'
import type { EachMessagePayload, MessageHandler, SubscribeOptions, TopicHandler, TypedMessageHandler } from '../types.js'
import { Committer } from './committer.js'
import { Dispatcher } from './dispatcher.js'
import { parseMessageValue, type ConsumerOptions, type TypedConsumer } from './options.js'
import { Fetcher, type TopicPartition } from './fetcher.js'
import { createProcessor, dueAtOf, type ProcessorEvents, type Route } from './processor.js'
import { tpKey, type ConsumedRecord } from './records.js'

/**
 * The reference package's consumer (topic registry + kafkajs-style subscribe/run) on our fetch loop: handlers
 * run with bounded concurrency in per-partition (or per-key) order, failures are isolated per record, retried,
 * forwarded to retry topics or the DLT, and only what is done gets committed.
 */
export class KafkaConsumer extends EventEmitter {
  readonly name: string
  readonly groupId: string
  readonly #services: ClientServices
  readonly #options: ConsumerOptions
  readonly #policy: RetryPolicy
  readonly #producer: () => Promise<KafkaProducer>
  readonly #handlers = new Map<string, Route>()
  readonly #subscriptions = new Map<string, boolean | undefined>()
  #runRoute: Route | undefined
  #consumer: Consumer<Buffer, Buffer, Buffer, Buffer> | undefined
  #fetcher: Fetcher | undefined
  #dispatcher: Dispatcher | undefined
  #runningHandlers = false
  #committer: Committer | undefined
  #stats: ConsumerMetrics | undefined
  readonly #highWatermarks = new Map<string, { tp: TopicPartition, hw: bigint }>()

  constructor (name: string, services: ClientServices, options: ConsumerOptions, producer: () => Promise<KafkaProducer>) {
    super()
    if (typeof options?.groupId !== 'string' || options.groupId.length === 0) throw new SamsaClientError('SAMSA_CLIENT_CONFIG', `consumer ${name} needs a groupId`)
    this.name = name
    this.groupId = options.groupId
    this.#services = services
    this.#options = options
    this.#policy = resolveRetryPolicy(options.retry)
    this.#producer = producer
  }

  /** The underlying @platformatic/kafka consumer (group membership, offsets API). */
  get raw (): Consumer<Buffer, Buffer, Buffer, Buffer> {
    if (this.#consumer === undefined) throw new SamsaClientError('SAMSA_CLIENT_NOT_CONNECTED', `consumer ${this.name} is not connected`)
    return this.#consumer
  }

  async connect (): Promise<void> {
    if (this.#consumer !== undefined) return
    const { resolved } = this.#services
    const o = this.#options
    const protocol = o.groupProtocol ?? 'classic'
    if (protocol !== 'classic' && protocol !== 'consumer') throw new SamsaClientError('SAMSA_CLIENT_CONFIG', `groupProtocol must be 'classic' or 'consumer', not ${String(protocol)}`)
    // The client validates the classic timeouts for both protocols (rebalance ≥ session), so both get them.
    const timeouts = { sessionTimeout: o.sessionTimeout ?? 30_000, heartbeatInterval: o.heartbeatInterval ?? 3_000, rebalanceTimeout: o.rebalanceTimeout ?? Math.max(60_000, o.sessionTimeout ?? 0) }
    const group = protocol === 'consumer'
      ? { groupProtocol: 'consumer' as const, ...timeouts, ...(o.groupRemoteAssignor !== undefined ? { groupRemoteAssignor: o.groupRemoteAssignor } : {}) }
      : { groupProtocol: 'classic' as const, ...timeouts }
    const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
      ...toBaseOptions(resolved, `${resolved.clientId}-${this.name}`),
      groupId: o.groupId,
      ...group,
      autocreateTopics: o.allowAutoTopicCreation ?? true
    })
    // platformatic emits 'error' when it gives up rejoining; unhandled, an 'error' event would end the process.
    consumer.on('error', (error: Error) => {
      this.#services.logger.warn(`consumer ${this.name}: ${error.message}`)
      this.emit('consumer.error', error)
    })
    try {
      await consumer.metadata({ topics: [] })
    } catch (error) {
      await consumer.close().catch(() => {})
      throw error
    }
    this.#consumer = consumer
  }

  /** Graceful: stop fetching, let running handlers finish, commit, leave the group, close. */
  async disconnect (): Promise<void> {
    await this.stop()
    const consumer = this.#consumer
    this.#consumer = undefined
    if (consumer !== undefined) await consumer.close()
  }

  isConnected (): boolean {
    return this.#consumer !== undefined && !this.#consumer.closed
  }

  // --- topic registry -------------------------------------------------------------------------------------

  /** Registers (or replaces) the handler of a topic; values are parsed as JSON (raw string if not JSON). */
  registerHandler<T> (topic: string, handler: TopicHandler<T>): void {
    this.#handlers.set(topic, async (record, context) => { await handler(parseMessageValue(record.value) as T, context) })
  }

  /** Registers a typed handler through a topic descriptor: values are decoded and validated first. */
  handle<T> (descriptor: TopicDescriptor<T, string>, handler: TopicHandler<T>): void {
    this.#handlers.set(descriptor.name, async (record, context) => { await handler(descriptor.decode(record.value), context) })
  }

  /** A view checked against a topic map: `typed(registry).handle('orders.created', async order => …)`. */
  typed<M extends object> (registry: TopicRegistry<M>): TypedConsumer<M> {
    return { handle: (topic, handler) => { this.handle(registry.get(topic), handler) } }
  }

  async startWithHandlers (): Promise<void> {
    if (this.#handlers.size === 0) throw new SamsaClientError('SAMSA_CLIENT_NO_HANDLER', 'no handler registered: call registerHandler() first')
    for (const topic of this.#handlers.keys()) if (!this.#subscriptions.has(topic)) this.#subscriptions.set(topic, undefined)
    await this.#start()
    this.#runningHandlers = true
  }

  unregisterHandler (topic: string): void {
    this.#handlers.delete(topic)
  }

  getRegisteredTopics (): string[] {
    return [...this.#handlers.keys()]
  }

  hasHandler (topic: string): boolean {
    return this.#handlers.has(topic)
  }

  clearHandlers (): void {
    this.#handlers.clear()
  }

  isRunningHandlers (): boolean {
    return this.#runningHandlers && this.#fetcher?.running === true
  }

  // --- kafkajs-style API ----------------------------------------------------------------------------------

  async subscribe (options: SubscribeOptions): Promise<void> {
    const topics = [...(options.topic !== undefined ? [options.topic] : []), ...(options.topics ?? [])]
    if (topics.length === 0) throw new SamsaClientError('SAMSA_CLIENT_CONFIG', 'subscribe() needs topic or topics')
    for (const topic of topics) this.#subscriptions.set(topic, options.fromBeginning)
  }

  /** Runs `handler` for every subscribed topic that has no registered handler. */
  async run (handler: MessageHandler | { eachMessage: MessageHandler }): Promise<void> {
    const eachMessage = typeof handler === 'function' ? handler : handler.eachMessage
    this.#runRoute = async (_record, _context, payload) => { await eachMessage(payload) }
    await this.#start()
  }

  /** Like run(), with the value parsed as JSON (raw string if not JSON). */
  async runTyped<T> (handler: TypedMessageHandler<T>): Promise<void> {
    this.#runRoute = async (record, _context, payload) => { await handler(parseMessageValue(record.value) as T, payload) }
    await this.#start()
  }

  /** Stops fetching the given partitions (all partitions of a topic when none are listed). */
  pause (topics: Array<{ topic: string, partitions?: number[] }>): void {
    for (const tp of this.#select(topics)) this.#fetcher?.pause(tp.topic, tp.partition, 'user')
  }

  resume (topics: Array<{ topic: string, partitions?: number[] }>): void {
    for (const tp of this.#select(topics)) this.#fetcher?.resume(tp.topic, tp.partition, 'user')
  }

  /** Partitions whose fetching is paused (by pause(), backpressure, or a retry record not yet due). */
  paused (): Array<TopicPartition & { reasons: string[] }> {
    return this.#fetcher?.paused() ?? []
  }

  /** Partitions this member owns now. */
  assignment (): TopicPartition[] {
    return this.#fetcher?.assignment() ?? []
  }

  /** Stops consuming (graceful as disconnect) but stays connected; run()/startWithHandlers() may follow. */
  async stop (): Promise<void> {
    const fetcher = this.#fetcher
    const dispatcher = this.#dispatcher
    if (fetcher === undefined || dispatcher === undefined) return
    this.#runningHandlers = false
    await fetcher.stop()
    const timeout = this.#options.shutdownTimeout ?? 30_000
    let timer: NodeJS.Timeout | undefined
    const timedOut = await Promise.race([
      dispatcher.close().then(() => false),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), timeout) })
    ])
    clearTimeout(timer)
    if (timedOut) this.#services.logger.warn(`consumer ${this.name}: handlers still running after ${timeout} ms; leaving without them`)
    await this.#committer?.close()
    this.#committer = undefined
    this.#consumer?.topics.untrackAll(...this.#consumer.topics.current)
    this.#stats?.close()
    this.#stats = undefined
    this.#fetcher = undefined
    this.#dispatcher = undefined
  }

  // --- engine ---------------------------------------------------------------------------------------------

  async #start (): Promise<void> {
    const consumer = this.raw
    if (this.#fetcher !== undefined) throw new SamsaClientError('SAMSA_CLIENT_STATE', `consumer ${this.name} is already running`)
    const mainTopics = [...this.#subscriptions.keys()]
    if (mainTopics.length === 0) throw new SamsaClientError('SAMSA_CLIENT_CONFIG', 'nothing to consume: subscribe() or registerHandler() first')
    const retryTopics = new Set(mainTopics.flatMap((topic) => this.#policy.stageDelays.map((_, stage) => retryTopicName(topic, stage))))
    if (this.#policy.autoCreateTopics) {
      const wanted = mainTopics.flatMap((topic) => [
        ...this.#policy.stageDelays.map((_, stage) => ({ name: retryTopicName(topic, stage), like: topic })),
        ...(this.#policy.deadLetter ? [{ name: deadLetterTopicName(topic), like: topic }] : [])
      ])
      await ensureTopicsLike(this.#services.resolved, wanted)
    }
    const o = this.#options
    const group = {
      sessionTimeout: o.sessionTimeout ?? 30_000,
      heartbeatInterval: o.heartbeatInterval ?? 3_000,
      rebalanceTimeout: o.rebalanceTimeout ?? Math.max(60_000, o.sessionTimeout ?? 0)
    }
    // A member that delays its JoinGroup / revocation acknowledgement too long is expelled: stay well inside.
    const revokeTimeout = Math.max(500, Math.min(group.sessionTimeout, group.rebalanceTimeout) / 2)
    const recoverer = new Recoverer({ policy: this.#policy, groupId: this.groupId, producer: this.#producer, metrics: this.#services.metrics })
    const emit = <E extends keyof ProcessorEvents>(event: E, payload: ProcessorEvents[E]): void => { this.emit(event, payload) }
    this.#stats?.close()
    this.#stats = new ConsumerMetrics(this.#services.metrics, this.groupId)
    const process = createProcessor({
      groupId: this.groupId,
      stats: this.#stats,
      policy: this.#policy,
      recoverer,
      services: this.#services,
      routeFor: (topic) => this.#handlers.get(topic) ?? (this.#subscriptions.has(topic) ? this.#runRoute : undefined),
      retryTopics,
      payloadFor: (record) => this.#payload(record),
      emit
    })
    const fetcher = new Fetcher({
      consumer,
      topics: [...mainTopics, ...retryTopics],
      // Retry topics hold only what this group forwarded: always read them from the start.
      fromBeginning: (topic) => retryTopics.has(topic) || (this.#subscriptions.get(topic) ?? o.fromBeginning ?? false),
      readCommitted: o.readUncommitted !== true,
      maxWaitTime: o.maxWaitTimeInMs ?? 500,
      minBytes: o.minBytes ?? 1,
      maxBytes: o.maxBytes ?? 10 * 1024 * 1024,
      partitionMaxBytes: o.maxBytesPerPartition ?? 1024 * 1024,
      group,
      groupProtocol: o.groupProtocol ?? 'classic',
      revokeTimeout,
      // Commit finished work of partitions about to be given up, so their next owner does not redo it.
      beforeRevoke: async (tps) => { await this.#drain(tps, revokeTimeout) },
      reconnect: this.#services.resolved.retry,
      connection: toBaseOptions(this.#services.resolved),
      onRecords: (tp, records, next, hw) => {
        this.#highWatermarks.set(tpKey(tp.topic, tp.partition), { tp, hw })
        this.#dispatcher?.push(tp, records, next)
      },
      onAssignment: (assigned, revoked) => {
        // The classic protocol held every partition before rejoining; what is still ours runs again.
        this.#dispatcher?.release()
        for (const tp of revoked) {
          this.#dispatcher?.revoke(tp)
          this.#highWatermarks.delete(tpKey(tp.topic, tp.partition))
          this.#services.metrics?.lag.remove({ topic: tp.topic, partition: String(tp.partition), consumer_group: this.groupId })
        }
        this.emit('rebalance', { assigned, revoked })
      },
      onError: (error, fatal) => {
        this.#services.logger.warn(`consumer ${this.name}: ${fatal ? 'stopped' : 'retrying'} after ${error.message}`)
        this.emit(fatal ? 'crash' : 'consumer.error', error)
      }
    })
    this.#dispatcher = new Dispatcher({
      concurrency: Math.max(1, o.concurrency ?? 1),
      ordering: o.ordering ?? 'partition',
      maxBufferedPerPartition: o.maxBufferedPerPartition ?? 500,
      process,
      dueAt: retryTopics.size === 0 ? undefined : (record) => dueAtOf(record, this.#policy, retryTopics),
      pause: (tp, reason) => fetcher.pause(tp.topic, tp.partition, reason),
      resume: (tp, reason) => fetcher.resume(tp.topic, tp.partition, reason),
      onProgress: () => this.#committer?.schedule(),
      onLaneError: (error, record) => {
        this.#services.logger.error(`consumer ${this.name}: could not recover ${record.topic}[${record.partition}]@${record.offset}; retrying`, error)
        this.emit('consumer.error', error)
      }
    })
    if (o.autoCommit !== false) {
      this.#committer = new Committer({
        consumer,
        dispatcher: this.#dispatcher,
        interval: o.autoCommitInterval ?? 0,
        onCommitted: (offsets) => {
          this.#stats?.flush()
          this.#updateLag()
          this.emit('commit', offsets)
        },
        onError: (error) => {
          this.#services.logger.warn(`consumer ${this.name}: commit failed (${error.message}); will retry`)
          this.emit('consumer.error', error)
        }
      })
    }
    this.#fetcher = fetcher
    try {
      await fetcher.start()
    } catch (error) {
      this.#fetcher = undefined
      this.#dispatcher = undefined
      this.#committer = undefined
      await fetcher.stop()
      throw error
    }
  }

  /**
   * Before partitions are given up: start nothing new of theirs, let their running handlers finish (bounded),
   * and commit. What finished before the rebalance is then not handled again by the next owner.
   */
  async #drain (tps: TopicPartition[], timeoutMs: number): Promise<void> {
    const dispatcher = this.#dispatcher
    if (dispatcher === undefined) return
    dispatcher.hold(tps)
    const started = Date.now()
    if (!await within(dispatcher.idle(tps), timeoutMs * 0.8)) {
      this.#services.logger.warn(`consumer ${this.name}: handlers still running when partitions were revoked; their records will be handled again by the next owner`)
    }
    const committer = this.#committer
    if (committer !== undefined) await within(committer.flush(), Math.max(100, timeoutMs - (Date.now() - started)))
  }

  #payload (record: ConsumedRecord): EachMessagePayload {
    return {
      topic: record.topic,
      partition: record.partition,
      message: { key: record.key, value: record.value, headers: record.headers, offset: String(record.offset), timestamp: String(record.timestamp) },
      heartbeat: async () => {},
      pause: () => {
        this.#fetcher?.pause(record.topic, record.partition, 'user')
        return () => this.#fetcher?.resume(record.topic, record.partition, 'user')
      }
    }
  }

  #select (topics: Array<{ topic: string, partitions?: number[] }>): TopicPartition[] {
    const owned = this.assignment()
    return topics.flatMap(({ topic, partitions }) => owned.filter((tp) => tp.topic === topic && (partitions === undefined || partitions.includes(tp.partition))))
  }

  #updateLag (): void {
    const lag = this.#services.metrics?.lag
    if (lag === undefined || this.#dispatcher === undefined) return
    for (const { tp, hw } of this.#highWatermarks.values()) {
      const committed = this.#dispatcher.committed(tp)
      if (committed !== undefined) lag.set({ topic: tp.topic, partition: String(tp.partition), consumer_group: this.groupId }, Number(hw - committed))
    }
  }
}

/** Whether `work` settled within `ms`. */
async function within (work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const settled = await Promise.race([work.then(() => true, () => true), new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms) })])
  clearTimeout(timer)
  return settled
}
