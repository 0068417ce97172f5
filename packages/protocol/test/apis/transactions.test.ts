import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  AddOffsetsToTxnApi, AddPartitionsToTxnApi, DescribeProducersApi, DescribeTransactionsApi, EndTxnApi,
  InitProducerIdApi, ListTransactionsApi, TxnOffsetCommitApi, encodeRequest
} from '../../src/index.js'
import { roundTripRequest, roundTripResponse, testEveryVersion } from './roundtrip.js'
import { framed, loose } from './golden.js'

// Producer ids and transactions: every version of each API round-trips (see roundtrip.ts).
for (const api of [
  InitProducerIdApi, AddPartitionsToTxnApi, AddOffsetsToTxnApi, EndTxnApi, TxnOffsetCommitApi,
  DescribeProducersApi, DescribeTransactionsApi, ListTransactionsApi
]) {
  testEveryVersion(api)
}


test('golden: InitProducerId v0 request for an idempotent producer (null transactionalId)', () => {
  const frame = Buffer.concat(encodeRequest(InitProducerIdApi, 0, 5, 'p', { transactionalId: null, transactionTimeoutMs: 60000 }))
  assert.deepEqual(frame, framed('0016 0000 00000005 0001 70', 'ffff 0000ea60'))
})

test('AddPartitionsToTxn: v3 uses the v3AndBelow fields, v4 the transactions list', () => {
  const v3 = roundTripRequest(AddPartitionsToTxnApi, 3, loose({
    v3AndBelowTransactionalId: 'tx', v3AndBelowProducerId: 7, v3AndBelowProducerEpoch: 1, v3AndBelowTopics: [{ name: 't', partitions: [0, 1] }]
  }))
  assert.deepEqual(v3.transactions, [])
  assert.deepEqual(v3.v3AndBelowTopics, [{ name: 't', partitions: [0, 1] }])
  const v4 = roundTripRequest(AddPartitionsToTxnApi, 4, loose({
    transactions: [{ transactionalId: 'tx', producerId: 7, producerEpoch: 1, verifyOnly: true, topics: [{ name: 't', partitions: [2] }] }]
  }))
  assert.equal(v4.v3AndBelowTransactionalId, '')
  assert.equal((v4.transactions as Array<Record<string, unknown>>)[0]!.verifyOnly, true)
})

test('InitProducerId v3+ requests and EndTxn responses default producer id and epoch to -1', () => {
  const init = roundTripRequest(InitProducerIdApi, 3, { transactionalId: 'tx', transactionTimeoutMs: 1 })
  assert.equal(init.producerId, -1)
  assert.equal(init.producerEpoch, -1)
  // v4 has no producer fields in the response: they decode to -1; v5 carries them
  assert.deepEqual(roundTripResponse(EndTxnApi, 4, { throttleTimeMs: 0, errorCode: 0, producerId: 9, producerEpoch: 2 }),
    { throttleTimeMs: 0, errorCode: 0, producerId: -1, producerEpoch: -1 })
  assert.deepEqual(roundTripResponse(EndTxnApi, 5, { throttleTimeMs: 0, errorCode: 0, producerId: 9, producerEpoch: 2 }),
    { throttleTimeMs: 0, errorCode: 0, producerId: 9, producerEpoch: 2 })
})
