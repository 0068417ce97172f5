/**
 * The evolution table: schema changes with the expected verdict per compatibility level. `b` = BACKWARD (the new
 * schema reads old data), `f` = FORWARD (the old schema reads new data); FULL = both, NONE = always compatible.
 * Verdicts follow Avro's resolution rules and Confluent's JSON Schema / Protobuf rule sets.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compatibilityMessages, issuesAgainst, providerFor, type CompatibilityLevel, type SchemaType } from '../../src/index.js'

interface Case { name: string, type: SchemaType, old: string, new: string, b: boolean, f: boolean }

const rec = (fields: unknown[], extra: Record<string, unknown> = {}): string => JSON.stringify({ type: 'record', name: 'User', namespace: 'samsa.test', fields, ...extra })
const enm = (symbols: string[], extra: Record<string, unknown> = {}): string => rec([{ name: 'e', type: { type: 'enum', name: 'Color', symbols, ...extra } }])
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}): string => JSON.stringify({ type: 'object', properties, ...extra })
const closed = { additionalProperties: false }
const proto = (body: string, pkg = 'samsa.test', syntax = 'proto3'): string => `syntax = "${syntax}";\npackage ${pkg};\n${body}\n`

const cases: Case[] = [
  // ---- AVRO
  { name: 'avro: field added with default', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }]), new: rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'string', default: '' }]), b: true, f: true },
  { name: 'avro: field added without default', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }]), new: rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }]), b: false, f: true },
  { name: 'avro: field with default removed', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'string', default: '' }]), new: rec([{ name: 'a', type: 'int' }]), b: true, f: true },
  { name: 'avro: field without default removed', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }]), new: rec([{ name: 'a', type: 'int' }]), b: true, f: false },
  { name: 'avro: int promoted to long', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }]), new: rec([{ name: 'a', type: 'long' }]), b: true, f: false },
  { name: 'avro: long demoted to int', type: 'AVRO', old: rec([{ name: 'a', type: 'long' }]), new: rec([{ name: 'a', type: 'int' }]), b: false, f: true },
  { name: 'avro: int promoted to float', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }]), new: rec([{ name: 'a', type: 'float' }]), b: true, f: false },
  { name: 'avro: float promoted to double', type: 'AVRO', old: rec([{ name: 'a', type: 'float' }]), new: rec([{ name: 'a', type: 'double' }]), b: true, f: false },
  { name: 'avro: long promoted to double', type: 'AVRO', old: rec([{ name: 'a', type: 'long' }]), new: rec([{ name: 'a', type: 'double' }]), b: true, f: false },
  { name: 'avro: string to bytes', type: 'AVRO', old: rec([{ name: 'a', type: 'string' }]), new: rec([{ name: 'a', type: 'bytes' }]), b: true, f: true },
  { name: 'avro: int to string', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }]), new: rec([{ name: 'a', type: 'string' }]), b: false, f: false },
  { name: 'avro: enum symbol added', type: 'AVRO', old: enm(['RED', 'GREEN']), new: enm(['RED', 'GREEN', 'BLUE']), b: true, f: false },
  { name: 'avro: enum symbol removed', type: 'AVRO', old: enm(['RED', 'GREEN', 'BLUE']), new: enm(['RED', 'GREEN']), b: false, f: true },
  { name: 'avro: enum symbol removed, reader has enum default', type: 'AVRO', old: enm(['RED', 'GREEN', 'BLUE']), new: enm(['RED', 'GREEN'], { default: 'RED' }), b: true, f: true },
  { name: 'avro: union widened', type: 'AVRO', old: rec([{ name: 'a', type: ['null', 'string'] }]), new: rec([{ name: 'a', type: ['null', 'string', 'int'] }]), b: true, f: false },
  { name: 'avro: union narrowed', type: 'AVRO', old: rec([{ name: 'a', type: ['null', 'string', 'int'] }]), new: rec([{ name: 'a', type: ['null', 'string'] }]), b: false, f: true },
  { name: 'avro: type made nullable (union)', type: 'AVRO', old: rec([{ name: 'a', type: 'string' }]), new: rec([{ name: 'a', type: ['null', 'string'], default: null }]), b: true, f: false },
  { name: 'avro: optional field added (null default)', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }]), new: rec([{ name: 'a', type: 'int' }, { name: 'n', type: ['null', 'string'], default: null }]), b: true, f: true },
  { name: 'avro: field renamed with alias', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }]), new: rec([{ name: 'b', type: 'int', aliases: ['a'] }]), b: true, f: false },
  { name: 'avro: record renamed', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }]), new: rec([{ name: 'a', type: 'int' }], { name: 'Person' }), b: false, f: false },
  { name: 'avro: record renamed with alias', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }]), new: rec([{ name: 'a', type: 'int' }], { name: 'Person', aliases: ['samsa.test.User'] }), b: true, f: false },
  { name: 'avro: default value changed', type: 'AVRO', old: rec([{ name: 'a', type: 'int', default: 1 }]), new: rec([{ name: 'a', type: 'int', default: 2 }]), b: true, f: true },
  { name: 'avro: doc added', type: 'AVRO', old: rec([{ name: 'a', type: 'int' }]), new: rec([{ name: 'a', type: 'int', doc: 'the a' }], { doc: 'users' }), b: true, f: true },
  { name: 'avro: array items promoted', type: 'AVRO', old: rec([{ name: 'a', type: { type: 'array', items: 'int' } }]), new: rec([{ name: 'a', type: { type: 'array', items: 'long' } }]), b: true, f: false },
  { name: 'avro: map values changed', type: 'AVRO', old: rec([{ name: 'a', type: { type: 'map', values: 'string' } }]), new: rec([{ name: 'a', type: { type: 'map', values: 'int' } }]), b: false, f: false },
  { name: 'avro: fixed size changed', type: 'AVRO', old: rec([{ name: 'a', type: { type: 'fixed', name: 'Id', size: 8 } }]), new: rec([{ name: 'a', type: { type: 'fixed', name: 'Id', size: 16 } }]), b: false, f: false },
  { name: 'avro: nested record field added without default', type: 'AVRO', old: rec([{ name: 'addr', type: { type: 'record', name: 'Addr', fields: [{ name: 'city', type: 'string' }] } }]), new: rec([{ name: 'addr', type: { type: 'record', name: 'Addr', fields: [{ name: 'city', type: 'string' }, { name: 'zip', type: 'string' }] } }]), b: false, f: true },

  // ---- JSON Schema (open content model unless additionalProperties says otherwise)
  { name: 'json: optional property added to open model', type: 'JSON', old: obj({ a: { type: 'string' } }), new: obj({ a: { type: 'string' }, b: { type: 'integer' } }), b: false, f: true },
  { name: 'json: optional property added to closed model', type: 'JSON', old: obj({ a: { type: 'string' } }, closed), new: obj({ a: { type: 'string' }, b: { type: 'integer' } }, closed), b: true, f: false },
  { name: 'json: property removed from open model', type: 'JSON', old: obj({ a: { type: 'string' }, b: { type: 'integer' } }), new: obj({ a: { type: 'string' } }), b: true, f: false },
  { name: 'json: property removed from closed model', type: 'JSON', old: obj({ a: { type: 'string' }, b: { type: 'integer' } }, closed), new: obj({ a: { type: 'string' } }, closed), b: false, f: true },
  { name: 'json: property with empty schema added to open model', type: 'JSON', old: obj({ a: { type: 'string' } }), new: obj({ a: { type: 'string' }, b: {} }), b: true, f: true },
  { name: 'json: required property added', type: 'JSON', old: obj({ a: { type: 'string' } }, closed), new: obj({ a: { type: 'string' } }, { ...closed, required: ['a'] }), b: false, f: true },
  { name: 'json: required property with default added', type: 'JSON', old: obj({ a: { type: 'string', default: 'x' } }, closed), new: obj({ a: { type: 'string', default: 'x' } }, { ...closed, required: ['a'] }), b: true, f: true },
  { name: 'json: type made nullable', type: 'JSON', old: obj({ a: { type: 'string' } }), new: obj({ a: { type: ['string', 'null'] } }), b: true, f: false },
  { name: 'json: integer widened to number', type: 'JSON', old: obj({ a: { type: 'integer' } }), new: obj({ a: { type: 'number' } }), b: true, f: false },
  { name: 'json: string changed to integer', type: 'JSON', old: obj({ a: { type: 'string' } }), new: obj({ a: { type: 'integer' } }), b: false, f: false },
  { name: 'json: maxLength added', type: 'JSON', old: obj({ a: { type: 'string' } }), new: obj({ a: { type: 'string', maxLength: 10 } }), b: false, f: true },
  { name: 'json: maxLength increased', type: 'JSON', old: obj({ a: { type: 'string', maxLength: 10 } }), new: obj({ a: { type: 'string', maxLength: 20 } }), b: true, f: false },
  { name: 'json: minimum decreased', type: 'JSON', old: obj({ a: { type: 'integer', minimum: 5 } }), new: obj({ a: { type: 'integer', minimum: 0 } }), b: true, f: false },
  { name: 'json: pattern added', type: 'JSON', old: obj({ a: { type: 'string' } }), new: obj({ a: { type: 'string', pattern: '^[0-9]+$' } }), b: false, f: true },
  { name: 'json: enum extended', type: 'JSON', old: obj({ a: { enum: ['x', 'y'] } }), new: obj({ a: { enum: ['x', 'y', 'z'] } }), b: true, f: false },
  { name: 'json: enum narrowed', type: 'JSON', old: obj({ a: { enum: ['x', 'y', 'z'] } }), new: obj({ a: { enum: ['x', 'y'] } }), b: false, f: true },
  { name: 'json: additionalProperties narrowed to false', type: 'JSON', old: obj({ a: { type: 'string' } }), new: obj({ a: { type: 'string' } }, closed), b: false, f: true },
  { name: 'json: additionalProperties narrowed to a schema', type: 'JSON', old: obj({ a: { type: 'string' } }), new: obj({ a: { type: 'string' } }, { additionalProperties: { type: 'string' } }), b: false, f: true },
  { name: 'json: property added, covered by partially open model', type: 'JSON', old: obj({ a: { type: 'string' } }, { additionalProperties: { type: 'string' } }), new: obj({ a: { type: 'string' }, b: { type: 'string' } }, { additionalProperties: { type: 'string' } }), b: true, f: true },
  { name: 'json: description changed', type: 'JSON', old: obj({ a: { type: 'string', description: 'x' } }), new: obj({ a: { type: 'string', description: 'y' } }), b: true, f: true },
  { name: 'json: array items made nullable', type: 'JSON', old: obj({ a: { type: 'array', items: { type: 'string' } } }), new: obj({ a: { type: 'array', items: { type: ['string', 'null'] } } }), b: true, f: false },
  { name: 'json: oneOf branch added', type: 'JSON', old: obj({ a: { oneOf: [{ type: 'string' }, { type: 'integer' }] } }), new: obj({ a: { oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'boolean' }] } }), b: true, f: false },
  { name: 'json: nested property type changed', type: 'JSON', old: obj({ o: { type: 'object', properties: { x: { type: 'string' } } } }), new: obj({ o: { type: 'object', properties: { x: { type: 'integer' } } } }), b: false, f: false },
  { name: 'json: draft 2020-12 identical', type: 'JSON', old: JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }), new: JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', title: 'T' }), b: true, f: true },

  // tuples, dependencies, conditionals, patternProperties
  { name: 'json: tuple item added to a closed tuple', type: 'JSON', old: obj({ t: { type: 'array', items: [{ type: 'string' }], additionalItems: false } }), new: obj({ t: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }], additionalItems: false } }), b: true, f: false },
  { name: 'json: tuple item added to an open tuple', type: 'JSON', old: obj({ t: { type: 'array', items: [{ type: 'string' }] } }), new: obj({ t: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] } }), b: false, f: true },
  { name: 'json: tuple item type changed', type: 'JSON', old: obj({ t: { type: 'array', items: [{ type: 'string' }] } }), new: obj({ t: { type: 'array', items: [{ type: 'integer' }] } }), b: false, f: false },
  { name: 'json: 2020-12 prefixItems item added, covered by items', type: 'JSON', old: JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'integer' }], items: { type: 'string' } }), new: JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'integer' }, { type: 'string' }], items: { type: 'string' } }), b: true, f: true },
  { name: 'json: additional tuple items forbidden', type: 'JSON', old: obj({ t: { type: 'array', items: [{ type: 'string' }] } }), new: obj({ t: { type: 'array', items: [{ type: 'string' }], additionalItems: false } }), b: false, f: true },
  { name: 'json: property dependency added', type: 'JSON', old: obj({ a: { type: 'string' }, b: { type: 'string' } }), new: obj({ a: { type: 'string' }, b: { type: 'string' } }, { dependencies: { a: ['b'] } }), b: false, f: true },
  { name: 'json: property dependency extended', type: 'JSON', old: obj({ a: { type: 'string' } }, { dependencies: { a: ['b'] } }), new: obj({ a: { type: 'string' } }, { dependencies: { a: ['b', 'c'] } }), b: false, f: true },
  { name: 'json: schema dependency removed (2019-09 dependentSchemas)', type: 'JSON', old: JSON.stringify({ $schema: 'https://json-schema.org/draft/2019-09/schema', type: 'object', dependentSchemas: { a: { required: ['b'] } } }), new: JSON.stringify({ $schema: 'https://json-schema.org/draft/2019-09/schema', type: 'object' }), b: true, f: false },
  { name: 'json: if/then/else added', type: 'JSON', old: obj({ kind: { type: 'string' } }), new: obj({ kind: { type: 'string' } }, { if: { properties: { kind: { const: 'x' } } }, then: { required: ['a'] } }), b: false, f: true },
  { name: 'json: then branch relaxed (same condition)', type: 'JSON', old: obj({ kind: { type: 'string' } }, { if: { properties: { kind: { const: 'x' } } }, then: { required: ['a'] } }), new: obj({ kind: { type: 'string' } }, { if: { properties: { kind: { const: 'x' } } }, then: {} }), b: true, f: false },
  { name: 'json: if condition changed', type: 'JSON', old: obj({ kind: { type: 'string' } }, { if: { properties: { kind: { const: 'x' } } }, then: { required: ['a'] } }), new: obj({ kind: { type: 'string' } }, { if: { properties: { kind: { const: 'y' } } }, then: { required: ['a'] } }), b: false, f: false },
  { name: 'json: property added, covered by patternProperties of a closed model', type: 'JSON', old: obj({ a: { type: 'string' } }, { patternProperties: { '^x_': { type: 'string' } }, additionalProperties: false }), new: obj({ a: { type: 'string' }, x_1: { type: 'string' } }, { patternProperties: { '^x_': { type: 'string' } }, additionalProperties: false }), b: true, f: true },
  { name: 'json: property outside patternProperties added to an open model', type: 'JSON', old: obj({ a: { type: 'string' } }, { patternProperties: { '^x_': { type: 'string' } } }), new: obj({ a: { type: 'string' }, b: { type: 'integer' } }, { patternProperties: { '^x_': { type: 'string' } } }), b: false, f: true },

  // ---- PROTOBUF
  { name: 'proto: field added', type: 'PROTOBUF', old: proto('message M { string a = 1; }'), new: proto('message M { string a = 1; int32 b = 2; }'), b: true, f: true },
  { name: 'proto: field removed', type: 'PROTOBUF', old: proto('message M { string a = 1; int32 b = 2; }'), new: proto('message M { string a = 1; }'), b: true, f: true },
  { name: 'proto: field renamed', type: 'PROTOBUF', old: proto('message M { string a = 1; }'), new: proto('message M { string renamed = 1; }'), b: true, f: true },
  { name: 'proto: int32 to int64', type: 'PROTOBUF', old: proto('message M { int32 a = 1; }'), new: proto('message M { int64 a = 1; }'), b: true, f: true },
  { name: 'proto: int32 to string', type: 'PROTOBUF', old: proto('message M { int32 a = 1; }'), new: proto('message M { string a = 1; }'), b: false, f: false },
  { name: 'proto: int32 to sint32', type: 'PROTOBUF', old: proto('message M { int32 a = 1; }'), new: proto('message M { sint32 a = 1; }'), b: false, f: false },
  { name: 'proto: string to bytes', type: 'PROTOBUF', old: proto('message M { string a = 1; }'), new: proto('message M { bytes a = 1; }'), b: true, f: true },
  { name: 'proto: fixed32 to sfixed32', type: 'PROTOBUF', old: proto('message M { fixed32 a = 1; }'), new: proto('message M { sfixed32 a = 1; }'), b: true, f: true },
  { name: 'proto: message removed', type: 'PROTOBUF', old: proto('message M { string a = 1; }\nmessage N { string b = 1; }'), new: proto('message M { string a = 1; }'), b: false, f: true },
  { name: 'proto: message added', type: 'PROTOBUF', old: proto('message M { string a = 1; }'), new: proto('message M { string a = 1; }\nmessage N { string b = 1; }'), b: true, f: false },
  { name: 'proto: package changed', type: 'PROTOBUF', old: proto('message M { string a = 1; }'), new: proto('message M { string a = 1; }', 'samsa.other'), b: false, f: false },
  { name: 'proto: field number reused with another type', type: 'PROTOBUF', old: proto('message M { string a = 1; string b = 2; }'), new: proto('message M { string a = 1; int32 c = 2; }'), b: false, f: false },
  { name: 'proto: enum value added', type: 'PROTOBUF', old: proto('message M { E e = 1; }\nenum E { A = 0; B = 1; }'), new: proto('message M { E e = 1; }\nenum E { A = 0; B = 1; C = 2; }'), b: true, f: true },
  { name: 'proto: enum to int32', type: 'PROTOBUF', old: proto('message M { E e = 1; }\nenum E { A = 0; }'), new: proto('message M { int32 e = 1; }\nenum E { A = 0; }'), b: true, f: true },
  { name: 'proto: repeated int32 to singular', type: 'PROTOBUF', old: proto('message M { repeated int32 a = 1; }'), new: proto('message M { int32 a = 1; }'), b: false, f: false },
  { name: 'proto: repeated string to singular', type: 'PROTOBUF', old: proto('message M { repeated string a = 1; }'), new: proto('message M { string a = 1; }'), b: true, f: true },
  { name: 'proto: field message type changed', type: 'PROTOBUF', old: proto('message M { A x = 1; }\nmessage A { string s = 1; }\nmessage B { string s = 1; }'), new: proto('message M { B x = 1; }\nmessage A { string s = 1; }\nmessage B { string s = 1; }'), b: false, f: false },
  { name: 'proto: one field moved into a new oneof', type: 'PROTOBUF', old: proto('message M { string a = 1; int32 b = 2; }'), new: proto('message M { oneof o { string a = 1; } int32 b = 2; }'), b: true, f: true },
  { name: 'proto: two fields moved into a new oneof', type: 'PROTOBUF', old: proto('message M { string a = 1; int32 b = 2; }'), new: proto('message M { oneof o { string a = 1; int32 b = 2; } }'), b: false, f: true },
  { name: 'proto: oneof field removed', type: 'PROTOBUF', old: proto('message M { oneof o { string a = 1; int32 b = 2; } }'), new: proto('message M { oneof o { string a = 1; } }'), b: false, f: true },
  { name: 'proto: proto2 required field added', type: 'PROTOBUF', old: proto('message M { optional string a = 1; }', 'samsa.test', 'proto2'), new: proto('message M { optional string a = 1; required int32 b = 2; }', 'samsa.test', 'proto2'), b: false, f: false },
  { name: 'proto: nested message field type changed', type: 'PROTOBUF', old: proto('message M { message N { int32 x = 1; } N n = 1; }'), new: proto('message M { message N { string x = 1; } N n = 1; }'), b: false, f: false },
  { name: 'proto: map value int32 to int64', type: 'PROTOBUF', old: proto('message M { map<string, int32> m = 1; }'), new: proto('message M { map<string, int64> m = 1; }'), b: true, f: true },
  { name: 'proto: map value int32 to string', type: 'PROTOBUF', old: proto('message M { map<string, int32> m = 1; }'), new: proto('message M { map<string, string> m = 1; }'), b: false, f: false }
]

const verdict = (level: CompatibilityLevel, c: Case): boolean => {
  const provider = providerFor(c.type)
  return issuesAgainst(level, provider.parse(c.new, []), provider.parse(c.old, [])).length === 0
}

test('the evolution table has at least 60 cases', () => {
  assert.ok(cases.length >= 60, `only ${cases.length} cases`)
})

for (const c of cases) {
  test(`evolution: ${c.name}`, () => {
    const expected: Record<CompatibilityLevel, boolean> = {
      NONE: true, BACKWARD: c.b, BACKWARD_TRANSITIVE: c.b, FORWARD: c.f, FORWARD_TRANSITIVE: c.f, FULL: c.b && c.f, FULL_TRANSITIVE: c.b && c.f
    }
    for (const level of Object.keys(expected) as CompatibilityLevel[]) {
      assert.equal(verdict(level, c), expected[level], `${level}: expected ${expected[level] ? 'compatible' : 'incompatible'}`)
    }
  })
}

test('transitive levels check every version, the others only the latest', () => {
  const avro = providerFor('AVRO')
  const v1 = rec([{ name: 'f', type: 'int' }])
  const v2 = rec([])
  const v3 = rec([{ name: 'f', type: 'string', default: 'x' }])
  const previous = [v1, v2].map((text, i) => ({ version: i + 1, schema: avro.parse(text, []), text }))
  const candidate = avro.parse(v3, [])
  assert.deepEqual(compatibilityMessages('BACKWARD', candidate, previous), [])
  const messages = compatibilityMessages('BACKWARD_TRANSITIVE', candidate, previous)
  assert.ok(messages.length > 0)
  assert.ok(messages.some((m) => m === JSON.stringify({ oldSchemaVersion: 1 })), messages.join('\n'))
  assert.ok(messages.includes(JSON.stringify({ compatibility: 'BACKWARD_TRANSITIVE' })))
})
