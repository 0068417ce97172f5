import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel } from 'kafkajs'
import { kcat, kcatConsume, kcatPath, run, skipUnlessInstalled, TestBroker, uniqueTopic } from '../src/index.js'

/**
 * connections.max.idle.ms and max.connections.per.ip as real clients meet them: librdkafka (kcat) and kafkajs
 * reconnect on their own after the broker closed an idle connection, and a client refused by the per-address
 * limit connects once connections are freed.
 */
const values = (records: Array<{ value: Buffer | null }>): Array<string | null> => records.map((record) => record.value?.toString('utf8') ?? null)

describe('idle connections closed by the broker (connections.max.idle.ms=400)', () => {
  let broker: TestBroker
  before(async () => { broker = await TestBroker.start({ args: ['--set', 'connections.max.idle.ms=400'] }) })
  after(async () => { await broker?.close() })

  test('kcat -E: a producer that stays idle longer reconnects and delivers everything', { skip: skipUnlessInstalled(kcatPath !== null, 'kcat') }, async () => {
    const topic = uniqueTopic('idle-kcat')
    // librdkafka reports the broker's close as an error ("Disconnected ... after 400ms in state UP"), on which kcat
    // exits unless -E, as it would against Apache Kafka with the same setting; librdkafka itself reconnects.
    const producer = spawn(kcatPath!, ['-P', '-E', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-X', 'acks=all'], { stdio: ['pipe', 'ignore', 'pipe'] })
    const exited = new Promise<number | null>((resolve) => producer.once('exit', (code) => resolve(code)))
    producer.stdin.write('before the idle period\n')
    await sleep(1500) // the broker closes kcat's connections after 400 ms without traffic
    producer.stdin.end('after the idle period\n')
    assert.equal(await exited, 0)
    assert.deepEqual(values(await kcatConsume(broker.bootstrap, topic, { partition: 0 })), ['before the idle period', 'after the idle period'])
  })

  test('kafkajs: a producer that stays idle longer sends again', async () => {
    const topic = uniqueTopic('idle-kafkajs')
    const kafka = new Kafka({ clientId: 'samsa-conformance-idle', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING })
    const producer = kafka.producer({ allowAutoTopicCreation: true })
    await producer.connect()
    try {
      await producer.send({ topic, acks: -1, messages: [{ value: 'first', partition: 0 }] })
      await sleep(1500)
      const [second] = await producer.send({ topic, acks: -1, messages: [{ value: 'second', partition: 0 }] })
      assert.equal(second!.errorCode, 0)
      assert.equal(second!.baseOffset, '1')
    } finally {
      await producer.disconnect()
    }
  })
})

describe('max.connections.per.ip=2', { skip: skipUnlessInstalled(kcatPath !== null, 'kcat') }, () => {
  let broker: TestBroker
  before(async () => { broker = await TestBroker.start({ args: ['--set', 'max.connections.per.ip=2'] }) })
  after(async () => { await broker?.close() })

  test('kcat cannot connect while two connections from its address are open, and can once they close', async () => {
    const [host, port] = broker.broker.bootstrap.split(':')
    const held: Socket[] = []
    for (let i = 0; i < 2; i++) {
      const socket = connect({ host, port: Number(port) })
      await new Promise((resolve) => socket.once('connect', resolve))
      held.push(socket)
    }
    const refused = await run(kcatPath!, ['-L', '-b', broker.bootstrap, '-m', '3'], { timeoutMs: 20_000 })
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /Failed to acquire metadata|transport failure|Disconnected/i)
    for (const socket of held) socket.destroy()
    await sleep(100)
    const listed = await kcat(['-L', '-b', broker.bootstrap, '-m', '5'])
    assert.match(listed.stdout.toString('utf8'), /1 brokers:/)
  })
})
