import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ApiVersionsApi, ErrorCode, MetadataApi, SaslAuthenticateApi, SaslHandshakeApi, Writer } from '@samsa/protocol'
import { plainClient, scramClient } from '../../src/index.js'
import { SecureClient, addUser, listenerPort, saslLogin, startSecureBroker } from './secure-helpers.js'

const MECHANISMS = 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512'

async function assertClosed (client: SecureClient): Promise<void> {
  const timeout = new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 3000).unref())
  assert.equal(await Promise.race([client.closed.then(() => 'closed' as const), timeout]), 'closed', 'the broker closes the connection')
}

test('SASL logins on a SASL_PLAINTEXT listener', async (t) => {
  const server = await startSecureBroker(['SASL_PLAINTEXT'], { 'sasl.enabled.mechanisms': MECHANISMS })
  t.after(() => server.stop())
  addUser(server, 'alice', 'alice-secret')
  const port = listenerPort(server, 'SASL_PLAINTEXT')

  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    for (const version of [0, 1, 2]) {
      await t.test(`${mechanism} with SaslAuthenticate v${version}`, async () => {
        const client = await SecureClient.connect(port)
        try {
          const versions = await client.request(ApiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })
          assert.ok(versions.apiKeys.some((key) => key.apiKey === 36 && key.maxVersion === 2), 'ApiVersions is allowed before authentication')
          const done = await saslLogin(client, mechanism, 'alice', 'alice-secret', version)
          assert.equal(done.errorCode, ErrorCode.NONE)
          const metadata = await client.request(MetadataApi, 12, { topics: null })
          assert.equal(metadata.brokers.length, 1)
        } finally {
          client.close()
        }
      })
    }
  }

  await t.test('the handshake lists the enabled mechanisms; an unknown one is refused and the connection closed', async () => {
    const client = await SecureClient.connect(port)
    const handshake = await client.request(SaslHandshakeApi, 1, { mechanism: 'GSSAPI' })
    assert.equal(handshake.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM)
    assert.deepEqual(handshake.mechanisms, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'])
    await assertClosed(client)
  })

  for (const [label, mechanism, user, password] of [
    ['PLAIN wrong password', 'PLAIN', 'alice', 'wrong'],
    ['PLAIN unknown user', 'PLAIN', 'mallory', 'alice-secret'],
    ['SCRAM-SHA-256 wrong password', 'SCRAM-SHA-256', 'alice', 'wrong'],
    ['SCRAM-SHA-512 unknown user', 'SCRAM-SHA-512', 'mallory', 'x']
  ] as const) {
    await t.test(`${label}: SASL_AUTHENTICATION_FAILED, same message for unknown users, connection closed`, async () => {
      const client = await SecureClient.connect(port)
      const result = await saslLogin(client, mechanism, user, password)
      assert.equal(result.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED)
      assert.equal(result.errorMessage, mechanism === 'PLAIN'
        ? 'Authentication failed: Invalid username or password'
        : `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`)
      await assertClosed(client)
    })
  }

  await t.test('a request other than ApiVersions/SaslHandshake before authentication closes the connection', async () => {
    const client = await SecureClient.connect(port)
    client.send(MetadataApi, 1, { topics: null })
    assert.equal(await client.nextFrame(), null)
  })

  await t.test('SaslAuthenticate without a handshake closes the connection (Kafka: unexpected request during the handshake)', async () => {
    const client = await SecureClient.connect(port)
    client.send(SaslAuthenticateApi, 1, { authBytes: Buffer.from('\u0000alice\u0000alice-secret') })
    assert.equal(await client.nextFrame(), null)
  })

  await t.test('a request after a v1 handshake that is not SaslAuthenticate closes the connection', async () => {
    const client = await SecureClient.connect(port)
    await client.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' })
    client.send(ApiVersionsApi, 0, {})
    assert.equal(await client.nextFrame(), null)
  })

  for (const [label, token] of [
    ['PLAIN token without separators', 'PLAIN:garbage'],
    ['PLAIN token with four parts', 'PLAIN:a\u0000b\u0000c\u0000d'],
    ['PLAIN authzid that differs from the user', 'PLAIN:bob\u0000alice\u0000alice-secret'],
    ['SCRAM client-first without gs2 header', 'SCRAM-SHA-256:n=alice,r=abc'],
    ['SCRAM channel binding requested', 'SCRAM-SHA-256:p=tls-unique,,n=alice,r=abc'],
    ['SCRAM bad saslname escape', 'SCRAM-SHA-256:n,,n=al=ice,r=abc'],
    ['SCRAM missing nonce', 'SCRAM-SHA-512:n,,n=alice'],
    ['SCRAM delegation token extension', 'SCRAM-SHA-512:n,,n=alice,r=abc,tokenauth=true'],
    ['binary garbage', 'SCRAM-SHA-256:\u0000\u00ff\u00fe']
  ] as const) {
    await t.test(`malformed token: ${label}`, async () => {
      const [mechanism, text] = [token.slice(0, token.indexOf(':')), token.slice(token.indexOf(':') + 1)]
      const client = await SecureClient.connect(port)
      await client.request(SaslHandshakeApi, 1, { mechanism })
      const response = await client.request(SaslAuthenticateApi, 2, { authBytes: Buffer.from(text, 'latin1') })
      assert.equal(response.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED)
      await assertClosed(client)
    })
  }

  await t.test('SCRAM client-final with a wrong nonce or a truncated proof fails', async () => {
    for (const tamper of [(final: string) => final.replace(/r=[^,]+/, 'r=other'), (final: string) => final.slice(0, -8), (final: string) => final.replace('c=biws', 'c=eSws')]) {
      const client = await SecureClient.connect(port)
      await client.request(SaslHandshakeApi, 1, { mechanism: 'SCRAM-SHA-256' })
      const sasl = scramClient('SCRAM-SHA-256', 'alice', 'alice-secret')
      const first = await client.request(SaslAuthenticateApi, 2, { authBytes: sasl.first() })
      assert.equal(first.errorCode, ErrorCode.NONE)
      const final = tamper(sasl.next(first.authBytes)!.toString())
      const response = await client.request(SaslAuthenticateApi, 2, { authBytes: Buffer.from(final) })
      assert.equal(response.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED)
      await assertClosed(client)
    }
  })

  await t.test('a malformed SaslAuthenticate frame closes the connection; the broker keeps serving', async () => {
    const client = await SecureClient.connect(port)
    await client.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' })
    // SaslAuthenticate v2 header, then a compact bytes length far beyond the frame.
    const frame = new Writer().int32(0).int16(36).int16(2).int32(9).string('c', false).uvarint(0).uvarint(1_000_000).toBuffer()
    frame.writeInt32BE(frame.length - 4, 0)
    client.write(frame)
    assert.equal(await client.nextFrame(), null)
    const again = await SecureClient.connect(port)
    assert.equal((await saslLogin(again, 'PLAIN', 'alice', 'alice-secret')).errorCode, ErrorCode.NONE)
    again.close()
  })

  await t.test('SaslHandshake on the PLAINTEXT listener: ILLEGAL_SASL_STATE, connection stays usable', async () => {
    const client = await SecureClient.connect(server.port)
    const handshake = await client.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' })
    assert.equal(handshake.errorCode, ErrorCode.ILLEGAL_SASL_STATE)
    assert.equal((await client.request(MetadataApi, 1, { topics: null })).brokers.length, 1)
    client.close()
  })

  await t.test('credentials are stored salted: no password in the file, owner-only mode', () => {
    const file = join(server.dataDir, 'security', 'credentials.json')
    const text = readFileSync(file, 'utf8')
    assert.ok(!text.includes('alice-secret'))
    assert.match(text, /"storedKey"/)
    assert.equal(statSync(file).mode & 0o777, 0o600)
  })
})

