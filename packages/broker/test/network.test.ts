import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiVersionsApi, ErrorCode, MetadataApi, ProduceApi, Writer, decodeResponse, encodeRequest } from '@samsa/protocol'
import { RawClient, startBroker } from './helpers.js'

test('ApiVersions lists exactly the served APIs and spans', async (t) => {
  const server = await startBroker()
  t.after(() => server.stop())
  const client = await RawClient.connect(server.port)
  t.after(() => client.close())
  const response = await client.request(ApiVersionsApi, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' })
  assert.equal(response.errorCode, ErrorCode.NONE)
  const spans = Object.fromEntries(response.apiKeys.map((key) => [key.apiKey, [key.minVersion, key.maxVersion]]))
  const core = { 0: [0, 11], 1: [4, 17], 2: [0, 7], 3: [0, 12], 18: [0, 4], 23: [2, 4], 60: [0, 1] }
  for (const [key, span] of Object.entries(core)) assert.deepEqual(spans[key], span, `API ${key}`)
  assert.deepEqual(response.apiKeys.map((key) => key.apiKey), server.broker.context.handlers.all().map((handler) => handler.api.key))
})

test('ApiVersions in an unknown version gets a v0 UNSUPPORTED_VERSION answer and the connection stays usable', async (t) => {
  const server = await startBroker()
  t.after(() => server.stop())
  const client = await RawClient.connect(server.port)
  t.after(() => client.close())
  // Hand-made header: ApiVersions v99, correlation id 42, client id "x", flexible-style tagged fields and body.
  const frame = new Writer().int32(0).int16(18).int16(99).int32(42).string('x', false).uvarint(0).uvarint(0).uvarint(0).uvarint(0).toBuffer()
  frame.writeInt32BE(frame.length - 4, 0)
  client.write(frame)
  const answer = decodeResponse(ApiVersionsApi, 0, await client.nextFrame())
  assert.equal(answer.correlationId, 42)
  assert.equal(answer.body.errorCode, ErrorCode.UNSUPPORTED_VERSION)
  assert.ok(answer.body.apiKeys.some((key) => key.apiKey === 18 && key.maxVersion === 4))
  const retry = await client.request(ApiVersionsApi, 0, {})
  assert.equal(retry.errorCode, ErrorCode.NONE)
})

async function assertClosedAndBrokerAlive (port: number, bytes: Buffer): Promise<void> {
  const bad = await RawClient.connect(port)
  bad.write(bytes)
  await bad.closed
  const good = await RawClient.connect(port)
  try {
    const response = await good.request(MetadataApi, 1, { topics: [] })
    assert.equal(response.brokers.length, 1)
  } finally {
    good.close()
  }
}

test('bad frames close only that connection; the broker keeps serving', async (t) => {
  const server = await startBroker({ 'socket.request.max.bytes': '1048576' })
  t.after(() => server.stop())
  const header = (apiKey: number, version: number): Writer => new Writer().int32(0).int16(apiKey).int16(version).int32(1).string('c', false)
  const sized = (writer: Writer): Buffer => { const b = writer.toBuffer(); b.writeInt32BE(b.length - 4, 0); return b }

  await t.test('unknown API key', () => assertClosedAndBrokerAlive(server.port, sized(header(999, 0))))
  await t.test('unsupported Produce version', () => assertClosedAndBrokerAlive(server.port, sized(header(0, 12))))
  await t.test('frame larger than socket.request.max.bytes', () => assertClosedAndBrokerAlive(server.port, Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3])))
  await t.test('negative frame size', () => assertClosedAndBrokerAlive(server.port, Buffer.from([0xff, 0xff, 0xff, 0xfe])))
  await t.test('garbage bytes', () => assertClosedAndBrokerAlive(server.port, Buffer.concat([Buffer.from([0, 0, 0, 12]), Buffer.from('GET / HTTP/1')])))
  await t.test('truncated body (array length beyond the frame)', () => assertClosedAndBrokerAlive(server.port, sized(header(3, 1).int32(1_000_000))))
  // A null group name (length -1) in DeleteGroups v0, whose names are not nullable: refused when decoded, before a
  // handler could echo it into a reply the encoder would refuse.
  await t.test('null in a field that is not nullable', () => assertClosedAndBrokerAlive(server.port, sized(header(42, 0).int32(1).int16(-1))))
  // Metadata v10–11 carry topic ids but have no null topic name in their response (v12 does): Kafka refuses these.
  await t.test('Metadata v11 naming a topic by id only', () => assertClosedAndBrokerAlive(server.port, Buffer.concat(encodeRequest(MetadataApi, 11, 1, 'c', { topics: [{ name: null, topicId: '6b1a3a5e-3f0a-4c1e-9d4e-0c8f6a2b7d11' }] }))))
})

test('pipelined requests are answered in order, acks=0 produces no response', async (t) => {
  const server = await startBroker()
  t.after(() => server.stop())
  const client = await RawClient.connect(server.port)
  t.after(() => client.close())
  const first = client.send(MetadataApi, 1, { topics: [] })
  client.send(ProduceApi, 3, { acks: 0, timeoutMs: 1000, topicData: [{ name: 'nowhere', partitionData: [{ index: 0, records: Buffer.alloc(3) }] }] })
  const third = client.send(ApiVersionsApi, 2, {})
  assert.equal(decodeResponse(MetadataApi, 1, await client.nextFrame()).correlationId, first)
  assert.equal(decodeResponse(ApiVersionsApi, 2, await client.nextFrame()).correlationId, third)
})

test('Metadata: topic ids are looked up from v12; in v10–11 a topic id is INVALID_REQUEST', async (t) => {
  const server = await startBroker({ 'auto.create.topics.enable': 'false' })
  t.after(() => server.stop())
  const client = await RawClient.connect(server.port)
  t.after(() => client.close())
  const id = '6b1a3a5e-3f0a-4c1e-9d4e-0c8f6a2b7d11'
  const v11 = await client.request(MetadataApi, 11, { topics: [{ name: 'named', topicId: id }], allowAutoTopicCreation: false })
  assert.deepEqual(v11.topics.map((topic) => [topic.name, topic.errorCode]), [['named', ErrorCode.INVALID_REQUEST]])
  const v12 = await client.request(MetadataApi, 12, { topics: [{ name: null, topicId: id }], allowAutoTopicCreation: false })
  assert.deepEqual(v12.topics.map((topic) => [topic.name, topic.topicId, topic.errorCode]), [[null, id, ErrorCode.UNKNOWN_TOPIC_ID]])
})
