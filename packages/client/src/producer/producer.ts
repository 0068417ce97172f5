import { Producer, stringSerializer, type MessageToProduce, type ProduceResult } from '@platformatic/kafka'
import { CircuitBreaker, type CircuitBreakerOptions } from '../circuit-breaker.js'
import { toBaseOptions } from '../config.js'
import { SamsaClientError, describe } from '../errors.js'
import { endSpan } from '../observability/tracing.js'
import { javaCompatiblePartitioner, type Partitioner } from '../partitioners/index.js'
import type { ClientServices } from '../services.js'
import { SendCoalescer } from './coalescer.js'
import type { TopicDescriptor, TopicRegistry } from '../topics.js'
import type { MessagePayload, RecordMetadata } from '../types.js'

/** A transaction of the underlying producer (@platformatic/kafka does not export the class). */
export type Transaction = NonNullable<Producer<Buffer, Buffer, string, Buffer>['transaction']>

export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

export interface ProducerOptions {
  /** Idempotent produce (InitProducerId, sequence numbers): no duplicates from retries. Default true. */
  idempotent?: boolean
  /** Accepted for kafkajs compatibility; @platformatic/kafka pipelines requests per connection itself. */
  maxInFlightRequests?: number
  /** -1 / 'all' (default), 1 or 0. Idempotence requires all. */
  acks?: -1 | 0 | 1 | 'all'
  compression?: Compression
  /** Partition choice for records without an explicit partition (default: Java-compatible murmur2 + sticky). */
  partitioner?: Partitioner
  /** Makes the producer transactional (see transactionalPipeline). */
  transactionalId?: string
  /** Fails sends fast while the cluster is unreachable. false disables it. */
  circuitBreaker?: CircuitBreakerOptions | false
  /** Create missing topics on send when the cluster allows it (default true). */
  allowAutoTopicCreation?: boolean
}

/** One record with its topic, the unit the SDK hands to @platformatic/kafka. */
export interface OutgoingRecord {
  topic: string
  key: Buffer | null
  value: Buffer | null
  partition?: number
  headers: Map<string, Buffer>
  timestamp: number
}

const CIRCUIT_GAUGE = { CLOSED: 0, OPEN: 1, HALF_OPEN: 2 } as const

/**
 * The reference package's producer: `send(topic, messages) → RecordMetadata[]`, plus typed `publish` through
 * topic descriptors, a Java-compatible partitioner, a circuit breaker, metrics and `send <topic>` spans.
 */
export class KafkaProducer {
  readonly name: string
  readonly #services: ClientServices
  readonly #options: ProducerOptions
  readonly #partitioner: Partitioner
  readonly #circuit: CircuitBreaker | undefined
  #producer: Producer<Buffer, Buffer, string, Buffer> | undefined
  #coalescer: SendCoalescer | undefined
  #connecting: Promise<void> | undefined

