#!/usr/bin/env node
// SDK overhead: @samsa/client vs raw @platformatic/kafka (what it is built on) vs kafkajs, same broker, same run.
// Usage: node bench/sdk.mjs [--messages N] [--runs N] [--batch N] [--value-bytes N]
// Needs a build (npx tsc -b). Starts its own samsa broker as a child process on 127.0.0.1 (own CPU, not ours).
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka'
import kafkajs from 'kafkajs'
import { KafkaManager, silentLogger } from '../packages/client/dist/src/index.js'

const root = resolve(import.meta.dirname, '..')
const { values: opts } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '100' },
    'value-bytes': { type: 'string', default: '100' },
    partitions: { type: 'string', default: '3' }
  }
})
const N = Number(opts.messages)
const RUNS = Number(opts.runs)
const BATCH = Number(opts.batch)
const PARTITIONS = Number(opts.partitions)
// A JSON value (what registerHandler parses), `value-bytes` long.
const VALUE = JSON.stringify({ v: 'x'.repeat(Math.max(0, Number(opts['value-bytes']) - 8)) })
const IN_FLIGHT = 4
const log = (message) => console.error(`[bench] ${message}`)

async function freePort () {
  const server = createServer()
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address()
  await new Promise((r) => server.close(r))
  return port
}

