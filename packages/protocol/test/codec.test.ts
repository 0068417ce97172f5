import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiVersionsApi, Reader, Writer, decodeRequestBody, decodeResponse, encodeRequest, encodeResponse, readRequestHeader, skipHeaderTaggedFields, ProtocolDecodeError } from '../src/index.js'

test('varints round-trip through Writer and Reader', () => {
  const values = [0, 1, -1, 63, -64, 64, 300, -300, 2147483647, -2147483648]
  const writer = new Writer()
  for (const value of values) writer.varint(value)
  writer.uvarint(4294967295)
  const reader = new Reader(writer.toBuffer())
  for (const value of values) assert.equal(reader.varint(), value)
  assert.equal(reader.uvarint(), 4294967295)
  assert.equal(reader.remaining, 0)
})

test('int64 keeps negative and large safe values exact', () => {
  const values = [0, -1, -2, 2 ** 53 - 1, -(2 ** 53), 1_700_000_000_000]
  const writer = new Writer()
  for (const value of values) writer.int64(value)
  const reader = new Reader(writer.toBuffer())
  for (const value of values) assert.equal(reader.int64(), value)
})

test('a truncated frame raises ProtocolDecodeError, never reads past the end', () => {
  const reader = new Reader(Buffer.from([0, 1]))
  assert.throws(() => reader.int32(), ProtocolDecodeError)
  const strings = new Reader(Buffer.from([0, 10, 65]))
  assert.throws(() => strings.string(false), ProtocolDecodeError)
})

test('ApiVersions v3 request carries a v2 header with tagged fields and compact strings', () => {
  const frame = Buffer.concat(encodeRequest(ApiVersionsApi, 3, 7, 'client', { clientSoftwareName: 'samsa', clientSoftwareVersion: '1.0' }))
  assert.equal(frame.readInt32BE(0), frame.length - 4)
  const reader = new Reader(frame, 4)
  const header = readRequestHeader(reader)
  assert.deepEqual(header, { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'client' })
  skipHeaderTaggedFields(reader)
  assert.deepEqual(decodeRequestBody(ApiVersionsApi, 3, reader), { clientSoftwareName: 'samsa', clientSoftwareVersion: '1.0' })
})

test('ApiVersions response header stays v0 and tagged fields round-trip', () => {
  const body = {
    errorCode: 0,
    apiKeys: [{ apiKey: 0, minVersion: 3, maxVersion: 11 }],
    throttleTimeMs: 0,
    supportedFeatures: [{ name: 'x', minVersion: 0, maxVersion: 1 }],
    finalizedFeaturesEpoch: 5,
    finalizedFeatures: [],
    zkMigrationReady: false
  }
  const frame = Buffer.concat(encodeResponse(ApiVersionsApi, 3, 9, body))
  assert.equal(frame.readInt32BE(4), 9)
  // byte 8 is the error code's high byte, not a tagged-field count: the header has no tagged fields
  assert.equal(frame.readInt16BE(8), 0)
  assert.deepEqual(decodeResponse(ApiVersionsApi, 3, frame.subarray(4)).body, body)
})

test('fields absent from a version decode to their defaults', () => {
  const frame = Buffer.concat(encodeResponse(ApiVersionsApi, 0, 1, { errorCode: 35, apiKeys: [] }))
  const { body } = decodeResponse(ApiVersionsApi, 0, frame.subarray(4))
  assert.equal(body.errorCode, 35)
  assert.equal(body.throttleTimeMs, 0)
  assert.equal(body.finalizedFeaturesEpoch, -1)
})
