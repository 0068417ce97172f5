import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiVersionsApi, CreateTopicsApi, FetchApi } from '@samsa/protocol'
import { BrokerConfigError, loadConfig } from '../src/index.js'
import { RawClient, startBroker } from './helpers.js'

/** Resolves with how long the connection stayed open, or rejects after `withinMs`. */
async function closedWithin (client: RawClient, withinMs: number): Promise<number> {
  const started = Date.now()
  let timer: NodeJS.Timeout | undefined
  await Promise.race([client.closed, new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`still open after ${withinMs} ms`)), withinMs) })])
  clearTimeout(timer)
  return Date.now() - started
}

/** A connection that is answered, retried while the broker has not yet counted a closed one out (it closes new ones). */
async function connectOnceFreed (port: number): Promise<RawClient> {
  for (let attempt = 0; ; attempt++) {
    const client = await RawClient.connect(port)
    try {
      await client.request(ApiVersionsApi, 3, {})
      return client
    } catch (error) {
      client.close()
      if (attempt >= 40) throw error
      await sleep(50)
    }
  }
}

test('connections.max.idle.ms: an idle connection is closed, also one that sent half a request; one waiting for a long-poll is not', async (t) => {
  const server = await startBroker({ 'connections.max.idle.ms': '300' })
  t.after(() => server.stop())

  const idle = await RawClient.connect(server.port)
  await idle.request(ApiVersionsApi, 3, {})
  const openFor = await closedWithin(idle, 3000)
  assert.ok(openFor >= 250, `closed after ${openFor} ms`)

  // Four bytes of a size prefix announcing 100 bytes, then nothing: a half-sent frame does not keep it alive.
  const stalled = await RawClient.connect(server.port)
  stalled.write(Buffer.from([0, 0, 0, 100, 0, 18]))
  await closedWithin(stalled, 3000)

  // A Fetch long-poll of 1 s, longer than the idle limit, is answered on the same connection.
  const polling = await RawClient.connect(server.port)
  t.after(() => polling.close())
  await polling.request(CreateTopicsApi, 5, { topics: [{ name: 'quiet', numPartitions: 1, replicationFactor: 1 }], timeoutMs: 5000 })
  const started = Date.now()
  const fetched = await polling.request(FetchApi, 12, {
    replicaId: -1, maxWaitMs: 1000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0,
    topics: [{ topic: 'quiet', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }]
  })
  assert.ok(Date.now() - started >= 900, 'the long-poll waited its maxWaitMs')
  assert.equal(fetched.responses[0]!.partitions[0]!.errorCode, 0)
  // ...and the connection goes once it is idle again.
  await closedWithin(polling, 3000)
})

test('max.connections.per.ip and max.connections: a connection over the limit is closed at once; closing one frees its place', async (t) => {
  await t.test('max.connections.per.ip', async () => {
    const server = await startBroker({ 'max.connections.per.ip': '2' })
    try {
      const first = await RawClient.connect(server.port)
      const second = await RawClient.connect(server.port)
      const third = await RawClient.connect(server.port)
      await closedWithin(third, 2000)
      assert.equal((await first.request(ApiVersionsApi, 3, {})).errorCode, 0)
      assert.equal((await second.request(ApiVersionsApi, 3, {})).errorCode, 0)
      first.close()
      await first.closed
      const again = await connectOnceFreed(server.port)
      assert.equal((await again.request(ApiVersionsApi, 3, {})).errorCode, 0)
      second.close()
      again.close()
    } finally {
      await server.stop()
    }
  })

  await t.test('max.connections.per.ip.overrides lifts the limit for one address', async () => {
    const server = await startBroker({ 'max.connections.per.ip': '0', 'max.connections.per.ip.overrides': '127.0.0.1:1' })
    try {
      const allowed = await RawClient.connect(server.port)
      assert.equal((await allowed.request(ApiVersionsApi, 3, {})).errorCode, 0)
      const refused = await RawClient.connect(server.port)
      await closedWithin(refused, 2000)
      allowed.close()
    } finally {
      await server.stop()
    }
  })

  await t.test('max.connections', async () => {
    const server = await startBroker({ 'max.connections': '1' })
    try {
      const only = await RawClient.connect(server.port)
      const refused = await RawClient.connect(server.port)
      await closedWithin(refused, 2000)
      assert.equal((await only.request(ApiVersionsApi, 3, {})).errorCode, 0)
      only.close()
    } finally {
      await server.stop()
    }
  })
})

test('bad connection limits refuse to start with one line naming the key', () => {
  assert.throws(() => loadConfig({ env: {}, overrides: { 'max.connections.per.ip.overrides': '127.0.0.1' } }), (error: unknown) => {
    assert.ok(error instanceof BrokerConfigError)
    assert.equal(error.message, 'invalid value "127.0.0.1" for max.connections.per.ip.overrides: expected a comma-separated list of host-or-ip:count, e.g. 127.0.0.1:200')
    return true
  })
  assert.throws(() => loadConfig({ env: {}, overrides: { 'connections.max.idle.ms': '0' } }), /connections\.max\.idle\.ms/)
  assert.throws(() => loadConfig({ env: {}, overrides: { 'max.connections': '-1' } }), /max\.connections/)
})
