import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { AlterConfigsApi, ErrorCode, IncrementalAlterConfigsApi, decodeRecordBatches, encodeRecordBatch } from '@samsa/protocol'
import { createTopics, fetchPartition, listOffset, produce, startAdminBroker, type AdminBroker } from './admin-helpers.js'

/**
 * Topic configs set through the admin APIs reach the partition logs: the log's background maintenance (every
 * log.retention.check.interval.ms) applies retention and compaction with the new values, without a restart.
 */
async function until<T> (what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

async function set (server: AdminBroker, topic: string, configs: Record<string, string>): Promise<void> {
  const response = await server.client.request(IncrementalAlterConfigsApi, 1, {
    resources: [{ resourceType: 2, resourceName: topic, configs: Object.entries(configs).map(([name, value]) => ({ name, configOperation: 0, value })) }],
    validateOnly: false
  })
  assert.equal(response.responses[0]!.errorCode, ErrorCode.NONE, response.responses[0]!.errorMessage ?? '')
}

const value = (i: number): Buffer => Buffer.alloc(400, 48 + (i % 10))

test('retention.bytes and retention.ms set by IncrementalAlterConfigs delete whole old segments in the background', async (t) => {
  const server = await startAdminBroker(t, { 'log.retention.check.interval.ms': '50' })
  await createTopics(server.client, [{ name: 'sized', configs: { 'segment.bytes': '1000' } }, { name: 'aged', configs: { 'segment.bytes': '1000' } }])
  const old = Date.now() - 3_600_000
  for (let i = 0; i < 12; i++) {
    await produce(server.client, 'sized', 0, encodeRecordBatch([{ key: `k${i}`, value: value(i) }]))
    await produce(server.client, 'aged', 0, encodeRecordBatch([{ key: `k${i}`, value: value(i), timestamp: old + i }]))
  }
  await sleep(200)
  assert.equal((await listOffset(server.client, 'sized', 0, -2)).offset, 0, 'the defaults (7 days, unbounded) keep everything')
  assert.equal((await listOffset(server.client, 'aged', 0, -2)).offset, 0)

  await set(server, 'sized', { 'retention.bytes': '2000' })
  const start = await until('retention.bytes to delete segments', async () => {
    const earliest = (await listOffset(server.client, 'sized', 0, -2)).offset
    return earliest > 0 ? earliest : undefined
  })
  assert.ok(start >= 6 && start <= 11, `log start ${start}`)
  const fetched = await fetchPartition(server.client, 'sized', 0, start)
  assert.equal(decodeRecordBatches(fetched.records!)[0]!.baseOffset, start, 'whole segments only: the new start is a segment base offset')

  await set(server, 'aged', { 'retention.ms': '60000' })
  await until('retention.ms to delete every old segment', async () => ((await listOffset(server.client, 'aged', 0, -2)).offset === 12 ? true : undefined))
  assert.equal((await listOffset(server.client, 'aged', 0, -1)).offset, 12, 'offsets continue')
})

test('cleanup.policy=compact set by AlterConfigs compacts: the latest value per key survives, offsets unchanged', async (t) => {
  const server = await startAdminBroker(t, { 'log.retention.check.interval.ms': '50' })
  await createTopics(server.client, [{ name: 'state', configs: { 'segment.bytes': '1200' } }])
  for (let round = 0; round < 4; round++) {
    for (let key = 0; key < 3; key++) await produce(server.client, 'state', 0, encodeRecordBatch([{ key: `key-${key}`, value: `round-${round}-${'x'.repeat(300)}` }]))
  }
  const response = await server.client.request(AlterConfigsApi, 2, {
    resources: [{ resourceType: 2, resourceName: 'state', configs: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: '1200' }, { name: 'min.cleanable.dirty.ratio', value: '0.01' }] }],
    validateOnly: false
  })
  assert.equal(response.responses[0]!.errorCode, ErrorCode.NONE)
  const survivors = await until('compaction', async () => {
    const records = decodeRecordBatches((await fetchPartition(server.client, 'state', 0, 0)).records!).flatMap((batch) => batch.records)
    return records.length <= 6 ? records : undefined // the cleaner may work in several passes
  })
  // Segments of 3 batches: [0-2] [3-5] [6-8] and the active [9-11]. The cleaner never touches the active segment and
  // only knows the keys below it, so round 2 (6-8) stays until a later clean; rounds 0 and 1 are gone.
  assert.deepEqual(survivors.map((record) => record.offset), [6, 7, 8, 9, 10, 11])
  const latest = new Map(survivors.map((record) => [record.key!.toString(), record.value!.toString().slice(0, 7)]))
  assert.deepEqual([...latest.entries()].sort(), [['key-0', 'round-3'], ['key-1', 'round-3'], ['key-2', 'round-3']])
})
