import { EventEmitter } from 'node:events'
import { Consumer, type Message } from '@platformatic/kafka'
import { toBaseOptions } from './config.js'
import { Fetcher, type TopicPartition } from './consumer/fetcher.js'
import { tpKey, type ConsumedRecord } from './consumer/records.js'
import { SamsaClientError } from './errors.js'
import type { KafkaManager } from './manager.js'
import { KafkaProducer, toRecord, type OutgoingRecord, type Transaction } from './producer/producer.js'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './retry/backoff.js'
import { classify } from './retry/categories.js'
import { failureHeaders } from './retry/headers.js'
import { deadLetterTopicName } from './retry/topics.js'
import type { MessagePayload } from './types.js'

export interface PipelineRecord {
  topic: string
  partition: number
  offset: string
  timestamp: string
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, Buffer>
}

/** An output message; without `topic` it goes to the pipeline's `output` topic. */
export type PipelineOutput = MessagePayload & { topic?: string }

export interface PipelineOptions {
  input: { topics: string | string[], groupId: string, fromBeginning?: boolean }
  /** Default destination of outputs. */
  output?: string
  /**
   * Stable per pipeline instance (default `<groupId>-eos`): a restarted instance with the same id fences the old
   * one and aborts its open transaction. Give each concurrent instance its own id.
   */
  transactionalId?: string
  transform: (record: PipelineRecord) => Promise<PipelineOutput | PipelineOutput[] | null | undefined> | PipelineOutput | PipelineOutput[] | null | undefined
  /** Input records per transaction (default 100). */
  batchSize?: number
  /** Tries of a record whose transform throws before it goes to `<input>-dlt` inside the transaction (default 5). */
  maxAttempts?: number
  backoff?: Partial<BackoffOptions>
  sessionTimeout?: number
  heartbeatInterval?: number
  rebalanceTimeout?: number
  maxBuffered?: number
}

/**
 * Consume → transform → produce with exactly-once effect (KIP-447): input is read with read_committed; each batch's
 * outputs and the group's input offsets are written in one transaction (TxnOffsetCommit carries the member's
 * generation, so a zombie that lost its partitions cannot commit). On any failure the transaction is aborted and
 * the input partitions rewound to the last committed position.
 */
export class TransactionalPipeline extends EventEmitter {
  readonly #manager: KafkaManager
  readonly #options: PipelineOptions
  readonly #topics: string[]
  readonly #queue: ConsumedRecord[] = []
  readonly #attempts = new Map<string, number>()
  #consumer: Consumer<Buffer, Buffer, Buffer, Buffer> | undefined
  #producer: KafkaProducer | undefined
  #fetcher: Fetcher | undefined
  #running = false
  #loop: Promise<void> | undefined
  #wake: (() => void) | undefined
  #paused = new Set<string>()
  /** Input records whose transaction committed. */
  committedRecords = 0
  transactions = 0
  aborts = 0

  constructor (manager: KafkaManager, options: PipelineOptions) {
    super()
    this.#manager = manager
    this.#options = options
    this.#topics = Array.isArray(options.input.topics) ? options.input.topics : [options.input.topics]
  }

  async start (): Promise<void> {
    if (this.#running) return
    const resolved = this.#manager.options
    const o = this.#options
    this.#producer = new KafkaProducer(`eos-${this.#transactionalId}`, this.#manager.services, { transactionalId: this.#transactionalId, idempotent: true, circuitBreaker: false })
    await this.#producer.connect()
    const group = { sessionTimeout: o.sessionTimeout ?? 30_000, heartbeatInterval: o.heartbeatInterval ?? 3_000, rebalanceTimeout: o.rebalanceTimeout ?? Math.max(60_000, o.sessionTimeout ?? 0) }
    const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({ ...toBaseOptions(resolved, `${resolved.clientId}-eos`), groupId: o.input.groupId, ...group, autocommit: false })
    this.#consumer = consumer
    const maxBuffered = o.maxBuffered ?? 1000
    this.#fetcher = new Fetcher({
      consumer,
      topics: this.#topics,
      fromBeginning: () => o.input.fromBeginning ?? true,
      readCommitted: true,
      maxWaitTime: 500,
      minBytes: 1,
      maxBytes: 10 * 1024 * 1024,
      partitionMaxBytes: 1024 * 1024,
      group,
      reconnect: resolved.retry,
      connection: toBaseOptions(resolved),
      onRecords: (_tp, records) => {
        if (records.length === 0) return
        this.#queue.push(...records)
        if (this.#queue.length >= maxBuffered) this.#pauseAll()
        this.#wake?.()
      },
      onAssignment: (_assigned, revoked) => {
        const gone = new Set(revoked.map((tp) => tpKey(tp.topic, tp.partition)))
        this.#drop((record) => gone.has(tpKey(record.topic, record.partition)))
        this.emit('rebalance', { revoked })
      },
      onError: (error, fatal) => { this.emit(fatal ? 'crash' : 'pipeline.error', error) }
    })
    this.#running = true
    await this.#fetcher.start()
    this.#loop = this.#run()
  }

