/**
 * Scale check for the partition log (not part of `npm test`): opening, filling, closing and reopening N
 * partitions, as a broker with N partitions does at startup. Run after a build:
 *   node packages/broker/dist/test/log/scale.bench.js [partitions=10000] [batchesPerPartition=10]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeRecordBatch } from '@samsa/protocol'
import { PartitionLog, CLEAN_SHUTDOWN_FILE } from '../../src/log/index.js'

const partitions = Number(process.argv[2] ?? 10_000)
const batches = Number(process.argv[3] ?? 10)
const root = mkdtempSync(join(tmpdir(), 'samsa-scale-'))
const dirs = Array.from({ length: partitions }, (_, i) => join(root, `topic-${Math.floor(i / 100)}-${i % 100}`))
const openFds = (): number => readdirSync('/proc/self/fd').length

async function timed<T> (label: string, fn: () => T | Promise<T>): Promise<T> {
  const started = performance.now()
  const result = await fn()
  console.log(`${label.padEnd(52)} ${(performance.now() - started).toFixed(0).padStart(6)} ms`)
  return result
}

try {
  const fdsBefore = openFds()
  let logs = await timed(`create ${partitions} empty partitions`, () => dirs.map((dir) => PartitionLog.open(dir)))
  console.log(`  descriptors held: ${openFds() - fdsBefore}`)
  await timed('close them', async () => await Promise.all(logs.map(async (log) => await log.close())))
  logs = await timed(`reopen ${partitions} empty partitions (clean shutdown)`, () => dirs.map((dir) => PartitionLog.open(dir)))
  const template = encodeRecordBatch(Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(100), timestamp: Date.now() })))
  await timed(`append ${batches} batches × 10 records to each`, () => { for (const log of logs) for (let b = 0; b < batches; b++) log.append(Buffer.from(template)) })
  console.log(`  descriptors held: ${openFds() - fdsBefore}`)
  await timed('close them', async () => await Promise.all(logs.map(async (log) => await log.close())))
  logs = await timed(`reopen ${partitions} non-empty partitions (clean shutdown)`, () => dirs.map((dir) => PartitionLog.open(dir)))
  console.log(`  descriptors held: ${openFds() - fdsBefore}`)
  await timed('retention check of all (nothing to delete)', async () => { for (const log of logs) await log.deleteOldSegments() })
  await timed('close them', async () => await Promise.all(logs.map(async (log) => await log.close())))
  for (const dir of dirs) rmSync(join(dir, CLEAN_SHUTDOWN_FILE), { force: true })
  logs = await timed(`reopen ${partitions} non-empty partitions after a crash`, () => dirs.map((dir) => PartitionLog.open(dir)))
  await timed('close them', async () => await Promise.all(logs.map(async (log) => await log.close())))
} finally {
  rmSync(root, { recursive: true, force: true })
}
