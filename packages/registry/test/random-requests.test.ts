import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startBroker, startTestRegistry, V1 } from './helpers.js'

/**
 * Random REST requests: every route (and a few that do not exist), with random subjects, versions, ids, query
 * flags, content types and bodies (valid and broken AVRO / JSON Schema / PROTOBUF schemas, references to missing
 * subjects, bodies of the wrong JSON type, malformed JSON). The registry shares its process with the broker under
 * `npm start`, so what must hold is: no 5xx, every error in Confluent's shape ({error_code, message}), and the
 * registry still serving afterwards. A fixed seed replays a failure; SAMSA_FUZZ_SEED picks another.
 */
const SEED = Number(process.env.SAMSA_FUZZ_SEED ?? 20261123)
const REQUESTS = 1500

function seeded (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SUBJECTS = ['orders-value', 's', 'a/b', '%2F', 'x'.repeat(300), ':.ctx:sub', 'ü', '..']
const VERSIONS = ['1', '2', 'latest', '-1', '0', '99999999999999999999', 'abc', '1.5']
const IDS = ['1', '2', '0', '-1', '99999999999999999999', 'x']
const SCHEMAS: Record<string, string[]> = {
  AVRO: ['"string"', '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}', '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}', '{"type":', '[]', '{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}'],
  JSON: ['{"type":"object","properties":{"a":{"type":"string"}}}', '{"type":"object","additionalProperties":false}', '{"$ref":"#/definitions/x"}', '{"type":"nope"}', 'true', '{"properties":{"a":{"$ref":"other.json"}}}'],
  PROTOBUF: ['syntax = "proto3"; message M { string a = 1; }', 'syntax = "proto3"; message M { int32 a = 1; }', 'syntax = "proto3"; import "other.proto"; message M { Other o = 1; }', 'message {', 'syntax = "proto2"; message M { required string a = 1; }']
}
const ROUTES: Array<[string, string]> = [
  ['GET', '/'], ['GET', '/subjects'], ['GET', '/schemas/types'], ['GET', '/schemas'], ['GET', '/contexts'],
  ['POST', '/subjects/{s}'], ['DELETE', '/subjects/{s}'], ['GET', '/subjects/{s}/versions'], ['POST', '/subjects/{s}/versions'], ['POST', '/subjects/{s}/versions'],
  ['GET', '/subjects/{s}/versions/{v}'], ['GET', '/subjects/{s}/versions/{v}/schema'], ['GET', '/subjects/{s}/versions/{v}/referencedby'], ['DELETE', '/subjects/{s}/versions/{v}'],
  ['GET', '/schemas/ids/{i}'], ['GET', '/schemas/ids/{i}/schema'], ['GET', '/schemas/ids/{i}/subjects'], ['GET', '/schemas/ids/{i}/versions'],
  ['POST', '/compatibility/subjects/{s}/versions/{v}'], ['POST', '/compatibility/subjects/{s}/versions'],
  ['GET', '/config'], ['PUT', '/config'], ['GET', '/config/{s}'], ['PUT', '/config/{s}'], ['DELETE', '/config/{s}'],
  ['GET', '/mode'], ['PUT', '/mode/{s}'], ['GET', '/mode/{s}'], ['DELETE', '/mode/{s}'], ['GET', '/nope'], ['PATCH', '/subjects']
]
const QUERIES = ['', '?permanent=true', '?deleted=true', '?format=resolved', '?normalize=true', '?subjectPrefix=o', '?deletedOnly=true', '?latestOnly=true', '?offset=-1&limit=abc']

test('random REST requests: no 5xx, errors in Confluent\'s shape, the registry keeps serving', async (t) => {
  const broker = await startBroker()
  t.after(() => broker.stop())
  const registry = await startTestRegistry(broker)
  t.after(() => registry.close())
  const random = seeded(SEED)
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!
  const anyValue = (depth = 0): unknown => {
    const r = random()
    if (depth > 2 || r < 0.3) return pick([null, 0, -1, 1.5, '', 'x', 'AVRO', 'PROTOBUF', true, 'BACKWARD', 'READONLY', 'x'.repeat(2000)])
    if (r < 0.6) return Array.from({ length: Math.floor(random() * 3) }, () => anyValue(depth + 1))
    return Object.fromEntries(Array.from({ length: 3 }, () => [pick(['schema', 'schemaType', 'references', 'subject', 'version', 'metadata', 'ruleSet', 'compatibility', 'mode']), anyValue(depth + 1)]))
  }
  const body = (): string => {
    const r = random()
    if (r < 0.1) return pick(['{', 'null', '[]', '"x"', '{"schema": 1}', ''])
    if (r < 0.25) return JSON.stringify(anyValue())
    const schemaType = pick(['AVRO', 'JSON', 'PROTOBUF', undefined, 'XML'])
    const request: Record<string, unknown> = { schema: pick(SCHEMAS[schemaType ?? 'AVRO'] ?? SCHEMAS.AVRO!), schemaType }
    if (random() < 0.3) request.references = [{ name: pick(['other.json', 'other.proto', 'R', '']), subject: pick(SUBJECTS), version: pick([1, -1, 0, 'x', null]) }]
    if (random() < 0.2) request.compatibility = pick(['BACKWARD', 'NONE', 'FULL_TRANSITIVE', 'bogus', 5])
    if (random() < 0.1) request.mode = pick(['READWRITE', 'READONLY', 'IMPORT', 'bogus'])
    return JSON.stringify(request)
  }

  const statuses = new Map<number, number>()
  for (let n = 0; n < REQUESTS; n++) {
    const [method, template] = pick(ROUTES)
    const path = template.replace('{s}', encodeURIComponent(pick(SUBJECTS))).replace('{v}', pick(VERSIONS)).replace('{i}', pick(IDS)) + pick(QUERIES)
    const init: RequestInit = { method, headers: { Accept: V1, 'Content-Type': pick([V1, 'application/json', 'text/plain']) } }
    if (method !== 'GET' && method !== 'DELETE') init.body = body()
    const what = `#${n} ${method} ${path} ${typeof init.body === 'string' ? init.body.slice(0, 200) : ''} (seed ${SEED})`
    const response = await fetch(registry.url + path, init)
    const text = await response.text()
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
    assert.ok(response.status < 500, `${what} → ${response.status} ${text.slice(0, 300)}`)
    if (response.status >= 400) {
      const error = JSON.parse(text) as { error_code: unknown, message: unknown }
      assert.equal(typeof error.error_code, 'number', `${what}: ${text.slice(0, 300)}`)
      assert.equal(typeof error.message, 'string', `${what}: ${text.slice(0, 300)}`)
    }
  }
  t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`)
  const subjects = await fetch(registry.url + '/subjects', { headers: { Accept: V1 } })
  assert.equal(subjects.status, 200)
  assert.ok(Array.isArray(await subjects.json()))
})