  /** Finishes the transaction in progress, then leaves the group and closes. */
  async stop (): Promise<void> {
    this.#running = false
    this.#wake?.()
    await this.#loop
    await this.#close()
  }

  async #close (): Promise<void> {
    const fetcher = this.#fetcher
    const consumer = this.#consumer
    const producer = this.#producer
    this.#fetcher = undefined
    this.#consumer = undefined
    this.#producer = undefined
    await fetcher?.stop()
    await consumer?.close().catch(() => {})
    await producer?.disconnect().catch(() => {})
  }

  async #run (): Promise<void> {
    const batchSize = this.#options.batchSize ?? 100
    let failures = 0
    while (this.#running) {
      if (this.#queue.length === 0) {
        await new Promise<void>((resolve) => { this.#wake = resolve })
        this.#wake = undefined
        continue
      }
      const batch = this.#queue.splice(0, batchSize)
      if (this.#queue.length < (this.#options.maxBuffered ?? 1000) / 2) this.#resumeAll()
      try {
        await this.#transaction(batch)
        failures = 0
      } catch (error) {
        failures++
        this.aborts++
        this.emit('abort', error)
        this.#rewind(batch)
        if (isFenced(error)) {
          this.#running = false
          await this.#close()
          this.emit('crash', new SamsaClientError('SAMSA_CLIENT_TRANSACTION', `transactional id ${this.#transactionalId} was fenced by a newer instance`, { cause: error }))
          return
        }
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(failures, { ...DEFAULT_BACKOFF, initialMs: 100, maxMs: 5000, ...this.#options.backoff })))
      }
    }
  }

  async #transaction (batch: ConsumedRecord[]): Promise<void> {
    const producer = this.#producer!
    const consumer = this.#consumer!
    const transaction: Transaction = await producer.raw.beginTransaction()
    let touchedBroker = false
    try {
      const byTopic = new Map<string, OutgoingRecord[]>()
      const last = new Map<string, ConsumedRecord>()
      for (const record of batch) {
        for (const out of await this.#transformOne(record)) {
          const list = byTopic.get(out.topic) ?? []
          list.push(out)
          byTopic.set(out.topic, list)
        }
        last.set(tpKey(record.topic, record.partition), record)
      }
      touchedBroker = true
      for (const [topic, records] of byTopic) await producer.sendRecords(topic, records, transaction)
      await transaction.addConsumer(consumer)
      // One TxnOffsetCommit per partition, sequentially (the client deduplicates concurrent ones).
      for (const record of last.values()) await transaction.addOffset(this.#asMessage(consumer, record))
      await transaction.commit()
    } catch (error) {
      await this.#abort(transaction, touchedBroker)
      throw error
    }
    for (const record of batch) this.#attempts.delete(tpKey(record.topic, record.partition) + `@${record.offset}`)
    this.committedRecords += batch.length
    this.transactions++
    this.emit('commit', { records: batch.length })
  }

  /**
   * Nothing sent yet: forget the transaction locally. Otherwise EndTxn(abort); if even that fails, replace the
   * producer — its InitProducerId bumps the epoch, and the coordinator aborts what the old epoch left open — so
   * the next batch can never join the failed transaction.
   */
  async #abort (transaction: Transaction, touchedBroker: boolean): Promise<void> {
    if (transaction.completed) return
    if (!touchedBroker) {
      await transaction.cancel()
      return
    }
    try {
      await transaction.abort()
    } catch (error) {
      this.emit('pipeline.error', error)
      await transaction.cancel().catch(() => {})
      const old = this.#producer!
      const fresh = new KafkaProducer(old.name, this.#manager.services, { transactionalId: this.#transactionalId, idempotent: true, circuitBreaker: false })
      await old.disconnect().catch(() => {})
      await fresh.connect()
      this.#producer = fresh
    }
  }

  get #transactionalId (): string {
    return this.#options.transactionalId ?? `${this.#options.input.groupId}-eos`
  }

  /** Runs the transform; a record that keeps failing goes to `<topic>-dlt` in the same transaction. */
  async #transformOne (record: ConsumedRecord): Promise<OutgoingRecord[]> {
    const input: PipelineRecord = {
      topic: record.topic, partition: record.partition, offset: String(record.offset), timestamp: String(record.timestamp),
      key: record.key, value: record.value, headers: record.headers
    }
    try {
      const result = await this.#options.transform(input)
      const outputs = result === null || result === undefined ? [] : Array.isArray(result) ? result : [result]
      return outputs.map((out) => {
        const topic = out.topic ?? this.#options.output
        if (topic === undefined) throw new SamsaClientError('SAMSA_CLIENT_CONFIG', 'an output without topic and no `output` topic configured')
        return toRecord(topic, out)
      })
    } catch (error) {
      const key = tpKey(record.topic, record.partition) + `@${record.offset}`
      const attempts = (this.#attempts.get(key) ?? 0) + 1
      this.#attempts.set(key, attempts)
      if (attempts < (this.#options.maxAttempts ?? 5)) throw error
      this.#attempts.delete(key)
      const category = classify(error, [], { topic: record.topic, attempt: attempts })
      const headers = failureHeaders(record, { error, category, attempts, groupId: this.#options.input.groupId, now: Date.now() })
      this.emit('dead-letter', { record: input, error })
      return [{ topic: deadLetterTopicName(record.topic), key: record.key, value: record.value, headers, timestamp: Date.now() }]
    }
  }

  /** What @platformatic/kafka's Transaction.addOffset reads: coordinates plus the member's group metadata. */
  #asMessage (consumer: Consumer<Buffer, Buffer, Buffer, Buffer>, record: ConsumedRecord): Message<Buffer, Buffer, Buffer, Buffer> {
    return {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      key: record.key ?? Buffer.alloc(0),
      value: record.value ?? Buffer.alloc(0),
      timestamp: record.timestamp,
      headers: new Map(),
      metadata: { consumer: { groupId: consumer.groupId, generationId: consumer.generationId, memberId: consumer.memberId, coordinatorId: consumer.coordinatorId } },
      commit: () => {},
      toJSON: () => { throw new Error('not serializable') }
    } as unknown as Message<Buffer, Buffer, Buffer, Buffer>
  }

  /** Aborted: read the batch's partitions again from its first offsets; drop what was fetched after them. */
  #rewind (batch: ConsumedRecord[]): void {
    const first = new Map<string, ConsumedRecord>()
    for (const record of batch) if (!first.has(tpKey(record.topic, record.partition))) first.set(tpKey(record.topic, record.partition), record)
    this.#drop((record) => first.has(tpKey(record.topic, record.partition)))
    for (const record of first.values()) this.#fetcher?.seek(record.topic, record.partition, record.offset)
  }

  #drop (predicate: (record: ConsumedRecord) => boolean): void {
    const kept = this.#queue.filter((record) => !predicate(record))
    this.#queue.splice(0, this.#queue.length, ...kept)
  }

  #pauseAll (): void {
    for (const tp of this.#fetcher?.assignment() ?? []) {
      this.#fetcher?.pause(tp.topic, tp.partition, 'pipeline')
      this.#paused.add(tpKey(tp.topic, tp.partition))
    }
  }

  #resumeAll (): void {
    if (this.#paused.size === 0) return
    this.#paused.clear()
    for (const tp of this.#fetcher?.assignment() ?? []) this.#fetcher?.resume(tp.topic, tp.partition, 'pipeline')
  }

  assignment (): TopicPartition[] {
    return this.#fetcher?.assignment() ?? []
  }
}

function isFenced (error: unknown): boolean {
  const find = (error as { findBy?: (key: string, value: unknown) => unknown }).findBy
  return typeof find === 'function' && ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'].some((id) => Boolean(find.call(error, 'apiId', id)))
}

/** Starts a consume-transform-produce pipeline with exactly-once effect: `transactionalPipeline({ manager, input, output, transform })`. */
export async function transactionalPipeline (options: PipelineOptions & { manager: KafkaManager }): Promise<TransactionalPipeline> {
  const pipeline = new TransactionalPipeline(options.manager, options)
  await pipeline.start()
  return pipeline
}
