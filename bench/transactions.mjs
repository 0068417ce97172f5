#!/usr/bin/env node
// Transactions and idempotence on samsa: transactions/s and records/s for 100-record transactions (librdkafka through
// confluent-kafka-python, and kafkajs), and the cost of enable.idempotence on plain produce (kcat, same settings).
// Usage: node bench/transactions.mjs [--transactions N] [--records N] [--messages N] [--runs N]
// Build first (tsc -b). Results: a table on stdout, raw figures in .build/bench/transactions-last-run.json.
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createRequire } from 'node:module'
import { ensureInputFile, produce } from './lib/kcat.mjs'
import { startSamsa } from './lib/servers.mjs'

const root = resolve(import.meta.dirname, '..')
const buildDir = join(root, '.build', 'bench')
const python = process.env.SAMSA_PYTHON || '/usr/bin/python3'
const { values: opts } = parseArgs({
  options: {
    transactions: { type: 'string', default: '500' },
    records: { type: 'string', default: '100' },
    messages: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '3' },
    help: { type: 'boolean', default: false }
  }
})
if (opts.help) {
  console.log('node bench/transactions.mjs [--transactions N] [--records N] [--messages N] [--runs N]')
  process.exit(0)
}
const transactions = Number(opts.transactions)
const perTxn = Number(opts.records)
const messages = Number(opts.messages)
const runs = Math.max(1, Number(opts.runs))

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

function runPython (args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, [join(root, 'bench', 'lib', 'txn-bench.py'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => { out += chunk })
    child.stderr.on('data', (chunk) => { err = (err + chunk).slice(-4000) })
    child.once('close', (code) => code === 0 ? resolvePromise(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`txn-bench.py exited ${code}: ${err}`)))
  })
}

function createTopic (bootstrap, topic, partitions) {
  return new Promise((resolvePromise) => {
    const child = spawn(python, [join(root, 'bench', 'lib', 'create-topic.py'), bootstrap, topic, String(partitions)], { stdio: 'ignore' })
    child.once('close', () => resolvePromise())
  })
}

/** kafkajs transactions (pure JavaScript client), run in this process against the broker process. */
async function kafkajsTransactions (bootstrap, topic, partitions, count) {
  const require = createRequire(join(root, 'packages', 'conformance', 'package.json'))
  const { Kafka, logLevel } = require('kafkajs')
  const kafka = new Kafka({ clientId: 'bench', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ transactionalId: `bench-kjs-${topic}`, idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const value = 'x'.repeat(99)
  const one = async (n) => {
    const txn = await producer.transaction()
    await txn.send({ topic, acks: -1, messages: Array.from({ length: perTxn }, (_, i) => ({ value, partition: (n * perTxn + i) % partitions })) })
    await txn.commit()
  }
  for (let n = 0; n < 10; n++) await one(n)
  const started = process.hrtime.bigint()
  for (let n = 0; n < count; n++) await one(n)
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  await producer.disconnect()
  return { transactions: count, records: count * perTxn, ms }
}

const server = await startSamsa(root, { partitions: 1 })
const results = { transactions: [], idempotence: [] }
try {
  const bootstrap = server.address
  for (const partitions of [1, 8]) {
    const librdkafka = []
    const kafkajs = []
    for (let run = 0; run < runs; run++) {
      const topic = `txn-bench-${partitions}p-${run}`
      await createTopic(bootstrap, topic, partitions)
      librdkafka.push(await runPython([bootstrap, topic, String(partitions), String(transactions), String(perTxn)]))
      const jsTopic = `${topic}-kjs`
      await createTopic(bootstrap, jsTopic, partitions)
      kafkajs.push(await kafkajsTransactions(bootstrap, jsTopic, partitions, Math.max(50, Math.floor(transactions / 5))))
    }
    for (const [client, samples] of [[`librdkafka ${librdkafka[0].libversion}`, librdkafka], ['kafkajs 2.2.4', kafkajs]]) {
      const ms = median(samples.map((s) => s.ms / s.transactions))
      results.transactions.push({ client, partitions, recordsPerTxn: perTxn, txnPerSec: 1000 / ms, recordsPerSec: 1000 / ms * perTxn, samples })
    }
  }

  const input = ensureInputFile(buildDir, messages)
  const plain = { acks: 'all', 'linger.ms': 5, 'enable.idempotence': 'false' }
  const idempotent = { ...plain, 'enable.idempotence': 'true' }
  const times = { plain: [], idempotent: [] }
  for (let run = 0; run < runs; run++) {
    for (const [name, clientConfig] of [['plain', plain], ['idempotent', idempotent]]) {
      const topic = `idem-bench-${name}-${run}`
      await createTopic(bootstrap, topic, 8)
      const { ms } = await produce({ bootstrap, topic, inputFile: input, clientConfig })
      times[name].push(ms)
    }
  }
  for (const name of ['plain', 'idempotent']) results.idempotence.push({ producer: name, messages, msgPerSec: messages / (median(times[name]) / 1000), times: times[name] })
} finally {
  await server.stop()
}

const fmt = (n) => Math.round(n).toLocaleString('en-US')
console.log(`\n${transactions} transactions × ${perTxn} records of 100 B (librdkafka; kafkajs runs a fifth as many), acks=all, median of ${runs}`)
console.log('| client | partitions per txn | transactions/s | records/s |')
console.log('| --- | --- | --- | --- |')
for (const row of results.transactions) console.log(`| ${row.client} | ${row.partitions} | ${fmt(row.txnPerSec)} | ${fmt(row.recordsPerSec)} |`)
const [plainRow, idemRow] = results.idempotence
console.log(`\nkcat produce, ${fmt(messages)} × 100 B into 8 partitions, acks=all, linger.ms=5, median of ${runs}`)
console.log('| producer | msg/s |')
console.log('| --- | --- |')
console.log(`| enable.idempotence=false | ${fmt(plainRow.msgPerSec)} |`)
console.log(`| enable.idempotence=true | ${fmt(idemRow.msgPerSec)} (${((idemRow.msgPerSec / plainRow.msgPerSec - 1) * 100).toFixed(1)} %) |`)
mkdirSync(buildDir, { recursive: true })
writeFileSync(join(buildDir, 'transactions-last-run.json'), JSON.stringify(results, null, 2))
