/**
 * Smaller API details: `?format=resolved` for AVRO, the optional 40901 incompatibility code, PROTOBUF descriptors that
 * import well-known types, and custom options (Confluent field tags) kept in canonical PROTOBUF text.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { providerFor, type RunningRegistry } from '../../src/index.js'
import { http, startBroker, startTestRegistry, type TestBroker } from '../helpers.js'

let broker: TestBroker
let registry: RunningRegistry

before(async () => {
  broker = await startBroker()
  registry = await startTestRegistry(broker, { incompatibleErrorCode: 40901 })
})
after(async () => {
  await registry.close()
  await broker.stop()
})

test('format=resolved inlines referenced AVRO types at their first use', async () => {
  const address = JSON.stringify({ type: 'record', name: 'Address', namespace: 'hc.common', fields: [{ name: 'city', type: 'string' }, { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['HOME', 'WORK'] } }] })
  await http(registry.url, 'POST', '/subjects/address/versions', { schema: address })
  const patient = JSON.stringify({ type: 'record', name: 'Patient', namespace: 'hc', fields: [{ name: 'home', type: 'hc.common.Address' }, { name: 'work', type: ['null', 'hc.common.Address'], default: null }, { name: 'kinds', type: { type: 'array', items: 'hc.common.Kind' } }] })
  const { id } = (await http(registry.url, 'POST', '/subjects/patients-value/versions', { schema: patient, references: [{ name: 'hc.common.Address', subject: 'address', version: 1 }] })).body
  const expected = JSON.stringify({
    type: 'record',
    name: 'Patient',
    namespace: 'hc',
    fields: [
      { name: 'home', type: { type: 'record', name: 'hc.common.Address', fields: [{ name: 'city', type: 'string' }, { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['HOME', 'WORK'] } }] } },
      { name: 'work', type: ['null', 'hc.common.Address'], default: null },
      { name: 'kinds', type: { type: 'array', items: 'hc.common.Kind' } }
    ]
  })
  assert.equal((await http(registry.url, 'GET', `/schemas/ids/${id}?format=resolved`)).body.schema, expected)
  assert.equal((await http(registry.url, 'GET', `/schemas/ids/${id}/schema?format=resolved`)).text, expected)
  assert.equal((await http(registry.url, 'GET', '/subjects/patients-value/versions/1?format=resolved')).body.schema, expected)
  assert.equal((await http(registry.url, 'GET', '/subjects/patients-value/versions/latest/schema?format=resolved')).text, expected)
  assert.equal((await http(registry.url, 'GET', `/schemas/ids/${id}`)).body.schema, patient) // default: as stored
  // the resolved text parses alone and reads the same data
  const alone = providerFor('AVRO').parse(expected, [])
  assert.equal((alone.native as { name: string }).name, 'hc.Patient')
})

test('incompatibleErrorCode: 40901 on request, still HTTP 409', async () => {
  const v1 = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] })
  const v2 = JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }] })
  await http(registry.url, 'POST', '/subjects/r-value/versions', { schema: v1 })
  const rejected = await http(registry.url, 'POST', '/subjects/r-value/versions', { schema: v2 })
  assert.equal(rejected.status, 409)
  assert.equal(rejected.body.error_code, 40901)
})

test('PROTOBUF: a base64 descriptor importing a well-known type registers; field tags survive canonical text', async () => {
  // python3-protobuf: FileDescriptorProto(name='visit.proto', package='hc', dependency=['google/protobuf/timestamp.proto'],
  //   message Visit { string id = 1; .google.protobuf.Timestamp at = 2; }, syntax='proto3')
  const descriptor = 'Cgt2aXNpdC5wcm90bxICaGMaH2dvb2dsZS9wcm90b2J1Zi90aW1lc3RhbXAucHJvdG8iOwoFVmlzaXQSCgoCaWQYASABKAkSJgoCYXQYAiABKAsyGi5nb29nbGUucHJvdG9idWYuVGltZXN0YW1wYgZwcm90bzM='
  const reply = await http(registry.url, 'POST', '/subjects/visits-value/versions', { schemaType: 'PROTOBUF', schema: descriptor })
  assert.equal(reply.status, 200, JSON.stringify(reply.body))
  const stored = (await http(registry.url, 'GET', '/subjects/visits-value/versions/1')).body.schema
  assert.equal(stored, 'syntax = "proto3";\npackage hc;\n\nimport "google/protobuf/timestamp.proto";\n\nmessage Visit {\n  string id = 1;\n  .google.protobuf.Timestamp at = 2;\n}\n')

  const a = 'syntax = "proto3";\npackage hc;\nimport "confluent/meta.proto";\nmessage P {\n  string ssn = 1 [(confluent.field_meta).tags = "PII", (confluent.field_meta).tags = "MASK_SSN"];\n}\n'
  const b = 'syntax = "proto3";\npackage hc;\nimport "confluent/meta.proto";\nmessage P { string ssn = 1 [(confluent.field_meta) = { tags: ["PII", "MASK_SSN"] }]; }\n'
  const first = await http(registry.url, 'POST', '/subjects/p-value/versions', { schemaType: 'PROTOBUF', schema: a })
  const second = await http(registry.url, 'POST', '/subjects/p-value/versions', { schemaType: 'PROTOBUF', schema: b })
  assert.deepEqual(second.body, first.body) // two spellings, one canonical text, one id
  assert.match((await http(registry.url, 'GET', '/subjects/p-value/versions/1')).body.schema, /string ssn = 1 \[\(confluent\.field_meta\) = \{ tags: \["PII", "MASK_SSN"\] \}\];/)
})
