import type { ConsumedRecord } from '../consumer/records.js'
import { errorClassName, type ErrorCategory } from './categories.js'

/** Spring Kafka's dead-letter headers (KafkaHeaders.DLT_*), so existing tooling reads our retry/DLT records. */
export const DLT_HEADERS = {
  originalTopic: 'kafka_dlt-original-topic',
  originalPartition: 'kafka_dlt-original-partition',
  originalOffset: 'kafka_dlt-original-offset',
  originalTimestamp: 'kafka_dlt-original-timestamp',
  originalTimestampType: 'kafka_dlt-original-timestamp-type',
  originalConsumerGroup: 'kafka_dlt-original-consumer-group',
  exceptionFqcn: 'kafka_dlt-exception-fqcn',
  exceptionCauseFqcn: 'kafka_dlt-exception-cause-fqcn',
  exceptionMessage: 'kafka_dlt-exception-message',
  exceptionStacktrace: 'kafka_dlt-exception-stacktrace'
} as const

/** Spring's @RetryableTopic headers. */
export const RETRY_HEADERS = {
  backoffTimestamp: 'retry_topic-backoff-timestamp',
  attempts: 'retry_topic-attempts',
  originalTimestamp: 'retry_topic-original-timestamp'
} as const

/** The healthcare design's headers. */
export const HEALTHCARE_HEADERS = {
  errorType: 'error-type',
  errorMessage: 'error-message',
  attemptCount: 'attempt-count',
  retryTimestamp: 'retry-timestamp'
} as const

const OUR_HEADERS = new Set<string>([
  ...Object.values(DLT_HEADERS), ...Object.values(RETRY_HEADERS), ...Object.values(HEALTHCARE_HEADERS)
])

// Java encodings: partition/attempts as a 4-byte big-endian int (ByteBuffer.putInt), offset/timestamp as an
// 8-byte big-endian long (putLong); retry timestamps as BigInteger.toByteArray (minimal two's complement).
export function int32 (value: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32BE(value)
  return b
}

export function int64 (value: bigint): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigInt64BE(value)
  return b
}

export function bigIntegerBytes (value: bigint): Buffer {
  let size = 1
  while (value < -(1n << BigInt(8 * size - 1)) || value >= (1n << BigInt(8 * size - 1))) size++
  const out = Buffer.alloc(size)
  let bits = BigInt.asUintN(8 * size, value)
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(bits & 0xffn)
    bits >>= 8n
  }
  return out
}

export type NumberEncoding = 'int32' | 'int64' | 'biginteger'

/** Reads a number header in its Java encoding; decimal text (written by other tools) is accepted too. */
export function readNumber (value: Buffer | undefined, encoding: NumberEncoding): bigint | undefined {
  if (value === undefined || value.length === 0) return undefined
  if (encoding === 'int32' && value.length === 4) return BigInt(value.readInt32BE(0))
  if (encoding === 'int64' && value.length === 8) return value.readBigInt64BE(0)
  if (encoding === 'biginteger' && value.length <= 8) {
    let result = 0n
    for (const byte of value) result = (result << 8n) | BigInt(byte)
    return (value[0]! & 0x80) !== 0 ? result - (1n << BigInt(value.length * 8)) : result
  }
  const text = value.toString('latin1')
  return /^-?\d+$/.test(text) ? BigInt(text) : undefined
}

export function readString (value: Buffer | undefined): string | undefined {
  return value === undefined ? undefined : value.toString('utf8')
}

export interface FailureInfo {
  error: unknown
  category: ErrorCategory
  /** Handler invocations so far, over every stage. */
  attempts: number
  groupId: string
  /** For retry topics: when the record may run again (ms since the epoch). */
  dueAt?: number
  now: number
}

/**
 * Headers of a record forwarded to a retry topic or the DLT: the original headers minus ours, the original
 * coordinates set once (at the first failure, so they always name the main topic), the latest exception.
 */
export function failureHeaders (record: ConsumedRecord, info: FailureInfo): Map<string, Buffer> {
  const headers = new Map<string, Buffer>()
  for (const [name, value] of Object.entries(record.headers)) if (!OUR_HEADERS.has(name)) headers.set(name, value)
  const keep = (name: string, fallback: Buffer): void => { headers.set(name, record.headers[name] ?? fallback) }
  keep(DLT_HEADERS.originalTopic, Buffer.from(record.topic))
  keep(DLT_HEADERS.originalPartition, int32(record.partition))
  keep(DLT_HEADERS.originalOffset, int64(record.offset))
  keep(DLT_HEADERS.originalTimestamp, int64(record.timestamp))
  keep(DLT_HEADERS.originalTimestampType, Buffer.from('CreateTime'))
  keep(DLT_HEADERS.originalConsumerGroup, Buffer.from(info.groupId))
  keep(RETRY_HEADERS.originalTimestamp, bigIntegerBytes(record.timestamp))
  const error = info.error
  headers.set(DLT_HEADERS.exceptionFqcn, Buffer.from(errorClassName(error)))
  const cause = error instanceof Error ? error.cause : undefined
  if (cause !== undefined) headers.set(DLT_HEADERS.exceptionCauseFqcn, Buffer.from(errorClassName(cause)))
  const message = error instanceof Error ? error.message : String(error)
  headers.set(DLT_HEADERS.exceptionMessage, Buffer.from(message))
  headers.set(DLT_HEADERS.exceptionStacktrace, Buffer.from(error instanceof Error ? error.stack ?? message : message))
  headers.set(RETRY_HEADERS.attempts, int32(info.attempts))
  headers.set(HEALTHCARE_HEADERS.errorType, Buffer.from(info.category))
  headers.set(HEALTHCARE_HEADERS.errorMessage, Buffer.from(message))
  headers.set(HEALTHCARE_HEADERS.attemptCount, Buffer.from(String(info.attempts)))
  if (info.dueAt !== undefined) {
    headers.set(RETRY_HEADERS.backoffTimestamp, bigIntegerBytes(BigInt(info.dueAt)))
    headers.set(HEALTHCARE_HEADERS.retryTimestamp, Buffer.from(String(info.dueAt)))
  }
  return headers
}

/** Attempts made so far according to a record's headers (0 for a record that never failed). */
export function attemptsSoFar (record: ConsumedRecord): number {
  const value = readNumber(record.headers[RETRY_HEADERS.attempts], 'int32')
  return value === undefined ? 0 : Number(value)
}

/** Headers of a dead letter republished to its original topic: the application's own headers only. */
export function replayHeaders (headers: Record<string, Buffer>): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  for (const [name, value] of Object.entries(headers)) if (!OUR_HEADERS.has(name)) out.set(name, value)
  return out
}
