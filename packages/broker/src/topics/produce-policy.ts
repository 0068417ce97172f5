import {
  ATTR_COMPRESSION_MASK, ATTR_TIMESTAMP_TYPE, BATCH_ATTRIBUTES, BATCH_BASE_TIMESTAMP, BATCH_LENGTH, BATCH_LOG_OVERHEAD, BATCH_MAX_TIMESTAMP,
  CompressionType, ErrorCode, decodeRecordBatch, decodeRecordBatches, encodeRecordBatch, readInt64
} from '@samsa/protocol'
import type { TopicSettings } from './topic-configs.js'

/**
 * Per-topic produce rules that go beyond validating the bytes: message.timestamp.before/after.max.ms (checked on
 * batch headers: the first record's timestamp and the batch's largest) and compression.type. Batches are opaque
 * Buffers; only a topic whose compression.type names a codec other than the batch's makes the broker decode and
 * re-encode that batch — Kafka's behaviour, and the one place the produce path looks at records.
 */
const CODECS: Record<string, CompressionType> = {
  uncompressed: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd
}

/** INVALID_TIMESTAMP message for the first batch outside the topic's window, or null. CreateTime topics only. */
export function timestampProblem (records: Buffer, settings: TopicSettings, now: number): string | null {
  if (settings.messageTimestampType !== 'CreateTime') return null
  const before = settings.messageTimestampBeforeMaxMs
  const after = settings.messageTimestampAfterMaxMs
  if (before >= Number.MAX_SAFE_INTEGER && after >= Number.MAX_SAFE_INTEGER) return null
  for (let pos = 0; pos < records.length; pos += records.readInt32BE(pos + BATCH_LENGTH) + BATCH_LOG_OVERHEAD) {
    if ((records.readInt16BE(pos + BATCH_ATTRIBUTES) & ATTR_TIMESTAMP_TYPE) !== 0) continue
    const first = readInt64(records, pos + BATCH_BASE_TIMESTAMP)
    const max = readInt64(records, pos + BATCH_MAX_TIMESTAMP)
    const earliest = Math.min(first, max)
    if (earliest >= 0 && now - earliest > before) {
      return `Timestamp ${earliest} of message is before the allowed window: it is more than message.timestamp.before.max.ms=${before} behind the broker time ${now}`
    }
    if (max >= 0 && max - now > after) {
      return `Timestamp ${max} of message is after the allowed window: it is more than message.timestamp.after.max.ms=${after} ahead of the broker time ${now}`
    }
  }
  return null
}

export interface RecordProblem { errorCode: number, message: string }

/**
 * Compacted topics keep the latest value per key, so a record without a key has no place in them: Kafka refuses
 * the batch with INVALID_RECORD. Only topics whose cleanup.policy includes compact pay for decoding the records;
 * a compressed payload that does not decompress, or decompresses into malformed records, is CORRUPT_MESSAGE and
 * never reaches the log or the cleaner (malformed uncompressed records are refused earlier, by
 * validateProduceRecords).
 */
export function keylessRecordProblem (records: Buffer, settings: TopicSettings, topicPartition: string): RecordProblem | null {
  if (!settings.cleanupPolicy.compact) return null
  let batches
  try {
    batches = decodeRecordBatches(records)
  } catch (error) {
    return { errorCode: ErrorCode.CORRUPT_MESSAGE, message: `the records of a batch for ${topicPartition} cannot be read: ${(error as Error).message}` }
  }
  for (const batch of batches) {
    if (batch.isControl) continue
    if (batch.records.some((record) => record.key === null)) return { errorCode: ErrorCode.INVALID_RECORD, message: `Compacted topic cannot accept message without key in topic partition ${topicPartition}.` }
  }
  return null
}

export type Recompressed = { ok: true, records: Buffer } | { ok: false, errorCode: number, message: string }

/**
 * Applies compression.type to already-validated batches. "producer" (and batches already in the topic's codec)
 * keep their bytes; any other batch is decoded and rebuilt with the topic's codec, keeping offsets deltas,
 * timestamps, keys, values, headers and the producer id/epoch/sequence and transactional flag. The rebuilt batch
 * must still fit max.message.bytes.
 */
export function applyCompression (records: Buffer, settings: TopicSettings): Recompressed {
  if (settings.compressionType === 'producer') return { ok: true, records }
  const target = CODECS[settings.compressionType]!
  let needed = false
  for (let pos = 0; pos < records.length; pos += records.readInt32BE(pos + BATCH_LENGTH) + BATCH_LOG_OVERHEAD) {
    if ((records.readInt16BE(pos + BATCH_ATTRIBUTES) & ATTR_COMPRESSION_MASK) !== target) needed = true
  }
  if (!needed) return { ok: true, records }
  const rebuilt: Buffer[] = []
  for (let pos = 0; pos < records.length;) {
    const size = records.readInt32BE(pos + BATCH_LENGTH) + BATCH_LOG_OVERHEAD
    const batch = records.subarray(pos, pos + size)
    pos += size
    if ((batch.readInt16BE(BATCH_ATTRIBUTES) & ATTR_COMPRESSION_MASK) === target) { rebuilt.push(batch); continue }
    let decoded
    try {
      decoded = decodeRecordBatch(batch, { verifyCrc: false })
    } catch (error) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, message: `cannot decompress the batch: ${(error as Error).message}` }
    }
    let encoded: Buffer
    try {
      encoded = encodeRecordBatch(
        decoded.records.map((record) => ({ key: record.key, value: record.value, headers: record.headers, timestamp: record.timestamp, offsetDelta: record.offset - decoded.baseOffset })),
        {
          compression: target,
          producerId: decoded.producerId,
          producerEpoch: decoded.producerEpoch,
          baseSequence: decoded.baseSequence,
          isTransactional: decoded.isTransactional,
          lastOffsetDelta: decoded.lastOffsetDelta,
          maxTimestamp: decoded.maxTimestamp
        }
      )
    } catch (error) { // records that decode but make no valid batch (offset deltas out of order, out of range)
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, message: `cannot rebuild the batch: ${(error as Error).message}` }
    }
    if (encoded.length > settings.maxMessageBytes) {
      return { ok: false, errorCode: ErrorCode.MESSAGE_TOO_LARGE, message: `the batch is ${encoded.length} bytes after recompression with ${settings.compressionType}, above max.message.bytes=${settings.maxMessageBytes}` }
    }
    rebuilt.push(encoded)
  }
  return { ok: true, records: rebuilt.length === 1 ? rebuilt[0]! : Buffer.concat(rebuilt) }
}
