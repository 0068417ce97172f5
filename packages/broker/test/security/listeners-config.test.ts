import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ApiVersionsApi, DescribeConfigsApi, ErrorCode, FetchApi, MetadataApi, decodeRecordBatches } from '@samsa/protocol'
import { BrokerConfigError, loadConfig } from '../../src/index.js'
import { startBroker } from '../helpers.js'
import { SecureClient, addUser, devCertificates, listenerPort, saslLogin, startSecureBroker, scratchDir } from './secure-helpers.js'

const load = (overrides: Record<string, string>): ReturnType<typeof loadConfig> => loadConfig({ env: {}, overrides })

test('listeners, listener.security.protocol.map and advertised.listeners are parsed and checked at start-up', () => {
  const config = load({ listeners: 'PLAINTEXT://127.0.0.1:9092,CLIENT://0.0.0.0:9094', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CLIENT:SASL_PLAINTEXT' })
  assert.deepEqual(config.listeners, [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }, { name: 'CLIENT', host: '0.0.0.0', port: 9094 }])
  assert.equal(config.port, 9092)
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ listeners: 'CLIENT://127.0.0.1:9094' }, /CLIENT has no security protocol/],
    [{ listeners: 'PLAINTEXT://:9092,SASL_PLAINTEXT://:9092' }, /port 9092 is used by two listeners/],
    [{ listeners: 'PLAINTEXT://:9092,PLAINTEXT://:9093' }, /appears twice/],
    [{ listeners: 'SSL://127.0.0.1:0' }, /needs ssl.keystore.location/],
    [{ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': '/nonexistent.pem' }, /cannot read ssl.keystore.location/],
    [{ listeners: 'PLAINTEXT://x:1', 'advertised.listeners': 'OTHER://h:1' }, /OTHER, which is not in listeners/],
    [{ 'listener.security.protocol.map': 'PLAINTEXT:TLS' }, /listener.security.protocol.map/],
    [{ 'ssl.client.auth': 'maybe' }, /ssl.client.auth/],
    [{ 'ssl.principal.mapping.rules': 'RULE:(/x/' }, /ssl.principal.mapping.rules/],
    [{ 'sasl.enabled.mechanisms': 'GSSAPI' }, /sasl.enabled.mechanisms/],
    [{ 'authorizer.class.name': 'com.example.Custom' }, /not supported/],
    [{ 'super.users': 'admin' }, /super.users/],
    [{ listeners: 'nonsense' }, /expected NAME:\/\/host:port/]
  ]
  for (const [overrides, message] of bad) assert.throws(() => load(overrides), (error: unknown) => error instanceof BrokerConfigError && message.test(error.message), JSON.stringify(overrides))
})

test('each listener advertises its own address; advertised.listeners overrides it', async (t) => {
  const server = await startSecureBroker(['SASL_PLAINTEXT'], { 'sasl.enabled.mechanisms': 'PLAIN', 'advertised.listeners': 'SASL_PLAINTEXT://broker.example:19094' })
  t.after(() => server.stop())
  addUser(server, 'alice', 'a')
  const plain = await SecureClient.connect(server.port)
  t.after(() => plain.close())
  const viaPlain = await plain.request(MetadataApi, 12, { topics: null })
  assert.deepEqual([viaPlain.brokers[0]!.host, viaPlain.brokers[0]!.port], ['127.0.0.1', server.port])
  const sasl = await SecureClient.connect(listenerPort(server, 'SASL_PLAINTEXT'))
  t.after(() => sasl.close())
  await saslLogin(sasl, 'PLAIN', 'alice', 'a')
  const viaSasl = await sasl.request(MetadataApi, 12, { topics: null })
  assert.deepEqual([viaSasl.brokers[0]!.host, viaSasl.brokers[0]!.port], ['broker.example', 19094])
})