async function startBroker () {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-sdk-bench-'))
  const port = await freePort()
  const child = spawn(process.execPath, [join(root, 'packages/cli/bin/samsa.js'), 'broker', '--port', String(port), '--data-dir', dataDir,
    '--num-partitions', String(PARTITIONS), '--set', 'group.initial.rebalance.delay.ms=0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}`)))
    child.stdout.on('data', (chunk) => { if (/listening on/.test(chunk.toString())) resolve() })
  })
  return {
    bootstrap: `127.0.0.1:${port}`,
    async stop () {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

/** Sends N messages in batches of BATCH with `inFlight` batches outstanding; resolves to msg/s. */
async function pump (sendBatch, inFlight = IN_FLIGHT) {
  const started = performance.now()
  let next = 0
  const worker = async () => {
    while (next < N) {
      const from = next
      next += BATCH
      const batch = []
      for (let i = from; i < Math.min(N, from + BATCH); i++) batch.push({ key: `key-${i % 1024}`, value: VALUE })
      await sendBatch(batch)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return N / ((performance.now() - started) / 1000)
}

async function rawProducer (bootstrap, topic, idempotent, inFlight) {
  const producer = new Producer({ clientId: 'bench-raw', bootstrapBrokers: [bootstrap], serializers: stringSerializers, idempotent, acks: -1, autocreateTopics: true })
  try {
    return await pump((batch) => producer.send({ messages: batch.map((m) => ({ topic, key: m.key, value: m.value })) }), inFlight)
  } finally {
    await producer.close()
  }
}

async function sdkProducer (bootstrap, topic, idempotent) {
  const manager = new KafkaManager({ clientId: 'bench-sdk', brokers: [bootstrap], env: {}, logger: silentLogger })
  const producer = manager.createProducer('bench', { idempotent })
  await producer.connect()
  try {
    return await pump((batch) => producer.send(topic, batch))
  } finally {
    await manager.disconnectAll()
  }
}

async function kafkajsProducer (bootstrap, topic, idempotent) {
  const kafka = new kafkajs.Kafka({ clientId: 'bench-kafkajs', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING })
  const producer = kafka.producer(idempotent ? { idempotent: true, maxInFlightRequests: 1 } : {})
  await producer.connect()
  try {
    return await pump((batch) => producer.send({ topic, acks: -1, messages: batch }))
  } finally {
    await producer.disconnect()
  }
}

// acks=all everywhere. "plain": not idempotent, IN_FLIGHT sends outstanding — the like-for-like overhead figure.
// "idempotent": raw @platformatic/kafka must keep one send in flight (it reuses sequence numbers across concurrent
// sends); the SDK takes IN_FLIGHT concurrent calls and merges them; kafkajs with maxInFlightRequests 1.
const producers = {
  'plain: platformatic (raw)': (b, t) => rawProducer(b, t, false, IN_FLIGHT),
  'plain: @samsa/client': (b, t) => sdkProducer(b, t, false),
  'plain: kafkajs': (b, t) => kafkajsProducer(b, t, false),
  'idempotent: platformatic (raw), 1 in flight': (b, t) => rawProducer(b, t, true, 1),
  'idempotent: @samsa/client': (b, t) => sdkProducer(b, t, true),
  'idempotent: kafkajs': (b, t) => kafkajsProducer(b, t, true)
}

/** Resolves to msg/s from the start of consumption (group join included) to the N-th message. */
function counter (resolve, started) {
  let count = 0
  return () => {
    if (++count === N) resolve(N / ((performance.now() - started) / 1000))
  }
}

const consumers = {
  async 'platformatic (raw)' (bootstrap, topic, groupId) {
    const consumer = new Consumer({ clientId: 'bench-raw', groupId, bootstrapBrokers: [bootstrap], deserializers: stringDeserializers, maxWaitTime: 100 })
    const started = performance.now()
    const rate = await new Promise((resolve) => {
      const tick = counter(resolve, started)
      consumer.consume({ topics: [topic], mode: 'earliest', autocommit: true }).then((stream) => {
        stream.on('data', tick)
        consumer.__stream = stream
      })
    })
    await consumer.__stream.close()
    await consumer.close()
    return rate
  },
  async '@samsa/client run()' (bootstrap, topic, groupId) {
    const manager = new KafkaManager({ clientId: 'bench-sdk', brokers: [bootstrap], env: {}, logger: silentLogger })
    const consumer = manager.createConsumer('bench', { groupId, fromBeginning: true, maxWaitTimeInMs: 100 })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const started = performance.now()
    const rate = await new Promise((resolve) => {
      const tick = counter(resolve, started)
      consumer.run(async () => { tick() })
    })
    await manager.disconnectAll()
    return rate
  },
  async '@samsa/client registerHandler (JSON)' (bootstrap, topic, groupId) {
    const manager = new KafkaManager({ clientId: 'bench-sdk', brokers: [bootstrap], env: {}, logger: silentLogger })
    const consumer = manager.createConsumer('bench', { groupId, fromBeginning: true, maxWaitTimeInMs: 100, concurrency: PARTITIONS })
    await consumer.connect()
    const started = performance.now()
    const rate = await new Promise((resolve) => {
      const tick = counter(resolve, started)
      consumer.registerHandler(topic, async () => { tick() })
      consumer.startWithHandlers()
    })
    await manager.disconnectAll()
    return rate
  },
  async kafkajs (bootstrap, topic, groupId) {
    const kafka = new kafkajs.Kafka({ clientId: 'bench-kafkajs', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING })
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    const started = performance.now()
    const rate = await new Promise((resolve) => {
      const tick = counter(resolve, started)
      consumer.run({ eachMessage: async () => { tick() } })
    })
    await consumer.disconnect()
    return rate
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

const broker = await startBroker()
log(`broker at ${broker.bootstrap}; ${N} messages of ${VALUE.length} B, batches of ${BATCH}, ${IN_FLIGHT} in flight, ${RUNS} runs, acks=all`)
const results = { produce: {}, consume: {} }
const slug = (name) => name.replace(/\W+/g, '-')
try {
  // Round 0 warms every client up (JIT, connections, broker segments) and is not counted. Each later round runs
  // every client once, in alternating order, and ratios are taken within a round, so drift (page cache, fsync
  // latency of a shared disk) hits both sides of a comparison alike.
  for (let run = 0; run <= RUNS; run++) {
    const names = Object.keys(producers)
    for (const name of run % 2 === 0 ? names : [...names].reverse()) {
      const rate = await producers[name](broker.bootstrap, `produce-${run}-${slug(name)}`)
      if (run > 0) (results.produce[name] ??= []).push(rate)
      log(`${run === 0 ? 'warm-up ' : ''}produce ${name}: ${Math.round(rate)} msg/s`)
    }
  }
  const input = 'consume-input'
  await rawProducer(broker.bootstrap, input, false, IN_FLIGHT)
  for (let run = 0; run <= RUNS; run++) {
    const names = Object.keys(consumers)
    for (const name of run % 2 === 0 ? names : [...names].reverse()) {
      const rate = await consumers[name](broker.bootstrap, input, `group-${run}-${slug(name)}`)
      if (run > 0) (results.consume[name] ??= []).push(rate)
      log(`${run === 0 ? 'warm-up ' : ''}consume ${name}: ${Math.round(rate)} msg/s`)
    }
  }
} finally {
  await broker.stop()
}

const baselineOf = (workload, name) => workload === 'consume'
  ? 'platformatic (raw)'
  : name.startsWith('plain') ? 'plain: platformatic (raw)' : 'idempotent: platformatic (raw), 1 in flight'
console.log(`\nnode ${process.version}, ${N} messages × ${VALUE.length} B, batches of ${BATCH}, ${IN_FLIGHT} in flight, acks=all; median of ${RUNS} runs after a warm-up`)
console.log('"vs raw" is the median of the per-run ratios to raw @platformatic/kafka measured in the same run.\n')
console.log('| workload | client | msg/s (median) | vs raw @platformatic/kafka |')
console.log('|---|---|---:|---:|')
for (const workload of ['produce', 'consume']) {
  for (const name of Object.keys(workload === 'produce' ? producers : consumers)) {
    const rates = results[workload][name]
    const baseline = baselineOf(workload, name)
    const ratios = rates.map((rate, i) => rate / results[workload][baseline][i])
    const delta = (median(ratios) - 1) * 100
    console.log(`| ${workload} | ${name} | ${Math.round(median(rates)).toLocaleString('en-US')} | ${name === baseline ? '—' : `${delta >= 0 ? '+' : ''}${delta.toFixed(1)} %`} |`)
  }
}
