import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  AlterConfigsApi, CreatePartitionsApi, CreateTopicsApi, DeleteRecordsApi, DeleteTopicsApi, DescribeConfigsApi,
  DescribeLogDirsApi, IncrementalAlterConfigsApi, encodeResponse
} from '../../src/index.js'
import { roundTripRequest, roundTripResponse, testEveryVersion } from './roundtrip.js'
import { framed, hex, loose } from './golden.js'

// Admin: every version of each API round-trips (see roundtrip.ts).
for (const api of [
  CreateTopicsApi, DeleteTopicsApi, CreatePartitionsApi, DescribeConfigsApi, AlterConfigsApi,
  IncrementalAlterConfigsApi, DeleteRecordsApi, DescribeLogDirsApi
]) {
  testEveryVersion(api)
}

test('CreateTopics v5 response: topicConfigErrorCode travels as tagged field 0 only when set', () => {
  const topic = { name: 't', errorCode: 0, errorMessage: null, numPartitions: 1, replicationFactor: 1, configs: [] }
  const plain = Buffer.concat(encodeResponse(CreateTopicsApi, 5, 1, loose({ topics: [{ ...topic, topicConfigErrorCode: 0 }] })))
  const tagged = Buffer.concat(encodeResponse(CreateTopicsApi, 5, 1, loose({ topics: [{ ...topic, topicConfigErrorCode: 29 }] })))
  // 4 more bytes in the topic's tag section: tag 0, size 2, int16 29 (the count byte is there in both)
  assert.equal(tagged.length, plain.length + 4)
  // each frame ends with the topic's tag section, then the response's (empty) one
  assert.deepEqual(tagged.subarray(-6), hex('01 00 02 001d 00'))
  assert.deepEqual(plain.subarray(-2), hex('00 00'))
  assert.equal((roundTripResponse(CreateTopicsApi, 5, loose({ topics: [{ ...topic, topicConfigErrorCode: 29 }] })).topics as Array<Record<string, unknown>>)[0]!.topicConfigErrorCode, 29)
})

test('DeleteTopics v6 request addresses a topic by id with a null name', () => {
  const id = '00112233-4455-6677-8899-aabbccddeeff'
  const decoded = roundTripRequest(DeleteTopicsApi, 6, loose({ topics: [{ name: null, topicId: id }], timeoutMs: 1000 }))
  assert.deepEqual(decoded, { topics: [{ name: null, topicId: id }], topicNames: [], timeoutMs: 1000 })
})

test('DescribeConfigs v0 keeps isDefault, v1+ configSource; null configurationKeys means all', () => {
  const request = roundTripRequest(DescribeConfigsApi, 0, loose({ resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }] }))
  assert.equal((request.resources as Array<Record<string, unknown>>)[0]!.configurationKeys, null)
  const config = { name: 'retention.ms', value: '1', readOnly: false, isDefault: true, configSource: 1, isSensitive: false, synonyms: [], configType: 0, documentation: null }
  const v0 = roundTripResponse(DescribeConfigsApi, 0, loose({ results: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't', configs: [config] }] }))
  const v0config = (v0.results as Array<{ configs: Array<Record<string, unknown>> }>)[0]!.configs[0]!
  assert.equal(v0config.isDefault, true)
  assert.equal(v0config.configSource, -1)
  assert.equal(v0config.documentation, '')
})

test('golden: CreatePartitions v0 response; null assignments in the request', () => {
  const frame = Buffer.concat(encodeResponse(CreatePartitionsApi, 0, 4, loose({ throttleTimeMs: 0, results: [{ name: 't', errorCode: 37, errorMessage: null }] })))
  assert.deepEqual(frame, framed('00000004', '00000000 00000001 0001 74', '0025 ffff'))
  const decoded = roundTripRequest(CreatePartitionsApi, 0, loose({ topics: [{ name: 't', count: 3, assignments: null }], timeoutMs: 10, validateOnly: false }))
  assert.equal((decoded.topics as Array<Record<string, unknown>>)[0]!.assignments, null)
})
