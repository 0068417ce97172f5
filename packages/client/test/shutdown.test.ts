import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { after, before, describe, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import { eventually, startBroker, testManager, uniqueTopic, type TestBroker } from './helpers.js'

const WORKER = new URL('./fixtures/shutdown-worker.js', import.meta.url).pathname

describe('graceful shutdown on SIGTERM', () => {
  let broker: TestBroker
  let manager: ReturnType<typeof testManager>

  before(async () => {
    broker = await startBroker({ 'num.partitions': '1' })
    manager = testManager(broker)
  })
  after(async () => {
    await manager?.disconnectAll()
    await broker?.stop()
  })

  test('stops fetching, finishes the running handler, commits it, leaves the group, exits 0', async () => {
    const [topic, group] = [uniqueTopic('shutdown'), uniqueTopic('g')]
    const producer = manager.createProducer('shutdown')
    await producer.connect()
    await producer.send(topic, [{ value: 'first' }, { value: 'second' }, { value: 'third' }])
    const child = spawn(process.execPath, [WORKER], { env: { ...process.env, BOOTSTRAP: broker.bootstrap, TOPIC: topic, GROUP: group, HANDLER_MS: '1500' }, stdio: ['ignore', 'pipe', 'inherit'] })
    const lines: string[] = []
    child.stdout!.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter((l) => l.length > 0)))
    await eventually(() => lines.includes('start 0'), 15_000, 'the first handler to start')
    const signalled = Date.now()
    child.kill('SIGTERM')
    const [code] = await once(child, 'exit') as [number | null]
    assert.equal(code, 0)
    assert.ok(Date.now() - signalled >= 200, 'waited for the running handler')
    assert.deepEqual(lines, ['ready', 'start 0', 'done 0', 'closed'])

    const admin = new Admin({ clientId: 'check', bootstrapBrokers: [broker.bootstrap] })
    try {
      const [offsets] = await admin.listConsumerGroupOffsets({ groups: [group] })
      const committed = offsets!.topics.find((t) => t.name === topic)!.partitions.find((p) => p.partitionIndex === 0)!.committedOffset
      assert.equal(committed, 1n, 'the finished record is committed, the unstarted ones are not')
      const groups = await admin.describeGroups({ groups: [group] })
      assert.equal(groups.get(group)!.members.size, 0, 'the member left the group')
    } finally {
      await admin.close()
    }
    await producer.disconnect()
  })
})
