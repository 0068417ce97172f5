/**
 * @kafkajs/confluent-schema-registry, unchanged, against our server: register (with its config round-trip),
 * getLatestSchemaId, encode/decode for AVRO, JSON and PROTOBUF; and golden bytes between its serdes and ours.
 * Known divergence: that client writes PROTOBUF payloads without message indexes (Confluent's format has them);
 * it reads ours because it skips leading zero bytes, and our bytes are exactly theirs with the `[0]` index (0x00).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import confluent from '@kafkajs/confluent-schema-registry'
import { RegistryClient, SchemaDeserializer, SchemaSerializer, type RunningRegistry, type SchemaType } from '../../src/index.js'
import { startBroker, startTestRegistry, type TestBroker } from '../helpers.js'

const { SchemaRegistry, SchemaType: TheirType } = confluent as unknown as typeof import('@kafkajs/confluent-schema-registry')

/** avsc decodes records into class instances: compare plain data. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

let broker: TestBroker
let registry: RunningRegistry

before(async () => {
  broker = await startBroker()
  registry = await startTestRegistry(broker)
})
after(async () => {
  await registry.close()
  await broker.stop()
})

const formats: Array<{ type: SchemaType, theirs: unknown, schema: string, value: Record<string, unknown> }> = [
  {
    type: 'AVRO',
    theirs: TheirType.AVRO,
    schema: JSON.stringify({ type: 'record', name: 'Patient', namespace: 'samsa.golden', fields: [{ name: 'id', type: 'string' }, { name: 'age', type: 'int' }, { name: 'tags', type: { type: 'array', items: 'string' } }] }),
    value: { id: 'p-1', age: 42, tags: ['a', 'b'] }
  },
  {
    type: 'JSON',
    theirs: TheirType.JSON,
    schema: JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'Visit', type: 'object', properties: { id: { type: 'string' }, minutes: { type: 'integer' } }, required: ['id'] }),
    value: { id: 'v-9', minutes: 30 }
  },
  {
    type: 'PROTOBUF',
    theirs: TheirType.PROTOBUF,
    schema: 'syntax = "proto3";\npackage samsa.golden;\n\nmessage Reading {\n  string device = 1;\n  int32 value = 2;\n}\n',
    value: { device: 'd-7', value: 120 }
  }
]

for (const format of formats) {
  test(`${format.type}: their client registers and round-trips, and bytes match ours`, async () => {
    const theirs = new SchemaRegistry({ host: registry.url })
    const subject = `golden-${format.type.toLowerCase()}-value`
    const { id } = await theirs.register({ type: format.theirs, schema: format.schema } as never, { subject })
    assert.equal(await theirs.getLatestSchemaId(subject), id)
    assert.equal(await theirs.getRegistryIdBySchema(subject, { type: format.theirs, schema: format.schema } as never), id)

    const client = new RegistryClient({ url: registry.url })
    const serializer = new SchemaSerializer({ client, schemaType: format.type, schema: format.schema })
    const deserializer = new SchemaDeserializer({ client })
    const ours = await serializer.serialize(`golden-${format.type.toLowerCase()}`, format.value)
    assert.equal(ours.readInt32BE(1), id, 'our serializer finds the id their client registered')
    const theirBytes = await theirs.encode(id, format.value)

    if (format.type === 'PROTOBUF') {
      assert.deepEqual(ours, Buffer.concat([theirBytes.subarray(0, 5), Buffer.from([0]), theirBytes.subarray(5)]))
    } else {
      assert.deepEqual(ours, theirBytes, 'identical bytes')
      assert.deepEqual(plain(await deserializer.deserialize(theirBytes)), format.value)
    }
    const decodedByThem = await theirs.decode(ours) as Record<string, unknown>
    assert.deepEqual(JSON.parse(JSON.stringify(decodedByThem)), format.value)
    assert.deepEqual(plain(await deserializer.deserialize(ours)), format.value)
  })
}

test('their register reuses the subject config and sees 409 for incompatible schemas', async () => {
  const theirs = new SchemaRegistry({ host: registry.url })
  const subject = 'golden-avro-value'
  const incompatible = JSON.stringify({ type: 'record', name: 'Patient', namespace: 'samsa.golden', fields: [{ name: 'id', type: 'int' }] })
  await assert.rejects(theirs.register({ type: TheirType.AVRO, schema: incompatible }, { subject }), (error: { status?: number, message: string }) => {
    assert.equal(error.status, 409)
    return true
  })
})
