import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  DescribeClusterApi, FetchApi, ListOffsetsApi, MetadataApi, OffsetForLeaderEpochApi, ProduceApi, encodeRequest, encodeResponse
} from '../../src/index.js'
import { roundTripRequest, roundTripResponse, testEveryVersion } from './roundtrip.js'
import { hex, loose } from './golden.js'

// Broker core: every version of each API round-trips (see roundtrip.ts).
for (const api of [ProduceApi, FetchApi, ListOffsetsApi, MetadataApi, OffsetForLeaderEpochApi, DescribeClusterApi]) {
  testEveryVersion(api)
}

// Golden frames, written out by hand from the protocol guide, catch mistakes that encode and decode share.

test('golden: Metadata v0 request for one topic', () => {
  const frame = Buffer.concat(encodeRequest(MetadataApi, 0, 1, 'c', loose({ topics: [{ name: 'foo' }] })))
  assert.deepEqual(frame, Buffer.concat([
    hex('00000014'), // size 20
    hex('0003 0000 00000001'), // apiKey 3, version 0, correlationId 1
    hex('0001 63'), // clientId "c" with an int16 length
    hex('00000001'), // topics: int32 count
    hex('0003 666f6f') // name "foo"
  ]))
})

test('golden: Produce v3 request (classic header, null transactionalId, one batch)', () => {
  const frame = Buffer.concat(encodeRequest(ProduceApi, 3, 7, null, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from([1, 2, 3]) }] }]
  }))
  const expected = Buffer.concat([
    hex('00000028'), // size 40
    hex('0000 0003 00000007 ffff'), // apiKey 0, version 3, correlationId 7, clientId null
    hex('ffff'), // transactionalId null
    hex('ffff 00007530'), // acks -1, timeoutMs 30000
    hex('00000001 0001 74'), // one topic "t"
    hex('00000001 00000000'), // one partition, index 0
    hex('00000003 010203') // records: int32 length + bytes
  ])
  assert.deepEqual(frame, expected)
})

test('golden: Metadata v9 request (header v2, compact encodings, tagged-field sections)', () => {
  const frame = Buffer.concat(encodeRequest(MetadataApi, 9, 2, 'c', loose({
    topics: [{ name: 'foo' }],
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: true
  })))
  const expected = Buffer.concat([
    hex('00000016'), // size 22
    hex('0003 0009 00000002 0001 63'), // header v2 keeps an int16-length clientId
    hex('00'), // header tagged fields
    hex('02'), // compact array: 1 topic
    hex('04 666f6f 00'), // compact string "foo", topic tagged fields
    hex('01 00 01'), // allowAuto, includeCluster, includeTopic
    hex('00') // body tagged fields
  ])
  assert.deepEqual(frame, expected)
})

test('golden: Produce v10 response with tagged currentLeader and nodeEndpoints', () => {
  const frame = Buffer.concat(encodeResponse(ProduceApi, 10, 9, {
    responses: [{
      name: 't',
      partitionResponses: [{
        index: 0,
        errorCode: 6,
        baseOffset: -1,
        logAppendTimeMs: -1,
        logStartOffset: -1,
        recordErrors: [],
        errorMessage: null,
        currentLeader: { leaderId: 1, leaderEpoch: 5 }
      }]
    }],
    throttleTimeMs: 0,
    nodeEndpoints: [{ nodeId: 1, host: 'h', port: 9092, rack: null }]
  }))
  const body = Buffer.concat([
    hex('00000009 00'), // correlationId, response header v1 tagged fields
    hex('02 0274 02'), // 1 topic "t", 1 partition
    hex('00000000 0006'), // index 0, NOT_LEADER_OR_FOLLOWER
    hex('ffffffffffffffff'.repeat(3)), // baseOffset, logAppendTimeMs, logStartOffset
    hex('01 00'), // recordErrors [], errorMessage null
    hex('01 00 09 00000001 00000005 00'), // 1 tagged field: tag 0, 9 bytes: leaderId, leaderEpoch, struct tags
    hex('00'), // topic tagged fields
    hex('00000000'), // throttleTimeMs
    hex('01 00 0d'), // 1 tagged field: tag 0, 13 bytes
    hex('02 00000001 0268 00002384 00 00') // 1 endpoint: nodeId 1, host "h", port 9092, rack null, struct tags
  ])
  assert.deepEqual(frame, Buffer.concat([hex((body.length).toString(16).padStart(8, '0')), body]))
})

test('golden: ListOffsets v0 response keeps the old offsets array', () => {
  const frame = Buffer.concat(encodeResponse(ListOffsetsApi, 0, 3, loose({
    topics: [{ name: 'a', partitions: [{ partitionIndex: 2, errorCode: 0, oldStyleOffsets: [5, 2 ** 40] }] }]
  })))
  assert.deepEqual(frame, hex(
    '00000029' + '00000003' + // size 41, correlationId
    '00000001 0001 61' + // one topic "a"
    '00000001 00000002 0000' + // one partition: index 2, no error
    '00000002 0000000000000005 0000010000000000' // two int64 offsets
  ))
})

test('absent fields decode to Kafka defaults (Fetch v3 response, Metadata v0 response)', () => {
  const fetch = roundTripResponse(FetchApi, 3, { responses: [{ topic: 'x', partitions: [{ partitionIndex: 0, highWatermark: 10, records: Buffer.alloc(0) }] }] })
  const partition = (fetch.responses as Array<{ partitions: Array<Record<string, unknown>> }>)[0]!.partitions[0]!
  assert.equal(partition.lastStableOffset, -1)
  assert.equal(partition.logStartOffset, -1)
  assert.equal(partition.preferredReadReplica, -1)
  assert.deepEqual(partition.abortedTransactions, [])
  assert.deepEqual(partition.currentLeader, { leaderId: -1, leaderEpoch: -1 })
  const metadata = roundTripResponse(MetadataApi, 0, { brokers: [], topics: [] })
  assert.equal(metadata.controllerId, -1)
  assert.equal(metadata.clusterId, null)
  assert.equal(metadata.clusterAuthorizedOperations, -2147483648)
})

test('Metadata v1+ distinguishes a null topic list (all topics) from an empty one', () => {
  assert.equal(roundTripRequest(MetadataApi, 1, { topics: null }).topics, null)
  assert.deepEqual(roundTripRequest(MetadataApi, 1, { topics: [] }).topics, [])
  assert.throws(() => encodeRequest(MetadataApi, 0, 1, null, { topics: null }), /not nullable/)
})

test('Fetch v13+ addresses topics by id; the name is not on the wire', () => {
  const id = '0123456789abcdef0123456789abcdef'.replace(/(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5')
  const decoded = roundTripRequest(FetchApi, 13, { maxWaitMs: 500, topics: [{ topic: 'ignored', topicId: id, partitions: [] }] })
  assert.deepEqual(decoded.topics, [{ topic: '', topicId: id, partitions: [] }])
})

test('OffsetForLeaderEpoch and DescribeCluster defaults', () => {
  assert.equal(roundTripRequest(OffsetForLeaderEpochApi, 2, { topics: [] }).replicaId, -2)
  assert.equal(roundTripRequest(DescribeClusterApi, 0, {}).endpointType, 1)
})
