import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  CreateAclsApi, DeleteAclsApi, DescribeAclsApi, SaslAuthenticateApi, SaslHandshakeApi, encodeRequest, encodeResponse
} from '../../src/index.js'
import { roundTripRequest, testEveryVersion } from './roundtrip.js'
import { framed } from './golden.js'

// Security: every version of each API round-trips (see roundtrip.ts).
for (const api of [SaslHandshakeApi, SaslAuthenticateApi, DescribeAclsApi, CreateAclsApi, DeleteAclsApi]) {
  testEveryVersion(api)
}


test('golden: SaslHandshake v1 request and response', () => {
  assert.deepEqual(Buffer.concat(encodeRequest(SaslHandshakeApi, 1, 1, null, { mechanism: 'PLAIN' })),
    framed('0011 0001 00000001 ffff', '0005 504c41494e'))
  assert.deepEqual(Buffer.concat(encodeResponse(SaslHandshakeApi, 1, 1, { errorCode: 33, mechanisms: ['PLAIN'] })),
    framed('00000001', '0021 00000001 0005 504c41494e'))
})

test('golden: SaslAuthenticate v2 request (compact bytes)', () => {
  const token = Buffer.from('\u0000u\u0000p')
  assert.deepEqual(Buffer.concat(encodeRequest(SaslAuthenticateApi, 2, 3, 'c', { authBytes: token })),
    framed('0024 0002 00000003 0001 63 00', '05 00750070 00'))
})

test('DescribeAcls v0 defaults the pattern type filter to literal (3)', () => {
  const decoded = roundTripRequest(DescribeAclsApi, 0, {
    resourceTypeFilter: 2, resourceNameFilter: null, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1
  })
  assert.equal(decoded.patternTypeFilter, 3)
  assert.equal(decoded.resourceNameFilter, null)
})
