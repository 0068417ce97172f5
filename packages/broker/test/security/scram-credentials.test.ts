import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { AlterUserScramCredentialsApi, DescribeUserScramCredentialsApi, ErrorCode } from '@samsa/protocol'
import { saltedPasswordSync } from '../../src/index.js'
import { SecureClient, addUser, listenerPort, saslLogin, startSecureBroker } from './secure-helpers.js'

const upsertion = (name: string, mechanism: 1 | 2, password: string, iterations = 4096): Record<string, unknown> => {
  const salt = randomBytes(16)
  return { name, mechanism, iterations, salt, saltedPassword: saltedPasswordSync(mechanism === 1 ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512', password, salt, iterations) }
}

test('AlterUserScramCredentials / DescribeUserScramCredentials', async (t) => {
  const server = await startSecureBroker(['SASL_PLAINTEXT'], { 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512' })
  t.after(() => server.stop())
  const port = listenerPort(server, 'SASL_PLAINTEXT')
  const admin = await SecureClient.connect(server.port)
  t.after(() => admin.close())

  await t.test('upserted credentials log in; the broker never saw the password', async () => {
    const altered = await admin.request(AlterUserScramCredentialsApi, 0, { deletions: [], upsertions: [upsertion('carol', 1, 'c-pass'), upsertion('carol', 2, 'c-pass', 8192), upsertion('dave', 2, 'd-pass')] })
    assert.deepEqual(altered.results, [{ user: 'carol', errorCode: 0, errorMessage: null }, { user: 'dave', errorCode: 0, errorMessage: null }])
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN']) {
      const client = await SecureClient.connect(port)
      assert.equal((await saslLogin(client, mechanism, 'carol', 'c-pass')).errorCode, ErrorCode.NONE, mechanism)
      client.close()
    }
  })

  await t.test('describe lists mechanisms and iterations; unknown users and duplicates are errors', async () => {
    const all = await admin.request(DescribeUserScramCredentialsApi, 0, { users: null })
    assert.deepEqual(all.results.map((result) => [result.user, result.credentialInfos]), [
      ['carol', [{ mechanism: 1, iterations: 4096 }, { mechanism: 2, iterations: 8192 }]],
      ['dave', [{ mechanism: 2, iterations: 4096 }]]
    ])
    const some = await admin.request(DescribeUserScramCredentialsApi, 0, { users: [{ name: 'dave' }, { name: 'nobody' }, { name: 'carol' }, { name: 'carol' }] })
    assert.deepEqual(some.results.map((result) => [result.user, result.errorCode]), [['dave', 0], ['nobody', ErrorCode.RESOURCE_NOT_FOUND], ['carol', ErrorCode.DUPLICATE_RESOURCE], ['carol', ErrorCode.DUPLICATE_RESOURCE]])
  })

  await t.test('validation per user: bad iterations, mechanisms, duplicates, missing credentials change nothing for that user', async () => {
    const result = await admin.request(AlterUserScramCredentialsApi, 0, {
      deletions: [{ name: 'dave', mechanism: 1 }, { name: 'erin', mechanism: 2 }],
      upsertions: [upsertion('frank', 1, 'p', 100), upsertion('gina', 1, 'p', 20000), { ...upsertion('hal', 1, 'p'), mechanism: 3 }, upsertion('ivan', 2, 'p'), upsertion('ivan', 2, 'q'), upsertion('', 1, 'p')]
    })
    assert.deepEqual(result.results.map((entry) => [entry.user, entry.errorCode]), [
      ['dave', ErrorCode.RESOURCE_NOT_FOUND], ['erin', ErrorCode.RESOURCE_NOT_FOUND], ['frank', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['gina', ErrorCode.UNACCEPTABLE_CREDENTIAL], ['hal', ErrorCode.UNSUPPORTED_SASL_MECHANISM], ['ivan', ErrorCode.DUPLICATE_RESOURCE], ['', ErrorCode.UNACCEPTABLE_CREDENTIAL]
    ])
    const all = await admin.request(DescribeUserScramCredentialsApi, 0, { users: [] })
    assert.deepEqual(all.results.map((entry) => entry.user), ['carol', 'dave'])
  })

  await t.test('deletion removes the login', async () => {
    const result = await admin.request(AlterUserScramCredentialsApi, 0, { deletions: [{ name: 'dave', mechanism: 2 }], upsertions: [] })
    assert.equal(result.results[0]!.errorCode, ErrorCode.NONE)
    const client = await SecureClient.connect(port)
    assert.equal((await saslLogin(client, 'SCRAM-SHA-512', 'dave', 'd-pass')).errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED)
    client.close()
  })
})

test('user APIs need DESCRIBE / ALTER on the cluster when an authorizer is on', async (t) => {
  const server = await startSecureBroker(['SASL_PLAINTEXT'], { 'sasl.enabled.mechanisms': 'PLAIN', 'authorizer.class.name': 'acl', 'super.users': 'User:admin' })
  t.after(() => server.stop())
  addUser(server, 'alice', 'a')
  addUser(server, 'admin', 'b')
  const alice = await SecureClient.connect(listenerPort(server, 'SASL_PLAINTEXT'))
  t.after(() => alice.close())
  await saslLogin(alice, 'PLAIN', 'alice', 'a')
  assert.equal((await alice.request(DescribeUserScramCredentialsApi, 0, { users: null })).errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
  assert.equal((await alice.request(AlterUserScramCredentialsApi, 0, { deletions: [], upsertions: [upsertion('alice', 1, 'new')] })).results[0]!.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
  const admin = await SecureClient.connect(listenerPort(server, 'SASL_PLAINTEXT'))
  t.after(() => admin.close())
  await saslLogin(admin, 'PLAIN', 'admin', 'b')
  assert.deepEqual((await admin.request(DescribeUserScramCredentialsApi, 0, { users: null })).results.map((entry) => entry.user), ['admin', 'alice'])
})