test('v0 handshake: raw SASL tokens (the kafka-python flow)', async (t) => {
  const server = await startSecureBroker(['SASL_PLAINTEXT'], { 'sasl.enabled.mechanisms': MECHANISMS })
  t.after(() => server.stop())
  addUser(server, 'alice', 'alice-secret')
  const port = listenerPort(server, 'SASL_PLAINTEXT')

  await t.test('PLAIN: the broker answers an empty raw token, then serves requests', async () => {
    const client = await SecureClient.connect(port)
    assert.equal((await client.request(SaslHandshakeApi, 0, { mechanism: 'PLAIN' })).errorCode, ErrorCode.NONE)
    client.writeFrame(plainClient('alice', 'alice-secret').first())
    assert.deepEqual(await client.nextFrame(), Buffer.alloc(0))
    assert.equal((await client.request(MetadataApi, 4, { topics: null })).brokers.length, 1)
    client.close()
  })

  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    await t.test(`${mechanism} over raw tokens`, async () => {
      const client = await SecureClient.connect(port)
      await client.request(SaslHandshakeApi, 0, { mechanism })
      const sasl = scramClient(mechanism, 'alice', 'alice-secret')
      client.writeFrame(sasl.first())
      client.writeFrame(sasl.next((await client.nextFrame())!)!)
      assert.equal(sasl.next((await client.nextFrame())!), null, 'server signature verifies')
      assert.equal((await client.request(MetadataApi, 4, { topics: null })).brokers.length, 1)
      client.close()
    })
  }

  await t.test('a wrong password over raw tokens closes the connection without a reply', async () => {
    const client = await SecureClient.connect(port)
    await client.request(SaslHandshakeApi, 0, { mechanism: 'PLAIN' })
    client.writeFrame(plainClient('alice', 'nope').first())
    assert.equal(await client.nextFrame(), null)
  })
})

