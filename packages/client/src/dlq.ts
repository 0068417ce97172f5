import { Consumer } from '@platformatic/kafka'
import { toBaseOptions } from './config.js'
import type { ConsumedRecord } from './consumer/records.js'
import { readTopic } from './internal/read.js'
import type { KafkaManager } from './manager.js'
import { KafkaProducer } from './producer/producer.js'
import { DLT_HEADERS, HEALTHCARE_HEADERS, RETRY_HEADERS, readNumber, readString, replayHeaders } from './retry/headers.js'
import { deadLetterTopicName, isDeadLetterTopic } from './retry/topics.js'
import type { RecordMetadata } from './types.js'

/** A record of a dead-letter topic with its Spring/healthcare headers decoded. */
export interface DeadLetter {
  topic: string
  partition: number
  offset: string
  timestamp: string
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, Buffer>
  originalTopic: string | undefined
  originalPartition: number | undefined
  originalOffset: string | undefined
  originalTimestamp: string | undefined
  consumerGroup: string | undefined
  errorType: string | undefined
  exceptionClass: string | undefined
  exceptionMessage: string | undefined
  stacktrace: string | undefined
  attempts: number | undefined
}

export type DeadLetterFilter = (letter: DeadLetter) => boolean

export interface ListOptions {
  filter?: DeadLetterFilter
  limit?: number
  fromOffset?: bigint | number
  partitions?: number[]
}

export const REPLAYED_FROM_HEADER = 'samsa-replayed-from'

export function toDeadLetter (record: ConsumedRecord): DeadLetter {
  const h = record.headers
  const number = (name: string, encoding: 'int32' | 'int64'): bigint | undefined => readNumber(h[name], encoding)
  const partition = number(DLT_HEADERS.originalPartition, 'int32')
  const offset = number(DLT_HEADERS.originalOffset, 'int64')
  const timestamp = number(DLT_HEADERS.originalTimestamp, 'int64')
  const attempts = number(RETRY_HEADERS.attempts, 'int32') ?? (h[HEALTHCARE_HEADERS.attemptCount] !== undefined ? BigInt(h[HEALTHCARE_HEADERS.attemptCount]!.toString()) : undefined)
  return {
    topic: record.topic,
    partition: record.partition,
    offset: String(record.offset),
    timestamp: String(record.timestamp),
    key: record.key,
    value: record.value,
    headers: record.headers,
    originalTopic: readString(h[DLT_HEADERS.originalTopic]),
    originalPartition: partition === undefined ? undefined : Number(partition),
    originalOffset: offset === undefined ? undefined : String(offset),
    originalTimestamp: timestamp === undefined ? undefined : String(timestamp),
    consumerGroup: readString(h[DLT_HEADERS.originalConsumerGroup]),
    errorType: readString(h[HEALTHCARE_HEADERS.errorType]),
    exceptionClass: readString(h[DLT_HEADERS.exceptionFqcn]),
    exceptionMessage: readString(h[DLT_HEADERS.exceptionMessage]),
    stacktrace: readString(h[DLT_HEADERS.exceptionStacktrace]),
    attempts: attempts === undefined ? undefined : Number(attempts)
  }
}

/**
 * List, inspect and replay dead letters. `topic` may name the main topic (its `-dlt` is read) or the DLT itself.
 * Reading uses no consumer group, so it never moves anyone's offsets.
 */
export class DeadLetterQueue {
  readonly #manager: KafkaManager
  #reader: Consumer<Buffer, Buffer, Buffer, Buffer> | undefined
  #producer: KafkaProducer | undefined

  constructor (manager: KafkaManager) {
    this.#manager = manager
  }

  async list (topic: string, options: ListOptions = {}): Promise<DeadLetter[]> {
    const dlt = isDeadLetterTopic(topic) ? topic : deadLetterTopicName(topic)
    const records = await readTopic(this.#consumer(), dlt, {
      ...(options.partitions !== undefined ? { partitions: options.partitions } : {}),
      ...(options.fromOffset !== undefined ? { fromOffset: BigInt(options.fromOffset) } : {})
    })
    const letters = records.map(toDeadLetter).filter((letter) => options.filter?.(letter) ?? true)
    return options.limit === undefined ? letters : letters.slice(0, options.limit)
  }

  async inspect (topic: string, partition: number, offset: bigint | number | string): Promise<DeadLetter | undefined> {
    const wanted = BigInt(offset)
    const [letter] = await this.list(topic, { partitions: [partition], fromOffset: wanted, limit: 1 })
    return letter !== undefined && BigInt(letter.offset) === wanted ? letter : undefined
  }

  /**
   * Republishes matching dead letters to their original topic (or `toTopic`) with the application's headers only,
   * plus `samsa-replayed-from: <dlt>/<partition>/<offset>`. The DLT itself is left as it is (it is a log).
   */
  async replay (topic: string, options: ListOptions & { toTopic?: string } = {}): Promise<{ replayed: DeadLetter[], results: RecordMetadata[] }> {
    const letters = await this.list(topic, options)
    const producer = await this.#replayProducer()
    const results: RecordMetadata[] = []
    for (const letter of letters) {
      const destination = options.toTopic ?? letter.originalTopic ?? letter.topic.replace(/-dlt$/, '')
      const headers = replayHeaders(letter.headers)
      headers.set(REPLAYED_FROM_HEADER, Buffer.from(`${letter.topic}/${letter.partition}/${letter.offset}`))
      results.push(...await producer.sendRecords(destination, [{ topic: destination, key: letter.key, value: letter.value, headers, timestamp: Date.now() }]))
    }
    return { replayed: letters, results }
  }

  async close (): Promise<void> {
    await this.#reader?.close()
    await this.#producer?.disconnect()
    this.#reader = undefined
    this.#producer = undefined
  }

  #consumer (): Consumer<Buffer, Buffer, Buffer, Buffer> {
    const resolved = this.#manager.options
    this.#reader ??= new Consumer<Buffer, Buffer, Buffer, Buffer>({ ...toBaseOptions(resolved, `${resolved.clientId}-dlq`), groupId: `${resolved.clientId}-dlq-reader` })
    return this.#reader
  }

  async #replayProducer (): Promise<KafkaProducer> {
    if (this.#producer === undefined) {
      const producer = new KafkaProducer('__samsa-dlq-replay', this.#manager.services, { idempotent: true, circuitBreaker: false })
      await producer.connect()
      this.#producer = producer
    }
    return this.#producer
  }
}
