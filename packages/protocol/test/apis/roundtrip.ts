import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  Reader, compileStruct, decodeRequestBody, decodeResponse, encodeRequest, encodeResponse, isFlexible,
  readRequestHeader, responseHeaderIsFlexible, skipHeaderTaggedFields, type ApiDefinition, type Schema
} from '../../src/index.js'
import { Sampler, defaults, isPresent } from './sample.js'

/** Encodes a request frame and decodes it again as the broker does; checks the header and that no byte is left. */
export function roundTripRequest (api: ApiDefinition, version: number, body: Record<string, unknown>): Record<string, unknown> {
  const frame = Buffer.concat(encodeRequest(api, version, 0x01020304, 'samsa-test', body))
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix')
  const reader = new Reader(frame, 4)
  assert.deepEqual(readRequestHeader(reader), { apiKey: api.key, apiVersion: version, correlationId: 0x01020304, clientId: 'samsa-test' })
  if (isFlexible(api, version)) skipHeaderTaggedFields(reader)
  const decoded = decodeRequestBody(api, version, reader)
  assert.equal(reader.remaining, 0, 'request bytes left over')
  return decoded
}

/** Encodes a response frame and decodes it with decodeResponse; also checks that the body uses every byte. */
export function roundTripResponse (api: ApiDefinition, version: number, body: Record<string, unknown>): Record<string, unknown> {
  const frame = Buffer.concat(encodeResponse(api, version, 77, body))
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix')
  const { correlationId, body: decoded } = decodeResponse(api, version, frame.subarray(4))
  assert.equal(correlationId, 77)
  const reader = new Reader(frame, 8)
  if (responseHeaderIsFlexible(api, version)) skipHeaderTaggedFields(reader)
  compileStruct(api.response, version, isFlexible(api, version)).read(reader)
  assert.equal(reader.remaining, 0, 'response bytes left over')
  return decoded
}

/**
 * Registers one test per valid version of the API: a request and a response with a non-default value in every
 * field of that version, the same with every nullable field null, and an empty body that must decode to defaults.
 * Returns the number of versions covered.
 */
export function testEveryVersion (api: ApiDefinition): number {
  const { min, max } = api.validVersions
  for (let version = min; version <= max; version++) {
    const flexible = isFlexible(api, version)
    test(`${api.name} v${version} (${flexible ? 'flexible' : 'classic'}) round-trips every field`, () => {
      for (const nulls of [false, true]) {
        const label = nulls ? 'with nulls' : 'with values'
        const request = new Sampler(version, flexible, nulls).struct(api.request)
        assert.deepEqual(roundTripRequest(api, version, request), request, `request ${label}`)
        const response = new Sampler(version, flexible, nulls).struct(api.response)
        assert.deepEqual(roundTripResponse(api, version, response), response, `response ${label}`)
      }
      const emptyRequest = emptyCase(api.request, version, flexible)
      assert.deepEqual(roundTripRequest(api, version, emptyRequest.body), emptyRequest.expected, 'empty request')
      const emptyResponse = emptyCase(api.response, version, flexible)
      assert.deepEqual(roundTripResponse(api, version, emptyResponse.body), emptyResponse.expected, 'empty response')
    })
  }
  return max - min + 1
}

/** An empty body must decode to the version's defaults. */
function emptyCase (schema: Schema, _version: number, _flexible: boolean): { body: Record<string, unknown>, expected: Record<string, unknown> } {
  return { body: {}, expected: defaults(schema) }
}
