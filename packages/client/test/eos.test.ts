import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { after, before, describe, test } from 'node:test'
import { Consumer } from '@platformatic/kafka'
import { readTopic, type KafkaProducer } from '../src/index.js'
import { eventually, startBroker, testManager, uniqueTopic, type TestBroker } from './helpers.js'

const WORKER = new URL('./fixtures/eos-worker.js', import.meta.url).pathname

interface Worker { child: ChildProcess, lines: string[] }

function spawnWorker (env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [WORKER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: string[] = []
  let buffered = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const parts = buffered.split('\n')
    buffered = parts.pop()!
    lines.push(...parts)
  })
  return { child, lines }
}

describe('transactionalPipeline: exactly-once consume-transform-produce', () => {
  let broker: TestBroker
  let manager: ReturnType<typeof testManager>
  let producer: KafkaProducer
  let reader: Consumer<Buffer, Buffer, Buffer, Buffer>
  const workers: Worker[] = []

  before(async () => {
    broker = await startBroker({ 'num.partitions': '3' })
    manager = testManager(broker)
    producer = manager.createProducer('input')
    await producer.connect()
    reader = new Consumer({ clientId: 'reader', groupId: 'unused', bootstrapBrokers: [broker.bootstrap] })
  })
  after(async () => {
    for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await reader?.close()
    await manager?.disconnectAll()
    await broker?.stop()
  })

  test('killed with an open transaction and restarted: the output holds each input exactly once', async () => {
    const [input, output, group] = [uniqueTopic('eos-in'), uniqueTopic('eos-out'), uniqueTopic('eos-group')]
    const total = 300
    for (let i = 0; i < total; i += 50) {
      await producer.send(input, Array.from({ length: 50 }, (_, j) => ({ key: `k${(i + j) % 7}`, value: String(i + j) })))
    }
    const env = { BOOTSTRAP: broker.bootstrap, INPUT: input, OUTPUT: output, GROUP: group, TXN_ID: `${group}-txn` }

    const first = spawnWorker({ ...env, KILL_AT_COMMIT: '8' })
    workers.push(first)
    const [, signal] = await once(first.child, 'exit') as [number | null, NodeJS.Signals | null]
    assert.equal(signal, 'SIGKILL')
    assert.ok(first.lines.includes('dying'))
    const committedBeforeKill = Math.max(0, ...first.lines.filter((l) => l.startsWith('committed ')).map((l) => Number(l.split(' ')[1])))
    assert.equal(committedBeforeKill, 70, 'seven transactions of 10 records committed, the eighth was left open')

    const second = spawnWorker(env)
    workers.push(second)
    const outputs = await eventually(async () => {
      const records = await readTopic(reader, output, { readCommitted: true })
      return records.length >= total ? records : undefined
    }, 60_000, 'every output')
    second.child.kill('SIGTERM')
    const [code] = await once(second.child, 'exit') as [number | null]
    assert.equal(code, 0)

    const committed = await readTopic(reader, output, { readCommitted: true })
    const values = committed.map((r) => r.value!.toString()).sort()
    assert.equal(values.length, total, `${values.length} committed outputs for ${total} inputs`)
    assert.deepEqual(values, Array.from({ length: total }, (_, i) => `out-${i}`).sort())
    assert.equal(outputs.length, total)
    // The killed worker's open transaction was aborted: its outputs are in the log but invisible to read_committed.
    const everything = await readTopic(reader, output, { readCommitted: false })
    assert.ok(everything.length > total, `the aborted transaction's ${everything.length - total} outputs are in the log`)
    const perKeyOrder = new Map<string, number[]>()
    for (const record of committed.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
      perKeyOrder.set(record.key!.toString(), [...(perKeyOrder.get(record.key!.toString()) ?? []), Number(record.value!.toString().slice(4))])
    }
    for (const [key, list] of perKeyOrder) assert.deepEqual(list, [...list].sort((a, b) => a - b), `order of ${key}`)
  })

  test('in-process: a failing transform aborts and rewinds; a poison record ends in <input>-dlt inside the transaction', async () => {
    const [input, output] = [uniqueTopic('eos2-in'), uniqueTopic('eos2-out')]
    await producer.send(input, ['a', 'b', 'poison', 'c'].map((value) => ({ key: 'same', value })))
    let flaky = 2
    const pipeline = await manager.transactionalPipeline({
      input: { topics: input, groupId: uniqueTopic('g'), fromBeginning: true },
      output,
      batchSize: 2,
      maxAttempts: 3,
      backoff: { initialMs: 10, maxMs: 20 },
      transform: (record) => {
        const value = record.value!.toString()
        if (value === 'poison') throw new Error('cannot parse')
        if (value === 'c' && flaky-- > 0) throw new Error('flaky downstream')
        return { key: record.key, value: value.toUpperCase() }
      }
    })
    await eventually(() => pipeline.committedRecords === 4, 20_000, 'all four inputs committed')
    await pipeline.stop()
    const outputs = await readTopic(reader, output, { readCommitted: true })
    assert.deepEqual(outputs.map((r) => r.value!.toString()), ['A', 'B', 'C'])
    const dead = await readTopic(reader, `${input}-dlt`, { readCommitted: true })
    assert.deepEqual(dead.map((r) => [r.value!.toString(), r.headers['kafka_dlt-exception-message']!.toString(), r.headers['attempt-count']!.toString()]), [['poison', 'cannot parse', '3']])
    assert.ok(pipeline.aborts >= 4, `aborts: ${pipeline.aborts}`)
  })
})
