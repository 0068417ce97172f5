import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { connect as connectTcp } from 'node:net'
import { join } from 'node:path'
import { ApiVersionsApi, ErrorCode, MetadataApi } from '@samsa/protocol'
import { createDevCertificates } from '../../src/index.js'
import { SecureClient, addUser, devCertificates, listenerPort, saslLogin, startSecureBroker, scratchDir } from './secure-helpers.js'

const read = (file: string): Buffer => readFileSync(file)

function tlsOverrides (clientAuth: string, audit?: string): Record<string, string> {
  const certs = devCertificates()
  return {
    'ssl.keystore.location': certs.brokerKeystore,
    'ssl.truststore.location': certs.ca,
    'ssl.client.auth': clientAuth,
    ...(audit === undefined ? {} : { 'audit.log.file': audit })
  }
}

async function auditLines (file: string, count: number): Promise<Array<Record<string, unknown>>> {
  for (let attempt = 0; attempt < 50; attempt++) {
    let lines: string[] = []
    try { lines = readFileSync(file, 'utf8').trim().split('\n').filter((line) => line !== '') } catch {}
    if (lines.length >= count) return lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`fewer than ${count} audit lines in ${file}`)
}

/** Whether a TLS connection attempt is refused (handshake error or closed before any Kafka reply). */
async function refused (port: number, options: Parameters<typeof SecureClient.connect>[1]): Promise<boolean> {
  let client: SecureClient
  try {
    client = await SecureClient.connect(port, options)
  } catch {
    return true
  }
  try {
    await client.request(ApiVersionsApi, 0, {})
    return false
  } catch {
    return true
  } finally {
    client.close()
  }
}

test('SSL listener: TLS with the CA, refusals for untrusted servers and plaintext clients', async (t) => {
  const certs = devCertificates()
  const server = await startSecureBroker(['SSL'], tlsOverrides('none'))
  t.after(() => server.stop())
  const port = listenerPort(server, 'SSL')

  await t.test('a client trusting the CA talks Kafka over TLS', async () => {
    const client = await SecureClient.connect(port, { ca: read(certs.ca) })
    const versions = await client.request(ApiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })
    assert.equal(versions.errorCode, ErrorCode.NONE)
    const metadata = await client.request(MetadataApi, 12, { topics: null })
    assert.equal(metadata.brokers[0]!.port, port, 'the SSL listener advertises its own port')
    client.close()
  })

  await t.test('a client that does not trust the broker certificate refuses it (self-signed to that client)', async () => {
    await assert.rejects(SecureClient.connect(port, {}), /self[- ]signed|unable to (get|verify)/)
  })

  await t.test('the certificate names localhost and 127.0.0.1', async () => {
    const client = await SecureClient.connect(port, { ca: read(certs.ca), servername: undefined, host: '127.0.0.1' })
    client.close()
  })

  await t.test('plaintext Kafka bytes to the TLS port: refused cleanly, the broker keeps serving', async () => {
    const socket = connectTcp({ port, host: '127.0.0.1' })
    socket.on('error', () => {})
    await new Promise((resolve) => socket.once('connect', resolve))
    const header = Buffer.from('0000000d0012000000000001000000', 'hex')
    socket.write(header)
    const received: Buffer[] = []
    socket.on('data', (chunk: Buffer) => received.push(chunk))
    await new Promise((resolve) => socket.once('close', resolve))
    assert.ok(!Buffer.concat(received).includes(Buffer.from('0012', 'hex')) || received.length <= 1, 'no Kafka answer on a TLS port')
    const client = await SecureClient.connect(port, { ca: read(certs.ca) })
    assert.equal((await client.request(ApiVersionsApi, 0, {})).errorCode, ErrorCode.NONE)
    client.close()
    const plain = await SecureClient.connect(server.port)
    assert.equal((await plain.request(ApiVersionsApi, 0, {})).errorCode, ErrorCode.NONE)
    plain.close()
  })
})

