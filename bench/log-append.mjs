#!/usr/bin/env node
// Micro-benchmark of the partition log's append path (build first: npx tsc -b packages/broker).
// Appends 1,000,000 × 100-byte records in batches of 1,000 and waits for durability with flushedUpTo, in three
// shapes: one producer that waits for every batch (acks=all, no overlap), several concurrent producers (group
// commit shares fdatasyncs between them), and append-everything-then-flush-once (raw write throughput).
// Usage: node bench/log-append.mjs [records=1000000] [batchSize=1000] [valueBytes=100]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PartitionLog } from '../packages/broker/dist/src/log/index.js'
import { encodeRecordBatch } from '../packages/protocol/dist/src/records.js'

const totalRecords = Number(process.argv[2] ?? 1_000_000)
const batchSize = Number(process.argv[3] ?? 1000)
const valueBytes = Number(process.argv[4] ?? 100)
const batches = Math.ceil(totalRecords / batchSize)
const value = Buffer.alloc(valueBytes, 'x')
const template = encodeRecordBatch(Array.from({ length: batchSize }, () => ({ key: null, value, timestamp: Date.now() })))

async function run (name, concurrency) {
  const root = mkdtempSync(join(tmpdir(), 'samsa-bench-'))
  const log = PartitionLog.open(join(root, 'bench-0'), {})
  // Each producer owns a copy, as each produce request owns its buffer (append patches the header in place).
  const buffers = Array.from({ length: Math.max(1, concurrency) }, () => Buffer.from(template))
  let next = 0
  const started = process.hrtime.bigint()
  if (concurrency === 0) {
    for (let i = 0; i < batches; i++) log.append(buffers[0])
    await log.flushedUpTo(log.logEndOffset - 1)
  } else {
    await Promise.all(buffers.map(async (buf) => {
      while (next < batches) {
        next++
        const { lastOffset } = log.append(buf)
        await log.flushedUpTo(lastOffset)
      }
    }))
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const bytes = batches * template.length
  const records = batches * batchSize
  console.log(`${name.padEnd(34)} ${(bytes / seconds / 1e6).toFixed(0).padStart(6)} MB/s ${(records / seconds / 1e6).toFixed(2).padStart(6)} M records/s  (${(bytes / 1e6).toFixed(0)} MB in ${(seconds * 1000).toFixed(0)} ms)`)
  await log.close()
  rmSync(root, { recursive: true, force: true })
}

console.log(`${totalRecords} records × ${valueBytes} B in batches of ${batchSize} (${template.length} B per batch), data in ${tmpdir()}`)
await run('1 producer, flushedUpTo each batch', 1)
await run('16 producers, flushedUpTo each', 16)
await run('append all, then one flushedUpTo', 0)