  constructor (name: string, services: ClientServices, options: ProducerOptions = {}) {
    this.name = name
    this.#services = services
    this.#options = options
    this.#partitioner = options.partitioner ?? javaCompatiblePartitioner()
    if (options.circuitBreaker !== false) {
      const circuitName = `${services.resolved.clientId}:${name}`
      const gauge = services.metrics?.circuitState.labels(circuitName)
      gauge?.set(0)
      this.#circuit = new CircuitBreaker({
        name: circuitName,
        // A message the cluster refused on its merits says nothing about the cluster's health.
        isFailure: (error) => !SamsaClientError.is(error, 'SAMSA_CLIENT_VALIDATION') && !SamsaClientError.is(error, 'SAMSA_CLIENT_SERIALIZATION'),
        ...options.circuitBreaker,
        onStateChange: (state, previous) => {
          gauge?.set(CIRCUIT_GAUGE[state])
          services.logger.warn(`producer ${name}: circuit ${previous} → ${state}`)
          if (options.circuitBreaker !== undefined && options.circuitBreaker !== false) options.circuitBreaker.onStateChange?.(state, previous)
        }
      })
    }
  }

  get circuit (): CircuitBreaker | undefined { return this.#circuit }

  /** The underlying @platformatic/kafka producer (Buffer keys/values), for what the SDK does not wrap. */
  get raw (): Producer<Buffer, Buffer, string, Buffer> {
    if (this.#producer === undefined) throw new SamsaClientError('SAMSA_CLIENT_NOT_CONNECTED', `producer ${this.name} is not connected`)
    return this.#producer
  }

  async connect (): Promise<void> {
    if (this.#producer !== undefined) return
    this.#connecting ??= this.#connect().finally(() => { this.#connecting = undefined })
    await this.#connecting
  }

  async #connect (): Promise<void> {
    const { resolved } = this.#services
    const base = toBaseOptions(resolved, `${resolved.clientId}-${this.name}`)
    // @platformatic/kafka turns retries ≤ 1 of an idempotent producer into "retry forever" (a send would then hang
    // through an outage); 2 keeps sends bounded, so failures reach the caller and the circuit breaker.
    if (typeof base.retries === 'number' && base.retries < 2) base.retries = 2
    const producer = new Producer<Buffer, Buffer, string, Buffer>({
      ...base,
      serializers: { headerKey: stringSerializer },
      idempotent: this.#options.transactionalId !== undefined ? true : this.#options.idempotent ?? true,
      acks: acksValue(this.#options.acks),
      autocreateTopics: this.#options.allowAutoTopicCreation ?? true,
      ...(this.#options.compression !== undefined && this.#options.compression !== 'none' ? { compression: this.#options.compression } : {}),
      ...(this.#options.transactionalId !== undefined
        ? {
            transactionalId: this.#options.transactionalId,
            // @platformatic/kafka 1.35 sends InitProducerId with producerId 0 / epoch 0 unless told otherwise; a
            // broker then treats "0/0" as a claim to producer id 0 and answers PRODUCER_FENCED whenever the
            // transactional id belongs to another producer id (e.g. after a restart). -1/-1 means "new instance"
            // (KIP-360), which fences the previous instance and aborts its open transaction instead.
            producerId: -1n,
            producerEpoch: -1,
            // Also the transaction timeout (transaction.timeout.ms): Kafka's default, not the 5 s request default.
            timeout: 60_000
          }
        : {})
    })
    try {
      await producer.metadata({ topics: [] })
    } catch (error) {
      await producer.close().catch(() => {})
      throw error
    }
    this.#producer = producer
    const idempotent = this.#options.transactionalId !== undefined || (this.#options.idempotent ?? true)
    this.#coalescer = idempotent ? new SendCoalescer(producer) : undefined
  }

  async disconnect (): Promise<void> {
    const producer = this.#producer
    this.#producer = undefined
    if (producer !== undefined) await producer.close()
  }

  isConnected (): boolean {
    return this.#producer !== undefined && !this.#producer.closed
  }

  /** Sends messages to one topic; one RecordMetadata per partition written, as kafkajs reports them. */
  async send (topic: string, messages: MessagePayload[]): Promise<RecordMetadata[]> {
    return await this.sendRecords(topic, messages.map((message) => toRecord(topic, message)))
  }

  /** Several topics in one call (kafkajs' sendBatch). */
  async sendBatch (batch: { topicMessages: Array<{ topic: string, messages: MessagePayload[] }> }): Promise<RecordMetadata[]> {
    const results = await Promise.all(batch.topicMessages.map(async ({ topic, messages }) => await this.send(topic, messages)))
    return results.flat()
  }

  /** Validates and sends typed messages through a topic descriptor. */
  async publish<T> (descriptor: TopicDescriptor<T, string>, messages: T | T[], options: { headers?: Record<string, string | Buffer>, partition?: number } = {}): Promise<RecordMetadata[]> {
    const list = Array.isArray(messages) ? messages as T[] : [messages]
    const records = list.map((message) => {
      const { key, value, headers } = descriptor.encode(message)
      return toRecord(descriptor.name, { key, value, headers: { ...headers, ...options.headers }, ...(options.partition !== undefined ? { partition: options.partition } : {}) })
    })
    return await this.sendRecords(descriptor.name, records)
  }

  /** A view of this producer checked against a topic map: `typed(registry).send('orders.created', order)`. */
  typed<M extends object> (registry: TopicRegistry<M>): TypedProducer<M> {
    return {
      send: async (topicName, messages, options) => await this.publish(registry.get(topicName), messages, options)
    }
  }

  /** The common path of every send: circuit breaker, partitioning, span, metrics. */
  async sendRecords (topic: string, records: OutgoingRecord[], transaction?: Transaction): Promise<RecordMetadata[]> {
    const producer = this.raw
    if (records.length === 0) return []
    const run = async (): Promise<RecordMetadata[]> => await this.#sendNow(producer, topic, records, transaction)
    return this.#circuit === undefined || transaction !== undefined ? await run() : await this.#circuit.execute(run)
  }

  async #sendNow (producer: Producer<Buffer, Buffer, string, Buffer>, topic: string, records: OutgoingRecord[], transaction: Transaction | undefined): Promise<RecordMetadata[]> {
    const { metrics, tracing } = this.#services
    const started = performance.now()
    const span = tracing?.enabled !== true ? undefined : tracing.startSend(topic, records.map((r) => r.headers), records.length === 1 && records[0]!.key !== null ? records[0]!.key.toString() : undefined)
    try {
      const numPartitions = await this.#partitionCount(producer, topic)
      const messages: Array<MessageToProduce<Buffer, Buffer, string, Buffer>> = records.map((record) => ({
        topic,
        partition: record.partition ?? this.#partitioner({ topic, key: record.key, value: record.value, numPartitions, timestamp: record.timestamp }),
        ...(record.key !== null ? { key: record.key } : {}),
        ...(record.value !== null ? { value: record.value } : {}),
        headers: record.headers,
        timestamp: BigInt(record.timestamp)
      }))
      const result = transaction !== undefined
        ? await transaction.send({ messages })
        : this.#coalescer !== undefined ? await this.#coalescer.send(messages) : await producer.send({ messages })
      if (metrics !== undefined) {
        metrics.messages.inc({ topic, status: 'produced' }, records.length)
        metrics.sendDuration.observe({ topic }, (performance.now() - started) / 1000)
        const last = records[records.length - 1]!
        metrics.messageSize.set({ topic }, (last.key?.length ?? 0) + (last.value?.length ?? 0))
      }
      if (span !== undefined) endSpan(span)
      return toMetadata(topic, messages, result)
    } catch (error) {
      metrics?.producerFailures.inc({ topic })
      if (span !== undefined) endSpan(span, error)
      throw error
    }
  }

  /** Partition count from the client's metadata cache (refreshed after metadataMaxAge). */
  async #partitionCount (producer: Producer<Buffer, Buffer, string, Buffer>, topic: string): Promise<number> {
    const cached = producer.currentMetadata?.topics.get(topic)
    const maxAge = this.#services.resolved.metadataMaxAge ?? 5000
    if (cached !== undefined && cached.lastUpdate > Date.now() - maxAge) return cached.partitionsCount
    const metadata = await producer.metadata({ topics: [topic], autocreateTopics: this.#options.allowAutoTopicCreation ?? true })
    const count = metadata.topics.get(topic)?.partitionsCount
    if (count === undefined || count < 1) throw new SamsaClientError('SAMSA_CLIENT_NOT_FOUND', `topic ${topic} has no partitions`, { retriable: true })
    return count
  }
}

export interface TypedProducer<M extends object> {
  send: <K extends keyof M & string>(topic: K, messages: M[K] | Array<M[K]>, options?: { headers?: Record<string, string | Buffer>, partition?: number }) => Promise<RecordMetadata[]>
}

export function toRecord (topic: string, message: MessagePayload): OutgoingRecord {
  if (typeof message !== 'object' || message === null || !('value' in message)) {
    throw new SamsaClientError('SAMSA_CLIENT_SERIALIZATION', `a message for ${topic} must be an object with a value (got ${describe(message)})`)
  }
  const headers = new Map<string, Buffer>()
  for (const [name, value] of Object.entries(message.headers ?? {})) headers.set(name, toBuffer(value)!)
  const timestamp = message.timestamp === undefined ? Date.now() : message.timestamp instanceof Date ? message.timestamp.getTime() : Number(message.timestamp)
  return {
    topic,
    key: toBuffer(message.key),
    value: toBuffer(message.value),
    ...(message.partition !== undefined ? { partition: message.partition } : {}),
    headers,
    timestamp
  }
}

function toBuffer (value: string | Buffer | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null
  if (Buffer.isBuffer(value)) return value
  if (typeof value === 'string') return Buffer.from(value)
  throw new SamsaClientError('SAMSA_CLIENT_SERIALIZATION', `expected a string or Buffer, got ${typeof value} (use publish() with a topic descriptor for objects)`)
}

function acksValue (acks: ProducerOptions['acks']): number {
  if (acks === undefined || acks === 'all') return -1
  return acks
}

/** One entry per partition written, with the base offset the broker assigned (kafkajs' RecordMetadata). */
function toMetadata (topic: string, messages: Array<MessageToProduce<Buffer, Buffer, string, Buffer>>, result: ProduceResult): RecordMetadata[] {
  if (result.offsets !== undefined && result.offsets.length > 0) {
    return result.offsets.map(({ topic: topicName, partition, offset }) => ({
      topicName, partition, errorCode: 0, baseOffset: String(offset), offset: String(offset), timestamp: '-1'
    }))
  }
  const partitions = [...new Set(messages.map((m) => m.partition ?? 0))]
  return partitions.map((partition) => ({ topicName: topic, partition, errorCode: 0, baseOffset: '-1', offset: '-1', timestamp: '-1' }))
}