test('passwords are sensitive in DescribeConfigs (no value)', async (t) => {
  const server = await startBroker({ 'ssl.key.password': 'hunter2', 'ssl.keystore.location': devCertificates().brokerKeystore })
  t.after(() => server.stop())
  const client = await SecureClient.connect(server.port)
  t.after(() => client.close())
  const described = await client.request(DescribeConfigsApi, 4, { resources: [{ resourceType: 4, resourceName: '1', configurationKeys: ['ssl.key.password', 'ssl.keystore.location'] }], includeSynonyms: true })
  const [keyPassword, keystore] = described.results[0]!.configs
  assert.deepEqual([keyPassword!.name, keyPassword!.value, keyPassword!.isSensitive, keyPassword!.synonyms], ['ssl.key.password', null, true, []])
  assert.equal(keystore!.value, devCertificates().brokerKeystore)
})

test('audit.log.topic receives the audit events as records', async (t) => {
  const server = await startSecureBroker(['SASL_PLAINTEXT'], { 'sasl.enabled.mechanisms': 'PLAIN', 'audit.log.topic': '_samsa_audit' })
  t.after(() => server.stop())
  addUser(server, 'alice', 'a')
  const client = await SecureClient.connect(listenerPort(server, 'SASL_PLAINTEXT'))
  await saslLogin(client, 'PLAIN', 'alice', 'a')
  client.close()
  const failed = await SecureClient.connect(listenerPort(server, 'SASL_PLAINTEXT'))
  await saslLogin(failed, 'PLAIN', 'alice', 'wrong')
  await new Promise((resolve) => setTimeout(resolve, 400))
  const reader = await SecureClient.connect(server.port)
  t.after(() => reader.close())
  const fetched = await reader.request(FetchApi, 12, { maxWaitMs: 0, minBytes: 0, topics: [{ topic: '_samsa_audit', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }] })
  const partition = fetched.responses[0]!.partitions[0]!
  assert.equal(partition.errorCode, ErrorCode.NONE)
  const events = decodeRecordBatches(partition.records!).flatMap((batch) => batch.records).map((record) => JSON.parse(record.value!.toString()) as Record<string, unknown>)
  assert.deepEqual(events.map((event) => [event.event, event.result, event.principal ?? event.user]), [['authentication', 'success', 'User:alice'], ['authentication', 'failure', 'alice']])
})

test('without security settings a broker has one PLAINTEXT listener and no authorization checks', async (t) => {
  const server = await startBroker()
  t.after(() => server.stop())
  assert.deepEqual(server.broker.listeners.map((listener) => listener.securityProtocol), ['PLAINTEXT'])
  assert.equal(server.broker.context.security.checks, false)
  assert.equal(server.broker.context.security.authorizer, undefined)
  const client = await SecureClient.connect(server.port)
  assert.equal((await client.request(ApiVersionsApi, 0, {})).errorCode, ErrorCode.NONE)
  client.close()
})

test('keystores: PKCS12 with a password, and a PEM key encrypted with ssl.key.password', async (t) => {
  const certs = devCertificates()
  const dir = scratchDir('samsa-keystores-')
  const p12 = join(dir, 'broker.p12')
  execFileSync('openssl', ['pkcs12', '-export', '-in', certs.brokerCertificate, '-inkey', certs.brokerKey, '-certfile', certs.ca, '-out', p12, '-passout', 'pass:p12-secret'])
  const encrypted = join(dir, 'broker-encrypted.pem')
  execFileSync('openssl', ['pkey', '-in', certs.brokerKey, '-aes256', '-out', join(dir, 'key.pem'), '-passout', 'pass:key-secret'])
  writeFileSync(encrypted, readFileSync(join(dir, 'key.pem'), 'utf8') + readFileSync(certs.brokerCertificate, 'utf8'))
  for (const overrides of <Array<Record<string, string>>>[
    { 'ssl.keystore.type': 'PKCS12', 'ssl.keystore.location': p12, 'ssl.keystore.password': 'p12-secret' },
    { 'ssl.keystore.location': encrypted, 'ssl.key.password': 'key-secret' }
  ]) {
    const server = await startSecureBroker(['SSL'], overrides)
    t.after(() => server.stop())
    const client = await SecureClient.connect(listenerPort(server, 'SSL'), { ca: readFileSync(certs.ca) })
    assert.equal((await client.request(ApiVersionsApi, 0, {})).errorCode, ErrorCode.NONE)
    client.close()
  }
  assert.throws(() => load({ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': encrypted, 'ssl.key.password': 'wrong' }), BrokerConfigError)
})
