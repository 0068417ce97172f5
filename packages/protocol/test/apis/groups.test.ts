import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ConsumerGroupDescribeApi, ConsumerGroupHeartbeatApi, DeleteGroupsApi, DescribeGroupsApi, FindCoordinatorApi,
  HeartbeatApi, JoinGroupApi, LeaveGroupApi, ListGroupsApi, OffsetCommitApi, OffsetDeleteApi, OffsetFetchApi,
  SyncGroupApi, encodeResponse
} from '../../src/index.js'
import { roundTripRequest, roundTripResponse, testEveryVersion } from './roundtrip.js'
import { framed, hex, loose } from './golden.js'

// Consumer groups: every version of each API round-trips (see roundtrip.ts).
for (const api of [
  FindCoordinatorApi, JoinGroupApi, HeartbeatApi, LeaveGroupApi, SyncGroupApi, OffsetCommitApi, OffsetFetchApi,
  DescribeGroupsApi, ListGroupsApi, DeleteGroupsApi, OffsetDeleteApi, ConsumerGroupHeartbeatApi, ConsumerGroupDescribeApi
]) {
  testEveryVersion(api)
}


test('OffsetFetch v2+ keeps a null topic list (all partitions of the group)', () => {
  assert.equal(roundTripRequest(OffsetFetchApi, 2, { groupId: 'g', topics: null }).topics, null)
  assert.deepEqual(roundTripRequest(OffsetFetchApi, 1, { groupId: 'g' }).topics, [])
})

test('OffsetCommit committedMetadata null survives and defaults are -1 where Kafka says so', () => {
  const decoded = roundTripRequest(OffsetCommitApi, 1, loose({
    groupId: 'g', memberId: 'm', topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: null }] }]
  }))
  assert.deepEqual(decoded, {
    groupId: 'g',
    generationIdOrMemberEpoch: -1,
    memberId: 'm',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }]
  })
})

test('golden: JoinGroup v0 response (classic header and encodings)', () => {
  const join = Buffer.concat(encodeResponse(JoinGroupApi, 0, 1, loose({
    errorCode: 0, generationId: 2, protocolName: 'r', leader: 'm', memberId: 'm', members: [{ memberId: 'm', metadata: Buffer.from([9]) }]
  })))
  assert.deepEqual(join, Buffer.concat([
    hex('0000001f 00000001'), // size 31, correlationId (response header v0)
    hex('0000 00000002'), // errorCode, generationId
    hex('0001 72 0001 6d 0001 6d'), // protocolName "r", leader "m", memberId "m"
    hex('00000001 0001 6d 00000001 09') // one member: memberId "m", metadata bytes (int32 length)
  ]))
})

test('golden: ConsumerGroupHeartbeat v0 response with an assignment', () => {
  const topicId = '00112233-4455-6677-8899-aabbccddeeff'
  const frame = Buffer.concat(encodeResponse(ConsumerGroupHeartbeatApi, 0, 1, {
    throttleTimeMs: 0, errorCode: 0, errorMessage: null, memberId: 'm', memberEpoch: 3, heartbeatIntervalMs: 5000,
    assignment: { topicPartitions: [{ topicId, partitions: [0] }] }
  }))
  const body = Buffer.concat([
    hex('00000001 00'), // correlationId, header tagged fields
    hex('00000000 0000 00 026d'), // throttle, errorCode, errorMessage null, memberId "m"
    hex('00000003 00001388'), // memberEpoch 3, heartbeatIntervalMs 5000
    hex('01'), // nullable struct marker: present
    hex('02 00112233445566778899aabbccddeeff 02 00000000 00 00'), // one topic, partitions [0], tags, struct tags
    hex('00') // body tagged fields
  ])
  assert.deepEqual(frame, Buffer.concat([hex(body.length.toString(16).padStart(8, '0')), body]))
})

test('ConsumerGroupHeartbeat v0 response with a null assignment (nullable struct)', () => {
  const frame = Buffer.concat(encodeResponse(ConsumerGroupHeartbeatApi, 0, 1, {
    throttleTimeMs: 0, errorCode: 0, errorMessage: null, memberId: 'm', memberEpoch: 3, heartbeatIntervalMs: 5000, assignment: null as never
  }))
  assert.deepEqual(frame.subarray(4), hex('00000001 00 00000000 0000 00 026d 00000003 00001388 ff 00'))
  assert.equal(roundTripResponse(ConsumerGroupHeartbeatApi, 0, { assignment: null as never }).assignment, null)
})
