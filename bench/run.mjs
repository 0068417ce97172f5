#!/usr/bin/env node
// samsa vs librdkafka's in-memory mock cluster, measured with the same kcat clients and settings.
// Usage: node bench/run.mjs [--mock-only] [--messages N] [--partitions N] [--starts N] [--runs N] [--modern]
//                           [--samsa-args "--flag value ..."] [--no-settle] [--mock-rtt-ms N]
// `npm run bench` builds first (npm run build) and runs this. See docs/benchmarks.md for what each figure means.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { consume, ensureInputFile, kcatLibVersion, partitionCount, produce } from './lib/kcat.mjs'
import { renderTable } from './lib/report.mjs'
import { buildMockCluster, cpuTicks, memoryBytes, startMock, startSamsa } from './lib/servers.mjs'

const root = resolve(import.meta.dirname, '..')
const buildDir = join(root, '.build', 'bench')
// Identical client settings for both servers (see docs/benchmarks.md for why each is set).
const PRODUCER_CONFIG = { acks: 'all', 'linger.ms': 5, 'sticky.partitioning.linger.ms': 0 }
const CONSUMER_CONFIG = { 'fetch.wait.max.ms': 10, 'queued.min.messages': 1000000 }
const IDLE_SETTLE_MS = 1000 // idle RSS is read this long after the ready line

const { values: opts } = parseArgs({
  options: {
    'mock-only': { type: 'boolean', default: false },
    messages: { type: 'string', default: '1000000' },
    partitions: { type: 'string', default: '64' },
    starts: { type: 'string', default: '3' },
    runs: { type: 'string', default: '5' },
    modern: { type: 'boolean', default: false },
    'samsa-args': { type: 'string', default: process.env.SAMSA_BENCH_ARGS ?? '' },
    'no-settle': { type: 'boolean', default: false },
    'mock-rtt-ms': { type: 'string', default: '0' },
    help: { type: 'boolean', default: false }
  }
})
if (opts.help) {
  console.log('node bench/run.mjs [--mock-only] [--messages N] [--partitions N] [--starts N] [--runs N] [--modern] [--samsa-args "..."] [--no-settle] [--mock-rtt-ms N]')
  process.exit(0)
}
const messages = Number(opts.messages)
const partitions = Number(opts.partitions)
const starts = Math.max(1, Number(opts.starts))
// Each run produces into its own fresh topic (so no run reads another's data, and the mock's per-partition
// retention cap is never hit), then consumes it; the table shows the median run.
const topics = Array.from({ length: Math.max(1, Number(opts.runs)) }, (_, i) => `bench-${i + 1}`)
const samsaArgs = opts['samsa-args'].split(/\s+/).filter(Boolean)