test('failed authentication is answered after connection.failed.authentication.delay.ms', async (t) => {
  const server = await startSecureBroker(['SASL_PLAINTEXT'], { 'sasl.enabled.mechanisms': 'PLAIN', 'connection.failed.authentication.delay.ms': '300' })
  t.after(() => server.stop())
  addUser(server, 'alice', 'alice-secret')
  const client = await SecureClient.connect(listenerPort(server, 'SASL_PLAINTEXT'))
  const started = Date.now()
  const result = await saslLogin(client, 'PLAIN', 'alice', 'guess')
  assert.equal(result.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED)
  assert.ok(Date.now() - started >= 280, `answered after ${Date.now() - started} ms`)
  await client.closed
})

test('frames larger than sasl.server.max.receive.size before authentication close the connection', async (t) => {
  const server = await startSecureBroker(['SASL_PLAINTEXT'], { 'sasl.enabled.mechanisms': 'PLAIN', 'sasl.server.max.receive.size': '1024' })
  t.after(() => server.stop())
  const client = await SecureClient.connect(listenerPort(server, 'SASL_PLAINTEXT'))
  await client.request(SaslHandshakeApi, 1, { mechanism: 'PLAIN' })
  client.send(SaslAuthenticateApi, 2, { authBytes: Buffer.alloc(4096, 0x61) })
  assert.equal(await client.nextFrame(), null)
})

test('re-authentication (KIP-368): session lifetime, re-login before expiry, close after expiry', async (t) => {
  const server = await startSecureBroker(['SASL_PLAINTEXT'], { 'sasl.enabled.mechanisms': MECHANISMS, 'connections.max.reauth.ms': '400' })
  t.after(() => server.stop())
  addUser(server, 'alice', 'alice-secret')
  addUser(server, 'bob', 'bob-secret')
  const port = listenerPort(server, 'SASL_PLAINTEXT')

  await t.test('SaslAuthenticate v1+ reports the session lifetime; re-authenticating extends the session', async () => {
    const client = await SecureClient.connect(port)
    const done = await saslLogin(client, 'SCRAM-SHA-256', 'alice', 'alice-secret', 1)
    assert.equal(done.sessionLifetimeMs, 400)
    await new Promise((resolve) => setTimeout(resolve, 250))
    assert.equal((await saslLogin(client, 'SCRAM-SHA-256', 'alice', 'alice-secret', 2)).errorCode, ErrorCode.NONE)
    await new Promise((resolve) => setTimeout(resolve, 250)) // 500 ms after the first login, 250 after the second
    assert.equal((await client.request(MetadataApi, 1, { topics: null })).brokers.length, 1)
    client.close()
  })

  await t.test('after expiry any request but a re-authentication closes the connection', async () => {
    const client = await SecureClient.connect(port)
    await saslLogin(client, 'PLAIN', 'alice', 'alice-secret', 1)
    await new Promise((resolve) => setTimeout(resolve, 500))
    client.send(MetadataApi, 1, { topics: null })
    assert.equal(await client.nextFrame(), null)
  })

  await t.test('re-authenticating as another user fails and closes the connection', async () => {
    const client = await SecureClient.connect(port)
    await saslLogin(client, 'PLAIN', 'alice', 'alice-secret', 1)
    const again = await saslLogin(client, 'PLAIN', 'bob', 'bob-secret', 1)
    assert.equal(again.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED)
    await assertClosed(client)
  })

  await t.test('re-authentication must use the original mechanism', async () => {
    const client = await SecureClient.connect(port)
    await saslLogin(client, 'PLAIN', 'alice', 'alice-secret', 1)
    const handshake = await client.request(SaslHandshakeApi, 1, { mechanism: 'SCRAM-SHA-512' })
    assert.equal(handshake.errorCode, ErrorCode.ILLEGAL_SASL_STATE)
    await assertClosed(client)
  })
})
