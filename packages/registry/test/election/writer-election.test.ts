/**
 * Several registries on one cluster: one writer elected through the Kafka group protocol, followers forward writes
 * to it, every instance hands out the same ids, and the role moves when the writer leaves or crashes.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { RunningRegistry } from '../../src/index.js'
import { http, startBroker, startTestRegistry, type TestBroker } from '../helpers.js'

const SESSION_MS = 1_500
const schema = (name: string): string => JSON.stringify({ type: 'record', name, namespace: 'samsa.election', fields: [{ name: 'id', type: 'long' }] })

let broker: TestBroker
const running: RunningRegistry[] = []

async function start (options = {}): Promise<RunningRegistry> {
  const registry = await startTestRegistry(broker, { sessionTimeoutMs: SESSION_MS, electionWaitMs: 10_000, ...options })
  running.push(registry)
  return registry
}

async function until (what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const writerOf = (instances: RunningRegistry[]): RunningRegistry | undefined => instances.find((r) => r.election?.isWriter === true)
const agreed = (instances: RunningRegistry[]): boolean => writerOf(instances) !== undefined && instances.every((r) => r.election?.writerUrl === writerOf(instances)?.url)

before(async () => { broker = await startBroker() })
after(async () => {
  for (const registry of running) await registry.close().catch(() => {})
  await broker.stop()
})

let a: RunningRegistry
let b: RunningRegistry

test('two registries elect one writer; writes through either give the same ids everywhere', async () => {
  a = await start()
  b = await start()
  await until('one writer both agree on', () => agreed([a, b]))
  const writer = writerOf([a, b]) as RunningRegistry
  const follower = writer === a ? b : a
  assert.equal(follower.election?.isWriter, false)

  const viaFollower = await http(follower.url, 'POST', '/subjects/orders-value/versions', { schema: schema('Order') })
  assert.equal(viaFollower.status, 200)
  const viaWriter = await http(writer.url, 'POST', '/subjects/orders-copy-value/versions', { schema: schema('Order') })
  assert.deepEqual(viaWriter.body, viaFollower.body) // identical content, one id
  // read-your-writes through the follower that forwarded
  assert.equal((await http(follower.url, 'GET', '/subjects/orders-value/versions/1')).body.id, viaFollower.body.id)

  // concurrent registrations spread over both instances: distinct ids, identical on both
  const names = Array.from({ length: 12 }, (_, i) => `Thing${i}`)
  const ids = await Promise.all(names.map(async (name, i) => (await http(i % 2 === 0 ? a.url : b.url, 'POST', `/subjects/${name}-value/versions`, { schema: schema(name) })).body.id as number))
  assert.equal(new Set(ids).size, names.length)
  for (const [i, name] of names.entries()) {
    for (const instance of [a, b]) assert.equal((await http(instance.url, 'GET', `/subjects/${name}-value/versions/latest`)).body.id, ids[i])
  }
  // config and mode writes are forwarded too
  assert.deepEqual((await http(follower.url, 'PUT', '/config/orders-value', { compatibility: 'FULL' })).body, { compatibility: 'FULL' })
  assert.equal((await http(writer.url, 'GET', '/config/orders-value')).body.compatibilityLevel, 'FULL')

  assert.match((await http(writer.url, 'GET', '/metrics')).text, /^samsa_registry_writer 1$/m)
  assert.match((await http(follower.url, 'GET', '/metrics')).text, /^samsa_registry_writer 0$/m)
  assert.equal((await http(follower.url, 'GET', '/health/ready')).body.writer, false)
  // a write that was already forwarded once is never forwarded again
  const loop = await http(follower.url, 'POST', '/subjects/loop-value/versions', { schema: schema('Loop') }, { 'x-samsa-forwarded': '1' })
  assert.equal(loop.status, 500)
  assert.equal(loop.body.error_code, 50004)
})

let c: RunningRegistry

test('the writer leaves: the follower takes over at once and ids continue', async () => {
  const writer = writerOf([a, b]) as RunningRegistry
  const survivor = writer === a ? b : a
  const maxId = survivor.registry.state.maxId
  await writer.election?.stop() // what close() does first: LeaveGroup
  const started = Date.now()
  await until('the survivor becomes the writer', () => survivor.election?.isWriter === true, 5_000)
  assert.ok(Date.now() - started < SESSION_MS, `took ${Date.now() - started} ms (a leave needs no session timeout)`)
  await writer.close()
  const reply = await http(survivor.url, 'POST', '/subjects/after-leave-value/versions', { schema: schema('AfterLeave') })
  assert.deepEqual(reply.body, { id: maxId + 1 })

  // a newcomer joins as a follower: the writer does not move
  c = await start()
  await until('the newcomer knows the writer', () => agreed([survivor, c]))
  assert.equal(writerOf([survivor, c]), survivor)
  assert.deepEqual((await http(c.url, 'POST', '/subjects/after-leave-value/versions', { schema: schema('AfterLeave') })).body, { id: maxId + 1 })
})

test('the writer crashes (no LeaveGroup): the follower takes over after the session timeout', async () => {
  const writer = writerOf([a, b, c].filter((r) => r.election?.writerUrl !== undefined)) as RunningRegistry
  const survivor = c
  assert.notEqual(writer, survivor)
  const maxId = survivor.registry.state.maxId
  await writer.election?.stop({ leave: false })
  await writer.close()
  await until('the survivor becomes the writer', () => survivor.election?.isWriter === true, SESSION_MS * 4)
  const reply = await http(survivor.url, 'POST', '/subjects/after-crash-value/versions', { schema: schema('AfterCrash') })
  assert.deepEqual(reply.body, { id: maxId + 1 })
})

test('an instance that may not write answers 50004 when nobody can', async () => {
  const other = await startBroker()
  try {
    const reader = await startTestRegistry(other, { writerEligible: false, sessionTimeoutMs: SESSION_MS, electionWaitMs: 1_000 })
    try {
      const reply = await http(reader.url, 'POST', '/subjects/x-value/versions', { schema: schema('X') })
      assert.equal(reply.status, 500)
      assert.deepEqual(reply.body, { error_code: 50004, message: 'No registry instance in the group is eligible to write' })
      assert.equal((await http(reader.url, 'GET', '/subjects')).status, 200) // reads are served
    } finally {
      await reader.close()
    }
  } finally {
    await other.stop()
  }
})
