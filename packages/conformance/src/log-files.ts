import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32c } from './crc32c.js'

/**
 * Reads the broker's segment files (Kafka layout: <data dir>/<topic>-<partition>/<20-digit base offset>.log)
 * and lists the RecordBatch v2 headers in them. Used to prove that a client really sent compressed batches and
 * that the broker stored them as sent. Only reads what has reached the file (after acks=all, or after a stop).
 */
export interface StoredBatch {
  baseOffset: number
  lastOffsetDelta: number
  recordsCount: number
  /** 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd */
  codec: number
  magic: number
  /** The stored CRC matches CRC-32C of attributes..end (computed here, not by the broker). */
  crcValid: boolean
}

export const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const

export function storedBatches (dataDir: string, topic: string, partition: number): StoredBatch[] {
  const dir = join(dataDir, `${topic}-${partition}`)
  if (!existsSync(dir)) throw new Error(`no partition directory ${dir}`)
  const segments = readdirSync(dir).filter((name) => /^\d{20}\.log$/.test(name)).sort()
  const batches: StoredBatch[] = []
  for (const segment of segments) {
    const data = readFileSync(join(dir, segment))
    let position = 0
    while (position + 61 <= data.length) {
      const batchLength = data.readInt32BE(position + 8)
      if (batchLength <= 0 || position + 12 + batchLength > data.length) break // preallocated or torn tail
      batches.push({
        baseOffset: Number(data.readBigInt64BE(position)),
        magic: data.readInt8(position + 16),
        codec: data.readInt16BE(position + 21) & 0x07,
        lastOffsetDelta: data.readInt32BE(position + 23),
        recordsCount: data.readInt32BE(position + 57),
        crcValid: data.readUInt32BE(position + 17) === crc32c(data.subarray(position + 21, position + 12 + batchLength))
      })
      position += 12 + batchLength
    }
  }
  return batches
}
