#!/usr/bin/env node
// Scale check (topic-administration issue): a broker holding 10,000 partitions restarts in under 2 s, answers
// Metadata for all of them, and keeps file descriptors bounded.
// Usage: node bench/scale.mjs [--topics 100] [--partitions 100]   (run after `tsc -b`; `npm run bench:scale`)
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CreateTopicsApi, KafkaConnection, MetadataApi, ProduceApi, encodeRecordBatch } from '../packages/protocol/dist/src/index.js'
import { memoryBytes } from './lib/servers.mjs'

const { values } = parseArgs({ options: { topics: { type: 'string', default: '100' }, partitions: { type: 'string', default: '100' } } })
const topicCount = Number(values.topics)
const partitionsPerTopic = Number(values.partitions)
const root = resolve(import.meta.dirname, '..')
const bin = join(root, 'packages', 'cli', 'bin', 'samsa.js')
const dataDir = mkdtempSync(join(tmpdir(), 'samsa-scale-'))

function startBroker () {
  const started = process.hrtime.bigint()
  const child = spawn(process.execPath, [bin, 'broker', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolveStart, reject) => {
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)))
    child.stdout.once('data', (chunk) => {
      const match = /listening on [^:]+:(\d+)/.exec(chunk.toString())
      if (match === null) return reject(new Error(`unexpected output ${chunk}`))
      resolveStart({ child, port: Number(match[1]), startMs: Number(process.hrtime.bigint() - started) / 1e6 })
    })
  })
}

function stopBroker (child) {
  return new Promise((resolveStop) => {
    child.removeAllListeners('exit')
    child.once('exit', () => resolveStop())
    child.kill('SIGTERM')
  })
}

function connectClient (port) {
  return KafkaConnection.open({ host: '127.0.0.1', port, clientId: 'scale-bench' })
}

const topics = Array.from({ length: topicCount }, (_, i) => `scale-${String(i).padStart(3, '0')}`)
const total = topicCount * partitionsPerTopic
console.log(`[scale] creating ${topicCount} topics × ${partitionsPerTopic} partitions = ${total} partitions in ${dataDir}`)

const first = await startBroker()
const client = await connectClient(first.port)
let created = Date.now()
for (let i = 0; i < topics.length; i += 10) {
  const response = await client.request(CreateTopicsApi, 7, { topics: topics.slice(i, i + 10).map((name) => ({ name, numPartitions: partitionsPerTopic, replicationFactor: 1 })), timeoutMs: 60_000 })
  for (const topic of response.topics) if (topic.errorCode !== 0) throw new Error(`CreateTopics ${topic.name}: error ${topic.errorCode}`)
}
const createMs = Date.now() - created
// One record in every partition, so the restart opens real segments, not empty directories.
created = Date.now()
const batch = encodeRecordBatch([{ key: 'k', value: 'v' }])
for (const name of topics) {
  const response = await client.request(ProduceApi, 9, { acks: 1, timeoutMs: 30_000, topicData: [{ name, partitionData: Array.from({ length: partitionsPerTopic }, (_, index) => ({ index, records: Buffer.from(batch) })) }] })
  for (const partition of response.responses[0].partitionResponses) if (partition.errorCode !== 0) throw new Error(`Produce ${name}: error ${partition.errorCode}`)
}
const produceMs = Date.now() - created
client.close()
await stopBroker(first.child)

const second = await startBroker()
const again = await connectClient(second.port)
const asked = process.hrtime.bigint()
const metadata = await again.request(MetadataApi, 12, { topics: null, allowAutoTopicCreation: false })
const metadataMs = Number(process.hrtime.bigint() - asked) / 1e6
const partitions = metadata.topics.reduce((sum, topic) => sum + topic.partitions.length, 0)
const fds = readdirSync(`/proc/${second.child.pid}/fd`).length
const rss = memoryBytes(second.child.pid) / 2 ** 20
again.close()
await stopBroker(second.child)
rmSync(dataDir, { recursive: true, force: true })

if (partitions !== total) throw new Error(`Metadata listed ${partitions} partitions, expected ${total}`)
console.log(`
metric                                   | value
-----------------------------------------|--------
partitions                               | ${total}
create (CreateTopics, batches of 10)     | ${createMs} ms
one record into every partition (acks=1) | ${produceMs} ms
restart: spawn → ready                   | ${second.startMs.toFixed(0)} ms
Metadata v12 for all partitions          | ${metadataMs.toFixed(1)} ms
open file descriptors after restart      | ${fds}
RSS after restart + Metadata             | ${rss.toFixed(1)} MB`)