test('mTLS (ssl.client.auth=required): principal from the certificate, bad certificates refused and audited', async (t) => {
  const certs = devCertificates()
  const audit = join(scratchDir('samsa-audit-'), 'audit.log')
  const server = await startSecureBroker(['SSL'], { ...tlsOverrides('required', audit), 'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+),OU=clients,.*$/$1/L,DEFAULT' })
  t.after(() => server.stop())
  const port = listenerPort(server, 'SSL')
  const other = createDevCertificates({ dir: scratchDir('samsa-other-ca-'), clients: ['alice'], caName: 'someone else' })
  const expired = createDevCertificates({ dir: scratchDir('samsa-expired-'), clients: ['carol'], days: -1 })
  // An expired certificate from the broker's own CA: re-issue with the trusted CA key.
  const expiredTrusted = createDevCertificates({ dir: join(certs.ca, '..'), clients: ['expired'], days: -1, reuseCa: true, broker: false })

  await t.test('a client certificate from the CA is accepted; the principal is mapped from its subject', async () => {
    const client = await SecureClient.connect(port, { ca: read(certs.ca), cert: read(certs.clients.alice!.certificate), key: read(certs.clients.alice!.key) })
    assert.equal((await client.request(ApiVersionsApi, 0, {})).errorCode, ErrorCode.NONE)
    client.close()
    const events = await auditLines(audit, 1)
    assert.deepEqual({ ...events.find((event) => event.event === 'authentication'), time: undefined, client: undefined }, {
      event: 'authentication', listener: 'SSL', mechanism: 'SSL', principal: 'User:alice', subject: 'CN=alice,OU=clients,O=samsa', result: 'success', time: undefined, client: undefined
    })
  })

  await t.test('no client certificate: refused', async () => {
    assert.ok(await refused(port, { ca: read(certs.ca) }))
  })
  await t.test('a certificate from an unknown CA: refused', async () => {
    assert.ok(await refused(port, { ca: read(certs.ca), cert: read(other.clients.alice!.certificate), key: read(other.clients.alice!.key) }))
  })
  await t.test('a self-signed client certificate: refused', async () => {
    assert.ok(await refused(port, { ca: read(certs.ca), cert: read(other.ca), key: read(other.caKey) }))
  })
  await t.test('an expired certificate: refused (from an unknown CA and from the trusted CA)', async () => {
    assert.ok(await refused(port, { ca: read(certs.ca), cert: read(expired.clients.carol!.certificate), key: read(expired.clients.carol!.key) }))
    assert.ok(await refused(port, { ca: read(certs.ca), cert: read(expiredTrusted.clients.expired!.certificate), key: read(expiredTrusted.clients.expired!.key) }))
  })
  await t.test('refusals are audited; the broker keeps serving', async () => {
    const events = await auditLines(audit, 5)
    const failures = events.filter((event) => event.event === 'tls' && event.result === 'failure')
    assert.ok(failures.length >= 4, JSON.stringify(failures))
    assert.ok(failures.some((event) => /expired/i.test(String(event.reason))), `an expiry is named: ${JSON.stringify(failures)}`)
    const client = await SecureClient.connect(port, { ca: read(certs.ca), cert: read(certs.clients.bob!.certificate), key: read(certs.clients.bob!.key) })
    assert.equal((await client.request(ApiVersionsApi, 0, {})).errorCode, ErrorCode.NONE)
    client.close()
  })
})

test('ssl.client.auth=requested: no certificate is anonymous, a bad one is refused', async (t) => {
  const certs = devCertificates()
  const server = await startSecureBroker(['SSL'], tlsOverrides('requested'))
  t.after(() => server.stop())
  const port = listenerPort(server, 'SSL')
  const client = await SecureClient.connect(port, { ca: read(certs.ca) })
  assert.equal((await client.request(ApiVersionsApi, 0, {})).errorCode, ErrorCode.NONE)
  client.close()
  const other = createDevCertificates({ dir: scratchDir('samsa-other-ca-'), clients: ['x'] })
  assert.ok(await refused(port, { ca: read(certs.ca), cert: read(other.clients.x!.certificate), key: read(other.clients.x!.key) }))
})

test('SASL_SSL: SCRAM over TLS', async (t) => {
  const certs = devCertificates()
  const server = await startSecureBroker(['SASL_SSL'], { ...tlsOverrides('none'), 'sasl.enabled.mechanisms': 'SCRAM-SHA-512' })
  t.after(() => server.stop())
  addUser(server, 'alice', 'alice-secret')
  const client = await SecureClient.connect(listenerPort(server, 'SASL_SSL'), { ca: read(certs.ca) })
  assert.equal((await saslLogin(client, 'SCRAM-SHA-512', 'alice', 'alice-secret')).errorCode, ErrorCode.NONE)
  assert.equal((await client.request(MetadataApi, 9, { topics: null })).brokers.length, 1)
  client.close()
})

test('max.connections.per.ip counts TLS connections at the TCP accept: the one over the limit is refused', async (t) => {
  const certs = devCertificates()
  // The PLAINTEXT listener opened by the helper is not used: only the two TLS connections count.
  const server = await startSecureBroker(['SSL'], { ...tlsOverrides('none'), 'max.connections.per.ip': '1' })
  t.after(() => server.stop())
  const port = listenerPort(server, 'SSL')
  const first = await SecureClient.connect(port, { ca: read(certs.ca) })
  t.after(() => first.close())
  assert.equal((await first.request(ApiVersionsApi, 3, {})).errorCode, ErrorCode.NONE)
  assert.equal(await refused(port, { ca: read(certs.ca) }), true)
  first.close()
  await first.closed
  // Accepted again once the broker has counted the closed connection out (retried: that takes a moment).
  let accepted = false
  for (let attempt = 0; attempt < 40 && !accepted; attempt++) {
    accepted = !(await refused(port, { ca: read(certs.ca) }))
    if (!accepted) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.equal(accepted, true)
})
