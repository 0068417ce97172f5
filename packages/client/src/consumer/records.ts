import type { fetchV17, RecordsBatch } from '@platformatic/kafka'

type FetchResponsePartition = fetchV17.FetchResponsePartition

/** One record as the SDK hands it around internally: raw bytes, offsets as bigint. */
export interface ConsumedRecord {
  topic: string
  partition: number
  offset: bigint
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
  /** Header values by name; with a repeated name the last value wins (what Kafka tools read with lastHeader). */
  headers: Record<string, Buffer>
}

const IS_TRANSACTIONAL = 0x10
const IS_CONTROL = 0x20
const LOG_APPEND_TIME = 0x08
const ABORT_MARKER = 0

/**
 * Turns one partition of a Fetch response into records from `position` on, skipping control batches and —
 * for read_committed — the batches of aborted transactions. The aborted set is carried across responses
 * (the Java consumer's algorithm), so a transaction split over two fetches is still filtered.
 * Returns the records and the offset after the last batch seen (the next fetch position).
 */
export function decodePartition (
  topic: string,
  data: FetchResponsePartition,
  position: bigint,
  aborted: Map<bigint, bigint> | undefined
): { records: ConsumedRecord[], next: bigint } {
  const records: ConsumedRecord[] = []
  let next = position
  if (aborted !== undefined) {
    for (const { producerId, firstOffset } of data.abortedTransactions ?? []) {
      if (!aborted.has(producerId)) aborted.set(producerId, firstOffset)
    }
  }
  for (const batch of data.records ?? []) {
    const end = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n
    if (end > next) next = end
    if ((batch.attributes & IS_CONTROL) !== 0) {
      if (aborted !== undefined && controlType(batch) === ABORT_MARKER) aborted.delete(batch.producerId)
      continue
    }
    if (aborted !== undefined && (batch.attributes & IS_TRANSACTIONAL) !== 0) {
      const abortedFrom = aborted.get(batch.producerId)
      if (abortedFrom !== undefined && batch.firstOffset >= abortedFrom) continue
    }
    const appendTime = (batch.attributes & LOG_APPEND_TIME) !== 0
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta)
      if (offset < position) continue
      const headers: Record<string, Buffer> = {}
      for (const [name, value] of record.headers) {
        if (name !== null) headers[name.toString()] = value ?? Buffer.alloc(0)
      }
      records.push({
        topic,
        partition: data.partitionIndex,
        offset,
        timestamp: appendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta,
        key: record.key,
        value: record.value,
        headers
      })
    }
  }
  return { records, next }
}

function controlType (batch: RecordsBatch): number {
  const key = batch.records[0]?.key
  return key !== null && key !== undefined && key.length >= 4 ? key.readInt16BE(2) : -1
}

export function tpKey (topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}
