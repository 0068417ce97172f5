/**
 * Debian's confluent-kafka Python client, unchanged, against our server (python/registry_golden.py): its
 * SchemaRegistryClient calls, its JSON and PROTOBUF serializers (the latter registers a base64
 * FileDescriptorProto), AVRO bytes from python3-avro; then Python decodes what we encode.
 * confluent-kafka 1.7 writes protobuf message indexes as *unsigned* varints (fixed upstream in 1.8): equal to the
 * zigzag form for the first message (0x00), different otherwise — our deserializer reads it with indexEncoding 'unsigned'.
 * Skipped when /usr/bin/python3 lacks the modules (apt: python3-confluent-kafka python3-requests python3-avro
 * python3-jsonschema python3-protobuf).
 */
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { promisify } from 'node:util'
import { RegistryClient, SchemaDeserializer, SchemaSerializer, type RunningRegistry } from '../../src/index.js'
import { startBroker, startTestRegistry, type TestBroker } from '../helpers.js'

const PYTHON = process.env.SAMSA_PYTHON ?? '/usr/bin/python3'
const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'python', 'registry_golden.py')
const probe = spawnSync(PYTHON, ['-c', 'import confluent_kafka.schema_registry.protobuf, confluent_kafka.schema_registry.json_schema, avro.io'], { encoding: 'utf8' })
const skip = probe.status === 0 ? false : `python modules missing: ${(probe.stderr ?? '').trim().split('\n').at(-1) ?? ''}`

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))
// The script must run asynchronously: the registry answering it lives in this process.
const python = async (...args: string[]): Promise<any> => JSON.parse((await promisify(execFile)(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', timeout: 60_000 })).stdout)

let broker: TestBroker
let registry: RunningRegistry

before(async () => {
  if (skip !== false) return
  broker = await startBroker()
  registry = await startTestRegistry(broker)
})
after(async () => {
  if (skip !== false) return
  await registry.close()
  await broker.stop()
})

test('the Python client registers, looks up and serializes; we decode; Python decodes ours', { skip }, async () => {
  const fromPython = await python('encode', registry.url)
  assert.deepEqual(fromPython.avro_latest, { id: fromPython.avro.id, version: 1, subject: 'py-avro-value' })
  assert.equal(fromPython.avro_lookup, fromPython.avro.id)
  assert.deepEqual(fromPython.compat_level_set, { compatibility: 'FULL' })
  assert.equal(fromPython.compat_level, 'FULL')
  assert.equal(fromPython.compatible, true)
  assert.match(fromPython.proto_schema, /message Reading \{\n {2}string device = 1;\n {2}int32 value = 2;\n\}/)

  const client = new RegistryClient({ url: registry.url })
  const deserializer = new SchemaDeserializer({ client })
  const legacy = new SchemaDeserializer({ client, indexEncoding: 'unsigned' })
  const bytes = (hex: string): Buffer => Buffer.from(hex, 'hex')
  assert.deepEqual(plain(await deserializer.deserialize(bytes(fromPython.avro.hex))), { id: 'p-1', age: 42 })
  assert.deepEqual(await deserializer.deserialize(bytes(fromPython.json.hex)), { id: 'v-9', minutes: 30 })
  assert.deepEqual(await deserializer.deserialize(bytes(fromPython.proto.hex)), { device: 'd-7', value: 120 })
  assert.deepEqual(await legacy.deserialize(bytes(fromPython.proto_other.hex)), { note: 'second' })

  // Golden bytes: AVRO identical to python3-avro's; PROTOBUF (first message) identical to confluent-kafka's.
  const avroSchema = (await client.schemaById(fromPython.avro.id)).schema
  const ourAvro = await new SchemaSerializer({ client, schemaType: 'AVRO', schema: avroSchema }).serialize('py-avro', { id: 'p-1', age: 42 })
  assert.equal(ourAvro.toString('hex'), fromPython.avro.hex)
  const protoSchema = fromPython.proto_schema as string
  const ourProto = await new SchemaSerializer({ client, schemaType: 'PROTOBUF', schema: protoSchema }).serialize('py-proto', { device: 'd-7', value: 120 })
  assert.equal(ourProto.toString('hex'), fromPython.proto.hex)
  const ourJson = await new SchemaSerializer({ client, schemaType: 'JSON', schema: (await client.latestVersion('py-json-value')).schema }).serialize('py-json', { id: 'v-9', minutes: 30 })

  const decoded = await python('decode', registry.url, JSON.stringify({ avro: ourAvro.toString('hex'), json: ourJson.toString('hex'), proto: ourProto.toString('hex') }))
  assert.deepEqual(decoded, { avro: { id: 'p-1', age: 42 }, json: { id: 'v-9', minutes: 30 }, proto: { device: 'd-7', value: 120 } })
})
