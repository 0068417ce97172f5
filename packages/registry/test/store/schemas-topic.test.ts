/**
 * What lands in `_schemas` (byte for byte, the way Confluent writes it), replay of records written by someone else,
 * and a restart of broker + registry that keeps every subject, version, id, config and mode.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Producer } from '@platformatic/kafka'
import { http, readTopic, startBroker, startTestRegistry } from '../helpers.js'

const schemaA = JSON.stringify({ type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] })

test('records in _schemas are Confluent-compatible', async () => {
  const broker = await startBroker()
  const registry = await startTestRegistry(broker)
  try {
    await http(registry.url, 'POST', '/subjects/s1/versions', { schema: schemaA })
    await http(registry.url, 'POST', '/subjects/p1/versions', { schemaType: 'PROTOBUF', schema: 'syntax = "proto3";\nmessage P { string a = 1; }' })
    await http(registry.url, 'PUT', '/config', { compatibility: 'FULL' })
    await http(registry.url, 'PUT', '/config/s1', { compatibility: 'NONE' })
    await http(registry.url, 'PUT', '/mode/s1', { mode: 'READWRITE' })
    await http(registry.url, 'DELETE', '/subjects/s1/versions/1')
    await http(registry.url, 'DELETE', '/subjects/s1/versions/1?permanent=true')
    await http(registry.url, 'DELETE', '/subjects/p1')
    const records = await readTopic(broker.bootstrap, '_schemas')
    assert.deepEqual(records, [
      { key: '{"keytype":"SCHEMA","subject":"s1","version":1,"magic":1}', value: `{"subject":"s1","version":1,"id":1,"schemaType":"AVRO","schema":${JSON.stringify(schemaA)},"deleted":false}` },
      { key: '{"keytype":"SCHEMA","subject":"p1","version":1,"magic":1}', value: `{"subject":"p1","version":1,"id":2,"schemaType":"PROTOBUF","schema":${JSON.stringify('syntax = "proto3";\n\nmessage P {\n  string a = 1;\n}\n')},"deleted":false}` },
      { key: '{"keytype":"CONFIG","magic":0}', value: '{"compatibilityLevel":"FULL"}' },
      { key: '{"keytype":"CONFIG","subject":"s1","magic":0}', value: '{"subject":"s1","compatibilityLevel":"NONE"}' },
      { key: '{"keytype":"MODE","subject":"s1","magic":0}', value: '{"subject":"s1","mode":"READWRITE"}' },
      { key: '{"keytype":"SCHEMA","subject":"s1","version":1,"magic":1}', value: `{"subject":"s1","version":1,"id":1,"schemaType":"AVRO","schema":${JSON.stringify(schemaA)},"deleted":true}` },
      { key: '{"keytype":"SCHEMA","subject":"s1","version":1,"magic":1}', value: null },
      { key: '{"keytype":"DELETE_SUBJECT","subject":"p1","magic":0}', value: '{"subject":"p1","version":1}' }
    ])
  } finally {
    await registry.close()
    await broker.stop()
  }
})

test('replays records written by another registry implementation (Karapace-style null subject, unknown key types)', async () => {
  const broker = await startBroker()
  const producer = new Producer({ clientId: 'foreign-writer', bootstrapBrokers: [broker.bootstrap], acks: -1 })
  try {
    const message = (key: string, value: string | null) => ({ topic: '_schemas', partition: 0, key: Buffer.from(key), value: value === null ? null as unknown as Buffer : Buffer.from(value) })
    await producer.metadata({ topics: ['_schemas'], autocreateTopics: true })
    await producer.send({
      messages: [
        message('{"keytype":"NOOP","magic":0}', null),
        message('{"keytype":"CONFIG","subject":null,"magic":0}', '{"compatibilityLevel":"FORWARD"}'),
        message('{"keytype":"SCHEMA","subject":"legacy","version":1,"magic":1}', `{"subject":"legacy","version":1,"id":7,"schema":${JSON.stringify(schemaA)}}`),
        message('{"keytype":"CONTEXT","tenant":"default","context":".x","magic":0}', '{}'),
        message('not json', 'garbage'),
        message('{"keytype":"SCHEMA","subject":"legacy","version":2,"magic":1}', `{"subject":"legacy","version":2,"id":9,"schemaType":"JSON","schema":"{\\"type\\":\\"object\\"}","deleted":false}`)
      ]
    })
    const registry = await startTestRegistry(broker)
    try {
      assert.deepEqual((await http(registry.url, 'GET', '/config')).body, { compatibilityLevel: 'FORWARD' })
      assert.deepEqual((await http(registry.url, 'GET', '/subjects/legacy/versions')).body, [1, 2])
      assert.equal((await http(registry.url, 'GET', '/schemas/ids/7')).body.schema, schemaA)
      assert.equal((await http(registry.url, 'GET', '/schemas/ids/9')).body.schemaType, 'JSON')
      const next = await http(registry.url, 'POST', '/subjects/new/versions', { schema: '"string"' })
      assert.equal(next.body.id, 10, 'new ids continue after the highest id in the log')
    } finally {
      await registry.close()
    }
  } finally {
    await producer.close()
    await broker.stop()
  }
})

test('restart of broker and registry preserves subjects, versions, ids, configs and modes', async () => {
  let broker = await startBroker()
  const dataDir = broker.dataDir
  let registry = await startTestRegistry(broker)
  const registered: Record<string, number> = {}
  const schemas = {
    'a-value': { schema: schemaA },
    'b-value': { schemaType: 'JSON', schema: '{"type":"object","properties":{"n":{"type":"number"}}}' },
    'c-value': { schemaType: 'PROTOBUF', schema: 'syntax = "proto3";\npackage r;\nmessage C { int64 n = 1; }\n' },
    'a-copy': { schema: schemaA }
  }
  for (const [subject, body] of Object.entries(schemas)) registered[subject] = (await http(registry.url, 'POST', `/subjects/${subject}/versions`, body)).body.id
  await http(registry.url, 'PUT', '/config/b-value', { compatibility: 'FULL_TRANSITIVE' })
  await http(registry.url, 'PUT', '/mode/c-value', { mode: 'READONLY' })
  await http(registry.url, 'DELETE', '/subjects/a-copy')
  const before = (await http(registry.url, 'GET', '/schemas?deleted=true')).body
  await registry.close()
  await broker.stop({ keepData: true })

  broker = await startBroker(dataDir)
  registry = await startTestRegistry(broker)
  try {
    assert.deepEqual((await http(registry.url, 'GET', '/schemas?deleted=true')).body, before)
    for (const [subject, id] of Object.entries(registered)) {
      assert.equal((await http(registry.url, 'GET', `/subjects/${subject}/versions/1?deleted=true`)).body.id, id, subject)
    }
    assert.equal(registered['a-value'], registered['a-copy'])
    assert.deepEqual((await http(registry.url, 'GET', '/config/b-value')).body, { compatibilityLevel: 'FULL_TRANSITIVE' })
    assert.deepEqual((await http(registry.url, 'GET', '/mode/c-value')).body, { mode: 'READONLY' })
    assert.deepEqual((await http(registry.url, 'GET', '/subjects')).body, ['a-value', 'b-value', 'c-value'])
    const next = await http(registry.url, 'POST', '/subjects/d-value/versions', { schema: '"long"' })
    assert.equal(next.body.id, Math.max(...Object.values(registered)) + 1)
  } finally {
    await registry.close()
    await broker.stop()
  }
})
