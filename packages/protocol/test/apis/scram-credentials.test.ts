import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AlterUserScramCredentialsApi, DescribeUserScramCredentialsApi, encodeRequest, encodeResponse } from '../../src/index.js'
import { roundTripRequest, testEveryVersion } from './roundtrip.js'
import { framed } from './golden.js'

// KIP-554 user credential APIs: every version round-trips (see roundtrip.ts).
for (const api of [DescribeUserScramCredentialsApi, AlterUserScramCredentialsApi]) testEveryVersion(api)

test('golden: DescribeUserScramCredentials v0 request with users null (compact nullable array = 0)', () => {
  // header v2: key 50, version 0, correlation 7, client id "c", no tags; body: users null, no tags
  assert.deepEqual(Buffer.concat(encodeRequest(DescribeUserScramCredentialsApi, 0, 7, 'c', { users: null })),
    framed('0032 0000 00000007 0001 63 00', '00 00'))
  assert.equal(roundTripRequest(DescribeUserScramCredentialsApi, 0, { users: null }).users, null)
})

test('golden: AlterUserScramCredentials v0 upsertion and response', () => {
  const body = { deletions: [], upsertions: [{ name: 'u', mechanism: 1, iterations: 4096, salt: Buffer.from([1, 2]), saltedPassword: Buffer.from([3]) }] }
  assert.deepEqual(Buffer.concat(encodeRequest(AlterUserScramCredentialsApi, 0, 1, null, body)),
    framed('0033 0000 00000001 ffff 00',
      '01', // no deletions (compact array length 0 + 1)
      '02 02 75 01 00001000 03 0102 02 03 00', // one upsertion: name "u", mechanism 1, 4096, salt, salted password, tags
      '00'))
  assert.deepEqual(Buffer.concat(encodeResponse(AlterUserScramCredentialsApi, 0, 1, { throttleTimeMs: 0, results: [{ user: 'u', errorCode: 0, errorMessage: null }] })),
    framed('00000001 00', '00000000 02 02 75 0000 00 00 00'))
})
