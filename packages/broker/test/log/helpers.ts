import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeRecordBatch, readBatchHeader, BATCH_LENGTH, BATCH_LOG_OVERHEAD } from '@samsa/protocol'

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
