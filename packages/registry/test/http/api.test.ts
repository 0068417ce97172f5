/** The REST API against a real broker: status codes, Confluent error codes and bodies, content negotiation. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { RunningRegistry } from '../../src/index.js'
import { http, startBroker, startTestRegistry, V1, type TestBroker } from '../helpers.js'

const avro = (fields: unknown[], name = 'User'): string => JSON.stringify({ type: 'record', name, namespace: 'samsa.api', fields })
const USER_V1 = avro([{ name: 'id', type: 'long' }])
const USER_V2 = avro([{ name: 'id', type: 'long' }, { name: 'email', type: ['null', 'string'], default: null }])

let broker: TestBroker
let registry: RunningRegistry
let url: string

before(async () => {
  broker = await startBroker()
  registry = await startTestRegistry(broker, { maxBodyBytes: 64 * 1024 })
  url = registry.url
})
after(async () => {
  await registry.close()
  await broker.stop()
})

const expectError = (reply: { status: number, body: any }, status: number, errorCode: number, message?: RegExp): void => {
  assert.equal(reply.status, status, JSON.stringify(reply.body))
  assert.equal(reply.body.error_code, errorCode, JSON.stringify(reply.body))
  assert.equal(typeof reply.body.message, 'string')
  if (message !== undefined) assert.match(reply.body.message, message)
}

describe('subjects and versions', () => {
  test('register, read back, one id for identical content across subjects', async () => {
    const first = await http(url, 'POST', '/subjects/users-value/versions', { schema: USER_V1 })
    assert.equal(first.status, 200)
    assert.equal(first.headers.get('content-type'), V1)
    const id = first.body.id as number
    const again = await http(url, 'POST', '/subjects/users-value/versions', { schema: USER_V1 })
    assert.deepEqual(again.body, { id })
    const reformatted = JSON.stringify(JSON.parse(USER_V1), null, 2)
    assert.deepEqual((await http(url, 'POST', '/subjects/users-copy/versions', { schema: reformatted })).body, { id })
    const latest = await http(url, 'GET', '/subjects/users-value/versions/latest')
    assert.deepEqual(latest.body, { subject: 'users-value', version: 1, id, schema: USER_V1 })
    assert.deepEqual((await http(url, 'GET', '/subjects/users-value/versions/-1')).body, latest.body)
    const raw = await http(url, 'GET', '/subjects/users-value/versions/1/schema')
    assert.equal(raw.text, USER_V1)
    const v2 = await http(url, 'POST', '/subjects/users-value/versions', { schema: USER_V2 })
    assert.notEqual(v2.body.id, id)
    assert.deepEqual((await http(url, 'GET', '/subjects/users-value/versions')).body, [1, 2])
    assert.ok((await http(url, 'GET', '/subjects')).body.includes('users-value'))
    assert.deepEqual((await http(url, 'GET', `/schemas/ids/${id}`)).body, { schema: USER_V1 })
    assert.deepEqual((await http(url, 'GET', `/schemas/ids/${id}/subjects`)).body, ['users-copy', 'users-value'])
    assert.deepEqual((await http(url, 'GET', `/schemas/ids/${id}/versions`)).body, [{ subject: 'users-copy', version: 1 }, { subject: 'users-value', version: 1 }])
    assert.deepEqual((await http(url, 'GET', '/schemas/types')).body, ['JSON', 'PROTOBUF', 'AVRO'])
  })

  test('lookup by schema', async () => {
    const found = await http(url, 'POST', '/subjects/users-value', { schema: USER_V2 })
    assert.equal(found.status, 200)
    assert.equal(found.body.version, 2)
    assert.equal(found.body.subject, 'users-value')
    expectError(await http(url, 'POST', '/subjects/users-value', { schema: avro([{ name: 'x', type: 'int' }]) }), 404, 40403, /^Schema not found$/)
    expectError(await http(url, 'POST', '/subjects/nobody', { schema: USER_V1 }), 404, 40401, /Subject 'nobody' not found\./)
  })

  test('not found and invalid versions', async () => {
    expectError(await http(url, 'GET', '/subjects/nobody/versions/1'), 404, 40401)
    expectError(await http(url, 'GET', '/subjects/nobody/versions'), 404, 40401)
    expectError(await http(url, 'GET', '/subjects/users-value/versions/9'), 404, 40402, /^Version 9 not found\.$/)
    expectError(await http(url, 'GET', '/subjects/users-value/versions/0'), 422, 42202)
    expectError(await http(url, 'GET', '/subjects/users-value/versions/abc'), 422, 42202, /is not a valid version id/)
    expectError(await http(url, 'GET', '/schemas/ids/9999'), 404, 40403, /^Schema 9999 not found$/)
  })

  test('invalid schemas are 42201 with the parser message, and nothing is written', async () => {
    const before = registry.registry.store.appliedOffset
    const bad = await http(url, 'POST', '/subjects/bad/versions', { schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}' })
    expectError(bad, 422, 42201, /nope/)
    expectError(await http(url, 'POST', '/subjects/bad/versions', { schema: '' }), 422, 42201, /Empty schema/)
    expectError(await http(url, 'POST', '/subjects/bad/versions', { schema: '{"type":"strin"}', schemaType: 'JSON' }), 422, 42201)
    expectError(await http(url, 'POST', '/subjects/bad/versions', { schema: 'message {', schemaType: 'PROTOBUF' }), 422, 42201)
    expectError(await http(url, 'POST', '/subjects/bad/versions', { schema: USER_V1, schemaType: 'XML' }), 422, 42201)
    expectError(await http(url, 'POST', '/subjects/bad/versions', '{"schema": '), 400, 400, /Malformed JSON/)
    assert.equal(registry.registry.store.appliedOffset, before)
    expectError(await http(url, 'GET', '/subjects/bad/versions'), 404, 40401)
  })

  test('HTTP-level errors: 404, 405, 406, 413, 415', async () => {
    expectError(await http(url, 'GET', '/nowhere'), 404, 404)
    expectError(await http(url, 'PATCH', '/subjects'), 405, 405)
    expectError(await http(url, 'GET', '/subjects', undefined, { Accept: 'text/html' }), 406, 406)
    const huge = JSON.stringify({ schema: JSON.stringify({ type: 'enum', name: 'E', symbols: Array.from({ length: 20000 }, (_, i) => `S${i}`) }) })
    expectError(await http(url, 'POST', '/subjects/huge/versions', huge), 413, 413)
    expectError(await http(url, 'POST', '/subjects/x/versions', { schema: USER_V1 }, { 'Content-Type': 'text/plain' }), 415, 415)
    const plainJson = await http(url, 'GET', '/subjects', undefined, { Accept: 'application/json' })
    assert.equal(plainJson.headers.get('content-type'), 'application/json')
  })
})

describe('compatibility', () => {
  test('an incompatible schema is 409 and the check endpoint explains why', async () => {
    const incompatible = avro([{ name: 'id', type: 'long' }, { name: 'age', type: 'int' }])
    const rejected = await http(url, 'POST', '/subjects/users-value/versions', { schema: incompatible })
    expectError(rejected, 409, 409, /incompatible with an earlier schema for subject "users-value"/)
    const check = await http(url, 'POST', '/compatibility/subjects/users-value/versions/latest?verbose=true', { schema: incompatible })
    assert.equal(check.body.is_compatible, false)
    assert.ok(check.body.messages.some((m: string) => m.includes('READER_FIELD_MISSING_DEFAULT_VALUE')), check.body.messages)
    assert.deepEqual((await http(url, 'POST', '/compatibility/subjects/users-value/versions/1', { schema: USER_V2 })).body, { is_compatible: true })
    assert.deepEqual((await http(url, 'POST', '/compatibility/subjects/users-value/versions', { schema: USER_V2 })).body, { is_compatible: true })
    assert.deepEqual((await http(url, 'POST', '/compatibility/subjects/brand-new/versions/latest', { schema: USER_V2 })).body, { is_compatible: true })
    expectError(await http(url, 'POST', '/compatibility/subjects/users-value/versions/7', { schema: USER_V2 }), 404, 40402)
  })
})

describe('config and mode', () => {
  test('global and subject compatibility', async () => {
    assert.deepEqual((await http(url, 'GET', '/config')).body, { compatibilityLevel: 'BACKWARD' })
    expectError(await http(url, 'GET', '/config/users-value'), 404, 40408, /does not have subject-level compatibility configured/)
    assert.deepEqual((await http(url, 'GET', '/config/users-value?defaultToGlobal=true')).body, { compatibilityLevel: 'BACKWARD' })
    assert.deepEqual((await http(url, 'PUT', '/config/users-value', { compatibility: 'full' })).body, { compatibility: 'FULL' })
    assert.deepEqual((await http(url, 'GET', '/config/users-value')).body, { compatibilityLevel: 'FULL' })
    expectError(await http(url, 'PUT', '/config/users-value', { compatibility: 'SIDEWAYS' }), 422, 42203, /Invalid compatibility level/)
    assert.deepEqual((await http(url, 'DELETE', '/config/users-value')).body, { compatibilityLevel: 'FULL' })
    expectError(await http(url, 'DELETE', '/config/users-value'), 404, 40401)
    assert.deepEqual((await http(url, 'PUT', '/config', { compatibility: 'NONE' })).body, { compatibility: 'NONE' })
    assert.deepEqual((await http(url, 'GET', '/config')).body, { compatibilityLevel: 'NONE' })
    assert.deepEqual((await http(url, 'DELETE', '/config')).body, { compatibilityLevel: 'NONE' })
    assert.deepEqual((await http(url, 'GET', '/config')).body, { compatibilityLevel: 'BACKWARD' })
  })

  test('READONLY blocks writes, IMPORT takes explicit ids', async () => {
    expectError(await http(url, 'GET', '/mode/ro-subject'), 404, 40409)
    assert.deepEqual((await http(url, 'PUT', '/mode/ro-subject', { mode: 'READONLY' })).body, { mode: 'READONLY' })
    expectError(await http(url, 'POST', '/subjects/ro-subject/versions', { schema: USER_V1 }), 422, 42205, /read-only mode/)
    assert.deepEqual((await http(url, 'DELETE', '/mode/ro-subject')).body, { mode: 'READONLY' })
    expectError(await http(url, 'PUT', '/mode', { mode: 'SLEEPING' }), 422, 42204)
    expectError(await http(url, 'PUT', '/mode', { mode: 'IMPORT' }), 422, 42205, /Cannot import since found existing subjects/)
    expectError(await http(url, 'POST', '/subjects/imported/versions', { schema: USER_V1, id: 500 }), 422, 42205, /not in import mode/)
    assert.deepEqual((await http(url, 'PUT', '/mode/imported', { mode: 'IMPORT' })).body, { mode: 'IMPORT' })
    const schema = avro([{ name: 'k', type: 'string' }], 'Imported')
    assert.deepEqual((await http(url, 'POST', '/subjects/imported/versions', { schema, id: 500, version: 3 })).body, { id: 500 })
    assert.equal((await http(url, 'GET', '/subjects/imported/versions/3')).body.id, 500)
    expectError(await http(url, 'POST', '/subjects/imported/versions', { schema: avro([{ name: 'z', type: 'string' }], 'Other'), id: 500 }), 422, 42207)
    await http(url, 'DELETE', '/mode/imported')
    const next = await http(url, 'POST', '/subjects/after-import/versions', { schema: avro([{ name: 'n', type: 'int' }], 'AfterImport') })
    assert.equal(next.body.id, 501)
  })
})

describe('deletes', () => {
  test('versions: soft, then permanent', async () => {
    await http(url, 'POST', '/subjects/del-v/versions', { schema: avro([{ name: 'a', type: 'int' }], 'D1') })
    await http(url, 'POST', '/subjects/del-v/versions', { schema: avro([{ name: 'a', type: 'int' }, { name: 'b', type: 'int', default: 0 }], 'D1') })
    expectError(await http(url, 'DELETE', '/subjects/del-v/versions/1?permanent=true'), 404, 40407, /was not deleted first/)
    assert.equal((await http(url, 'DELETE', '/subjects/del-v/versions/1')).body, 1)
    expectError(await http(url, 'DELETE', '/subjects/del-v/versions/1'), 404, 40406, /was soft deleted/)
    expectError(await http(url, 'GET', '/subjects/del-v/versions/1'), 404, 40402)
    assert.equal((await http(url, 'GET', '/subjects/del-v/versions/1?deleted=true')).body.deleted, true)
    assert.deepEqual((await http(url, 'GET', '/subjects/del-v/versions')).body, [2])
    assert.deepEqual((await http(url, 'GET', '/subjects/del-v/versions?deleted=true')).body, [1, 2])
    assert.equal((await http(url, 'DELETE', '/subjects/del-v/versions/1?permanent=true')).body, 1)
    expectError(await http(url, 'GET', '/subjects/del-v/versions/1?deleted=true'), 404, 40402)
  })

  test('subjects: soft, then permanent', async () => {
    await http(url, 'POST', '/subjects/del-s/versions', { schema: avro([{ name: 'a', type: 'int' }], 'DS') })
    expectError(await http(url, 'DELETE', '/subjects/del-s?permanent=true'), 404, 40405, /was not deleted first/)
    assert.deepEqual((await http(url, 'DELETE', '/subjects/del-s')).body, [1])
    expectError(await http(url, 'DELETE', '/subjects/del-s'), 404, 40404, /was soft deleted/)
    assert.ok(!(await http(url, 'GET', '/subjects')).body.includes('del-s'))
    assert.ok((await http(url, 'GET', '/subjects?deleted=true')).body.includes('del-s'))
    assert.deepEqual((await http(url, 'GET', '/subjects?deletedOnly=true')).body.includes('del-s'), true)
    assert.deepEqual((await http(url, 'DELETE', '/subjects/del-s?permanent=true')).body, [1])
    expectError(await http(url, 'GET', '/subjects/del-s/versions'), 404, 40401)
    expectError(await http(url, 'DELETE', '/subjects/del-s'), 404, 40401)
  })
})

describe('formats and references', () => {
  test('AVRO references, referencedby, and delete protection', async () => {
    const address = JSON.stringify({ type: 'record', name: 'Address', namespace: 'samsa.ref', fields: [{ name: 'city', type: 'string' }] })
    const addr = await http(url, 'POST', '/subjects/address/versions', { schema: address })
    const person = JSON.stringify({ type: 'record', name: 'Person', namespace: 'samsa.ref', fields: [{ name: 'home', type: 'samsa.ref.Address' }] })
    const references = [{ name: 'samsa.ref.Address', subject: 'address', version: 1 }]
    const p = await http(url, 'POST', '/subjects/person/versions', { schema: person, references })
    assert.equal(p.status, 200, JSON.stringify(p.body))
    assert.deepEqual((await http(url, 'GET', '/subjects/person/versions/1')).body.references, references)
    assert.deepEqual((await http(url, 'GET', '/subjects/address/versions/1/referencedby')).body, [p.body.id])
    expectError(await http(url, 'DELETE', '/subjects/address/versions/1'), 422, 42206)
    expectError(await http(url, 'POST', '/subjects/person2/versions', { schema: person }), 422, 42201)
    assert.ok(addr.body.id > 0)
  })

  test('JSON Schema and PROTOBUF register, and formatting does not change the id', async () => {
    const json = await http(url, 'POST', '/subjects/orders-value/versions', { schemaType: 'JSON', schema: JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'Order', type: 'object', properties: { id: { type: 'integer' } } }) })
    assert.equal(json.status, 200, JSON.stringify(json.body))
    assert.equal((await http(url, 'GET', `/schemas/ids/${json.body.id}`)).body.schemaType, 'JSON')
    const proto = 'syntax = "proto3";\npackage samsa.api;\n\nmessage Payment {\n  string id = 1;\n  int64 cents = 2;\n}\n'
    const first = await http(url, 'POST', '/subjects/payments-value/versions', { schemaType: 'PROTOBUF', schema: proto })
    assert.equal(first.status, 200, JSON.stringify(first.body))
    const squashed = 'syntax="proto3"; package samsa.api; message Payment { string id = 1; int64 cents = 2; }'
    assert.deepEqual((await http(url, 'POST', '/subjects/payments-copy/versions', { schemaType: 'PROTOBUF', schema: squashed })).body, first.body)
    const stored = await http(url, 'GET', '/subjects/payments-value/versions/1')
    assert.equal(stored.body.schemaType, 'PROTOBUF')
    assert.equal(stored.body.schema, proto)
  })
})