// --modern: kcat and the mock load the librdkafka built by scripts/build-librdkafka.sh (ABI compatible with 2.0.2).
const modernLib = join(root, '.build', 'librdkafka', 'lib')
if (opts.modern && !existsSync(join(modernLib, 'librdkafka.so.1'))) {
  console.error(`--modern needs ${modernLib}: run scripts/build-librdkafka.sh first`)
  process.exit(2)
}
const libEnv = opts.modern ? { LD_LIBRARY_PATH: [modernLib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : {}
// --mock-rtt-ms: the mock answers every request this much later, like a broker whose acknowledgements wait for a
// disk write (docs/benchmarks.md: what a 1 ms acknowledgement costs the peer itself).
const mockRttMs = Number(opts['mock-rtt-ms'])
if (!Number.isInteger(mockRttMs) || mockRttMs < 0) {
  console.error(`--mock-rtt-ms expects a whole number of milliseconds, got ${opts['mock-rtt-ms']}`)
  process.exit(2)
}
const mockEnv = mockRttMs > 0 ? { ...libEnv, MOCK_RTT_MS: String(mockRttMs) } : libEnv

const log = (message) => console.error(`[bench] ${message}`)
function median (values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Starts the server `starts` times: median spawn → ready time and idle RSS (memory of a fresh, idle server). */
async function measureStartup (start) {
  const startMs = []
  const idleRss = []
  for (let i = 0; i < starts; i++) {
    const server = await start()
    await sleep(IDLE_SETTLE_MS)
    startMs.push(server.startMs)
    idleRss.push(memoryBytes(server.pid, 'VmRSS'))
    await server.stop()
  }
  return { startMs: median(startMs), idleRss: median(idleRss) }
}

/**
 * Before each timed step: dirty pages written back (`sync`) and every server idle (no CPU used for 300 ms), so
 * that neither server's deferred work — samsa's segment writeback and journal retirement, the previous kcat's
 * output file — lands in the other's (or the next) measurement. --no-settle skips it (see docs/benchmarks.md).
 */
async function settle (servers) {
  if (opts['no-settle']) return
  spawnSync('sync')
  const deadline = Date.now() + 10_000
  let last = servers.map((server) => cpuTicks(server.pid))
  let quietPolls = 0
  while (quietPolls < 3 && Date.now() < deadline) {
    await sleep(100)
    const now = servers.map((server) => cpuTicks(server.pid))
    quietPolls = now.every((ticks, i) => ticks === last[i]) ? quietPolls + 1 : 0
    last = now
  }
}

/** One run: produce everything into a fresh topic, then consume it all from the beginning. */
async function runOnce (server, topic, inputFile, servers) {
  const bootstrap = server.address
  await settle(servers)
  const produced = await produce({ bootstrap, topic, inputFile, clientConfig: PRODUCER_CONFIG, env: libEnv })
  const scratchFile = join(buildDir, 'consumed.out')
  await settle(servers)
  const consumed = await consume({ bootstrap, topic, clientConfig: CONSUMER_CONFIG, env: libEnv, scratchFile })
  log(`${server.label}: ${topic}: produce ${(produced.ms / 1000).toFixed(2)} s, ` +
    `consume ${(consumed.ms / 1000).toFixed(2)} s (${consumed.records.toLocaleString('en-US')} records)`)
  if (consumed.records !== messages) {
    log(`WARNING ${server.label}: ${topic}: consumed ${consumed.records} records but produced ${messages}`)
  }
  return { topic, produceMs: produced.ms, consumeMs: consumed.ms, records: consumed.records }
}

/** Medians over the runs, plus what the server says about the topic and its own peak memory. */
function summarize (server, runs) {
  const partitionsSeen = partitionCount({ bootstrap: server.address, topic: topics[0], env: libEnv })
  if (partitionsSeen !== partitions) {
    log(`WARNING ${server.label}: ${topics[0]} has ${partitionsSeen} partitions, not ${partitions}: figures are not comparable`)
  }
  return {
    runs,
    produce: { records: messages, ms: median(runs.map((run) => run.produceMs)) },
    consume: { records: Math.min(...runs.map((run) => run.records)), ms: median(runs.map((run) => run.consumeMs)) },
    partitions: partitionsSeen,
    peakRss: memoryBytes(server.pid, 'VmHWM')
  }
}

/** Gives samsa the bench topics' partition count up front; falls back to auto-creation on produce. */
function createSamsaTopics (bootstrap) {
  const python = process.env.SAMSA_PYTHON || '/usr/bin/python3'
  for (const topic of topics) {
    const result = spawnSync(python, [join(root, 'bench', 'lib', 'create-topic.py'), bootstrap, topic, String(partitions)], {
      encoding: 'utf8', env: { ...process.env, ...libEnv }, timeout: 30_000
    })
    const said = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() || String(result.error)
    if (result.status !== 0) {
      log(`samsa: could not create ${topic} up front (${said}); relying on auto-creation for all topics`)
      return
    }
    log(`samsa: ${said}`)
  }
}

/**
 * Startup figures first (each server alone), then both servers up side by side with their runs interleaved
 * (mock run 1, samsa run 1, mock run 2, ...), so a burst of background load on the machine hits both alike.
 */
async function benchmark (targets, inputFile) {
  for (const target of targets) {
    log(`${target.label}: ${starts} cold start(s)`)
    target.startup = await measureStartup(target.startIdle ?? target.start)
  }
  const servers = []
  try {
    for (const target of targets) {
      const server = await target.start()
      servers.push(server)
      target.prepare?.(server.address)
    }
    const runs = servers.map(() => [])
    for (const topic of topics) {
      for (const [i, server] of servers.entries()) runs[i].push(await runOnce(server, topic, inputFile, servers))
    }
    return Object.fromEntries(targets.map((target, i) => [target.label, { ...target.startup, ...summarize(servers[i], runs[i]) }]))
  } finally {
    for (const server of servers) await server.stop()
  }
}

async function main () {
  if (process.platform !== 'linux') throw new Error('the bench reads /proc/<pid>/status: Linux only')
  mkdirSync(buildDir, { recursive: true })
  log(`${topics.length} run(s) of ${messages.toLocaleString('en-US')} × 100-byte records, ${partitions} partitions, ` +
    `kcat with librdkafka ${kcatLibVersion(libEnv)}`)
  const inputFile = ensureInputFile(buildDir, messages)
  const mockBinary = buildMockCluster(root, buildDir)

  const mockTopics = Object.fromEntries(topics.map((topic) => [topic, partitions]))
  const targets = [{
    label: 'mock',
    start: () => startMock(mockBinary, mockTopics, mockEnv),
    // Cold start without topics, like samsa's: the 2.0.2 mock spends ~200 ms creating each 64-partition topic.
    startIdle: () => startMock(mockBinary, {}, mockEnv)
  }]
  if (!opts['mock-only']) {
    targets.push({ label: 'samsa', start: () => startSamsa(root, { partitions, extraArgs: samsaArgs }), prepare: createSamsaTopics })
  }
  const { mock, samsa = null } = await benchmark(targets, inputFile)

  const table = renderTable({ samsa, mock })
  const settings = (config) => Object.entries(config).map(([key, value]) => `${key}=${value}`).join(' ')
  console.log(`\n${messages.toLocaleString('en-US')} records × 100 B into ${partitions} partitions, median of ${topics.length} run(s); ` +
    `kcat with librdkafka ${kcatLibVersion(libEnv)}${mockRttMs > 0 ? `; mock answers ${mockRttMs} ms late` : ''}\nproducer: ${settings(PRODUCER_CONFIG)}\nconsumer: ${settings(CONSUMER_CONFIG)}\n`)
  console.log(table)
  const resultFile = join(buildDir, 'last-run.json')
  mkdirSync(dirname(resultFile), { recursive: true })
  writeFileSync(resultFile, JSON.stringify({ date: new Date().toISOString(), messages, partitions, modern: opts.modern, mockRttMs, producer: PRODUCER_CONFIG, consumer: CONSUMER_CONFIG, samsa, mock }, null, 2))
  log(`raw figures written to ${resultFile}`)
}

main().catch((error) => {
  console.error(`[bench] failed: ${error.stack ?? error}`)
  process.exit(1)
})
