/** Public message types of the reference client package, kept verbatim in shape. */

/** Handler of one topic: receives the parsed message. The second argument is optional context. */
export type TopicHandler<T = any> = (message: T, context: MessageContext) => Promise<void>

/** A message to send. Strings and Buffers are both accepted for key, value and header values. */
export interface MessagePayload {
  key?: string | Buffer | null
  value: string | Buffer | null
  partition?: number
  headers?: Record<string, string | Buffer>
  /** ms since the epoch (number, numeric string or Date); defaults to now. */
  timestamp?: number | string | Date
}

/** One acknowledged partition of a send (kafkajs' RecordMetadata shape). */
export interface RecordMetadata {
  topicName: string
  partition: number
  errorCode: number
  /** Offset of the first record of this send in the partition ("-1" with acks=0). */
  baseOffset: string
  offset: string
  timestamp: string
}

/** Debezium change-event envelope (CDC). */
export interface DatabaseEvent<T> {
  before: T | null
  after: T
  source: {
    version: string
    connector: string
    name: string
    ts_ms: number
    snapshot?: boolean | 'true' | 'false' | 'last' | 'first' | 'incremental'
    db: string
    sequence?: string | null
    schema: string
    table: string
    txId?: number | null
    lsn?: number | null
    xmin?: number | null
    [extra: string]: unknown
  }
  /** create, update, delete, read (snapshot). */
  op: 'c' | 'u' | 'd' | 'r'
  ts_ms: number
  transaction?: { id: string, total_order: number, data_collection_order: number } | null
}

/** A consumed message in the kafkajs shape the reference package's run() hands out. */
export interface KafkaMessage {
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, Buffer>
  /** Decimal strings, as kafkajs gives them. */
  offset: string
  timestamp: string
}

export interface EachMessagePayload {
  topic: string
  partition: number
  message: KafkaMessage
  /** A no-op kept for kafkajs compatibility: heartbeats run on their own timer and never wait for handlers. */
  heartbeat: () => Promise<void>
  /** Pauses fetching of this message's partition (resume with consumer.resume). */
  pause: () => () => void
}

export type MessageHandler = (payload: EachMessagePayload) => Promise<void>
export type TypedMessageHandler<T> = (message: T, payload: EachMessagePayload) => Promise<void>

export interface SubscribeOptions {
  topic?: string
  topics?: string[]
  /** Start at the earliest offset when the group has no committed offset (default: the consumer's setting). */
  fromBeginning?: boolean
}

/** What a handler may want to know besides the message itself. */
export interface MessageContext {
  topic: string
  partition: number
  offset: string
  timestamp: string
  key: string | null
  headers: Record<string, Buffer>
  /** 1 for the first delivery; counts in-process retries and retry-topic deliveries. */
  attempt: number
  groupId: string
}
