import { createHash } from 'node:crypto'

/**
 * Test records and their JSON form for the Python drivers. Samples are deterministic and deliberately awkward:
 * every byte value, empty (not null) values, null keys and values, multi-byte UTF-8, newlines inside payloads.
 */
export interface TestRecord {
  key: Buffer | null
  value: Buffer | null
  headers?: Array<[string, Buffer]>
  timestamp?: number
  partition?: number
}

export interface ConsumedRecord {
  partition: number
  offset: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers?: Array<[string, Buffer]> | null
}

/** `count` varied records tagged with `tag` so data written by one test cannot pass for another's. */
export function sampleRecords (count: number, tag: string): TestRecord[] {
  const records: TestRecord[] = []
  for (let i = 0; i < count; i++) {
    const label = `${tag}-${i}`
    switch (i % 6) {
      case 0: records.push({ key: Buffer.from(`key-${label}`), value: Buffer.from(`value ${label}`), headers: [['trace', Buffer.from(`t-${label}`)], ['bin', Buffer.from([0, 1, 254, 255])]] }); break
      case 1: records.push({ key: null, value: Buffer.from(Array.from({ length: 256 }, (_, b) => (b + i) & 0xff)) }); break
      case 2: records.push({ key: Buffer.from(`key-${label}`), value: Buffer.alloc(0) }); break
      case 3: records.push({ key: Buffer.from(`ключ-${label}-🔑`), value: Buffer.from(`line one ${label}\nline two\r\n\u0000end`) }); break
      case 4: records.push({ key: Buffer.from(`key-${label}`), value: null }); break
      default: records.push({ key: Buffer.alloc(0), value: Buffer.from(`${label} `.repeat(200)) })
    }
  }
  return records
}

/**
 * Text records that compress well even one at a time (a repeated payload). librdkafka sends a batch uncompressed
 * when compressing would not shrink it, and on a loaded machine it may send the first records of a burst on their
 * own: with these, every batch it forms is compressed, however it splits them.
 */
export function compressibleTextRecords (count: number, tag: string): Array<{ key: string, value: string }> {
  return Array.from({ length: count }, (_, i) => ({ key: `key-${i % 4}`, value: `${tag} payload ${i} ` + 'abcdefgh'.repeat(20) }))
}

/** Text-only records (kcat reads lines from stdin, so no newlines and no nulls). */
export function textRecords (count: number, tag: string): Array<{ key: string, value: string }> {
  return Array.from({ length: count }, (_, i) => ({ key: `k${i}-${tag}`, value: `value ${i} of ${tag} ` + 'x'.repeat(i % 7) + ' ü€' }))
}

export interface WireRecord { key: string | null, value: string | null, headers?: Array<[string, string]>, timestamp?: number, partition?: number }

const b64 = (data: Buffer | null): string | null => data === null ? null : data.toString('base64')
const unb64 = (text: string | null | undefined): Buffer | null => text === null || text === undefined ? null : Buffer.from(text, 'base64')

export function toWire (record: TestRecord): WireRecord {
  const wire: WireRecord = { key: b64(record.key), value: b64(record.value) }
  if (record.headers !== undefined) wire.headers = record.headers.map(([name, value]) => [name, value.toString('base64')])
  if (record.timestamp !== undefined) wire.timestamp = record.timestamp
  if (record.partition !== undefined) wire.partition = record.partition
  return wire
}

export interface WireConsumed {
  partition: number
  offset: number
  timestamp: number
  key: string | null
  value: string | null
  headers?: Array<[string, string]> | null
}

export function fromWire (record: WireConsumed): ConsumedRecord {
  return {
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: unb64(record.key),
    value: unb64(record.value),
    headers: record.headers === null || record.headers === undefined ? record.headers : record.headers.map(([name, value]) => [name, unb64(value)!])
  }
}

/**
 * The comparable part of records: what was produced must come back byte for byte, in order. Bytes are shown as
 * hex; long ones as a hex prefix plus length and SHA-256, which keeps failure diffs readable and stays exact.
 */
export function payloads (records: Array<TestRecord | ConsumedRecord>): Array<{ key: string | null, value: string | null }> {
  return records.map((record) => ({ key: show(record.key), value: show(record.value) }))
}

function show (data: Buffer | null): string | null {
  if (data === null) return null
  if (data.length <= 48) return data.toString('hex')
  return `${data.subarray(0, 16).toString('hex')}… (${data.length} bytes, sha256 ${createHash('sha256').update(data).digest('hex')})`
}
