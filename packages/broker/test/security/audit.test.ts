import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { CreateTopicsApi, DeleteTopicsApi, ErrorCode, IncrementalAlterConfigsApi, ProduceApi, encodeRecordBatch } from '@samsa/protocol'
import { startBroker } from '../helpers.js'
import { SecureClient, scratchDir } from './secure-helpers.js'

async function events (file: string): Promise<Array<Record<string, unknown>>> {
  await new Promise((resolve) => setTimeout(resolve, 100))
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
}

test('without an authorizer the audit log still records admin operations (not produce/fetch)', async (t) => {
  const file = join(scratchDir('samsa-audit-'), 'logs', 'audit.log')
  const server = await startBroker({ 'audit.log.file': file })
  t.after(() => server.stop())
  assert.equal(server.broker.context.security.checks, true)
  const client = await SecureClient.connect(server.port)
  t.after(() => client.close())
  assert.equal((await client.request(CreateTopicsApi, 5, { topics: [{ name: 'audited', numPartitions: 1, replicationFactor: 1 }] })).topics[0]!.errorCode, ErrorCode.NONE)
  await client.request(IncrementalAlterConfigsApi, 1, { validateOnly: false, resources: [{ resourceType: 2, resourceName: 'audited', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] }] })
  await client.request(ProduceApi, 9, { acks: 1, timeoutMs: 1000, topicData: [{ name: 'audited', partitionData: [{ index: 0, records: encodeRecordBatch([{ value: 'x' }]) }] }] })
  await client.request(DeleteTopicsApi, 5, { topicNames: ['audited'], timeoutMs: 1000 })
  const recorded = (await events(file)).map((event) => [event.event, event.api, event.operation, event.resourceType, event.resourceName, event.principal, event.allowed])
  assert.deepEqual(recorded, [
    ['authorization', 'CreateTopics', 'CREATE', 'TOPIC', 'audited', 'User:ANONYMOUS', true],
    ['authorization', 'IncrementalAlterConfigs', 'ALTER_CONFIGS', 'TOPIC', 'audited', 'User:ANONYMOUS', true],
    ['authorization', 'DeleteTopics', 'DELETE', 'TOPIC', 'audited', 'User:ANONYMOUS', true]
  ])
  assert.equal(statSync(file).mode & 0o777, 0o600)
})

test('audit.log.authorizations=none keeps the fast path (no checks) even with an audit file', async (t) => {
  const file = join(scratchDir('samsa-audit-'), 'audit.log')
  const server = await startBroker({ 'audit.log.file': file, 'audit.log.authorizations': 'none' })
  t.after(() => server.stop())
  assert.equal(server.broker.context.security.checks, false)
})
