import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeRecordBatches, encodeRecordBatch, readBatchHeader, BATCH_LENGTH, BATCH_LOG_OVERHEAD } from '@samsa/protocol'

export function tempDir (t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-log-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'topic-0')
}

/** A batch of `count` records whose values name their position: `v<tag>-<i>`. */
export function batch (tag: number, count: number, timestamp = 1_700_000_000_000 + tag * 1000, valueSize = 0): Buffer {
  return encodeRecordBatch(Array.from({ length: count }, (_, i) => ({
    key: `k${tag}`,
    value: `v${tag}-${i}` + 'x'.repeat(valueSize),
    timestamp: timestamp + i
  })))
}

export interface BatchInfo { baseOffset: number, lastOffset: number, maxTimestamp: number, size: number }

/** Splits a buffer of concatenated batches into header summaries (asserting they are whole). */
export function batchesIn (buf: Buffer): BatchInfo[] {
  const out: BatchInfo[] = []
  for (let pos = 0; pos < buf.length;) {
    const size = buf.readInt32BE(pos + BATCH_LENGTH) + BATCH_LOG_OVERHEAD
    if (pos + size > buf.length) throw new Error('partial batch in read result')
    const h = readBatchHeader(buf, pos)
    out.push({ baseOffset: h.baseOffset, lastOffset: h.baseOffset + h.lastOffsetDelta, maxTimestamp: h.maxTimestamp, size })
    pos += size
  }
  return out
}

export interface StoredRecord { offset: number, key: string | null, value: string | null, timestamp: number }

/** Every record the log serves from `from` on, decoded (test-only: per-record objects). */
export function recordsOf (log: { read: (offset: number, maxBytes: number) => Buffer, logStartOffset: number, logEndOffset: number }, from = log.logStartOffset): StoredRecord[] {
  const out: StoredRecord[] = []
  let offset = from
  while (offset < log.logEndOffset) {
    const chunk = log.read(offset, 1 << 20)
    if (chunk.length === 0) break
    for (const decoded of decodeRecordBatches(chunk)) {
      for (const r of decoded.records) {
        if (r.offset >= from) out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, timestamp: r.timestamp })
      }
      offset = decoded.baseOffset + decoded.lastOffsetDelta + 1
    }
  }
  return out
}

/** A deterministic pseudo-random sequence (tests must not depend on Math.random). */
export function seeded (seed: number): (n: number) => number {
  let state = seed >>> 0
  return (n) => { // mulberry32
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return (((x ^ (x >>> 14)) >>> 0) % n)
  }
}
