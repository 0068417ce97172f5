import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { findPython, modernLibrdkafkaLibDir, runDriver, skipUnlessInstalled } from '../../src/index.js'
import { AUTHORIZER_SETTINGS, PASSWORDS, SecureBroker, adminProperties, grantAliceAcls, samsa, uniqueTopic } from './security-support.js'

/**
 * confluent-kafka-python (librdkafka 2.0.2 from Debian) over SSL with client certificates, SASL_SSL with
 * SCRAM-SHA-256/512 and SASL_PLAINTEXT with PLAIN, and its half of the ACL matrix with exact Kafka error codes.
 * With a current librdkafka (scripts/build-librdkafka.sh), also KIP-368 re-authentication.
 */
const python = findPython(['confluent_kafka'])
const DRIVER = 'security_confluent.py'
type User = keyof typeof PASSWORDS
interface KafkaError { code: number, name: string }

describe('confluent-kafka-python over TLS, mTLS and SASL; ACL matrix', { skip: skipUnlessInstalled(python !== null, 'python3 with confluent_kafka'), timeout: 120_000 }, () => {
  let broker: SecureBroker
  before(async () => {
    broker = await SecureBroker.start({ settings: AUTHORIZER_SETTINGS })
    await grantAliceAcls(broker)
  })
  after(async () => { await broker?.close() })

  const config = (kind: string, user: User = 'alice', password: string = PASSWORDS[user]): { bootstrap: string, config: Record<string, string> } => {
    const ca = { 'ssl.ca.location': broker.certs.ca }
    switch (kind) {
      case 'SSL': return { bootstrap: broker.listener('SSL'), config: { 'security.protocol': 'SSL', ...ca, 'ssl.certificate.location': broker.certs.client(user).cert, 'ssl.key.location': broker.certs.client(user).key } }
      case 'PLAIN': return { bootstrap: broker.listener('SASL_PLAINTEXT'), config: { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': 'PLAIN', 'sasl.username': user, 'sasl.password': password } }
      default: return { bootstrap: broker.listener('SASL_SSL'), config: { 'security.protocol': 'SASL_SSL', ...ca, 'sasl.mechanisms': kind, 'sasl.username': user, 'sasl.password': password } }
    }
  }
  const driver = async <T>(op: string, body: Record<string, unknown>, env?: Record<string, string>): Promise<T> => await runDriver<T>(python!, DRIVER, { op, ...body }, { env })

  for (const kind of ['SSL', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN']) {
    test(`${kind}: alice produces and consumes`, async () => {
      const topic = uniqueTopic('alice-confluent')
      const produced = await driver<{ delivered: number, errors: KafkaError[] }>('produce', { ...config(kind), topic, values: ['one', 'two'] })
      assert.deepEqual(produced, { delivered: 2, errors: [] })
      const consumed = await driver<{ values: string[], errors: KafkaError[] }>('consume', { ...config(kind), topic, count: 2 })
      assert.deepEqual(consumed, { values: ['one', 'two'], errors: [] })
    })
  }

  test('a wrong password is an authentication error', async () => {
    const produced = await driver<{ delivered: number, errors: KafkaError[] }>('produce', { ...config('SCRAM-SHA-512', 'alice', 'wrong'), topic: 'alice-x', values: ['x'], timeout: 3 })
    assert.equal(produced.delivered, 0)
    assert.ok(produced.errors.some((error) => error.name === '_AUTHENTICATION' || error.name === '_MSG_TIMED_OUT'), JSON.stringify(produced.errors))
  })

  test('ACL matrix: produce (WRITE topic), consume (READ topic), create/delete topic, broker configs (DESCRIBE_CONFIGS cluster)', async () => {
    const topic = uniqueTopic('alice-matrix')
    assert.deepEqual(await driver('create_topic', { ...config('SCRAM-SHA-256', 'bob'), topic }), { error: { code: 29, name: 'TOPIC_AUTHORIZATION_FAILED' } })
    assert.deepEqual(await driver('create_topic', { ...config('SCRAM-SHA-256'), topic }), { error: null })
    const bobProduce = await driver<{ delivered: number, errors: KafkaError[] }>('produce', { ...config('PLAIN', 'bob'), topic, values: ['no'] })
    assert.deepEqual(bobProduce.errors.map((error) => error.code), [29])
    assert.deepEqual(await driver('produce', { ...config('PLAIN'), topic, values: ['yes'] }), { delivered: 1, errors: [] })
    // bob may DESCRIBE his own groups (librdkafka looks up the coordinator of group.id even when it assigns) and
    // the topic (so its metadata reaches him), but not READ the topic.
    const grant = ['acls', '--bootstrap', broker.listener('SASL_SSL'), '--command-config', adminProperties(broker), '--add', '--allow-principal', 'User:bob', '--operation', 'Describe']
    await samsa([...grant, '--group', 'bob-', '--resource-pattern-type', 'prefixed'])
    await samsa([...grant, '--topic', topic])
    const bobConsume = await driver<{ values: string[], errors: KafkaError[] }>('consume', { ...config('SSL', 'bob'), topic, group_id: 'bob-assign' })
    assert.deepEqual(bobConsume, { values: [], errors: [{ code: 29, name: 'TOPIC_AUTHORIZATION_FAILED' }] })
    assert.deepEqual(await driver('describe_broker_configs', config('SCRAM-SHA-512', 'bob')), { error: { code: 31, name: 'CLUSTER_AUTHORIZATION_FAILED' } })
    assert.equal((await driver<{ error: KafkaError | null }>('describe_broker_configs', config('SCRAM-SHA-512', 'admin'))).error, null)
    assert.deepEqual(await driver('delete_topic', { ...config('SCRAM-SHA-512', 'bob'), topic }), { error: { code: 29, name: 'TOPIC_AUTHORIZATION_FAILED' } })
    assert.deepEqual(await driver('delete_topic', { ...config('SCRAM-SHA-512'), topic }), { error: null })
  })

  test('ACL matrix: consumer group (READ group) and transactions (WRITE transactional id)', async () => {
    const topic = uniqueTopic('alice-groups')
    await driver('produce', { ...config('SCRAM-SHA-256'), topic, values: ['a'] })
    assert.deepEqual(await driver('consume', { ...config('SCRAM-SHA-256'), topic, group: 'alice-cg' }), { values: ['a'], errors: [] })
    const bobGroup = await driver<{ values: string[], errors: KafkaError[] }>('consume', { ...config('SCRAM-SHA-256', 'bob'), topic, group: 'alice-cg' })
    assert.deepEqual(bobGroup.errors.map((error) => error.code), [30])
    assert.deepEqual(await driver('produce', { ...config('SCRAM-SHA-512'), topic, values: ['t'], transactional: 'alice-tx' }), { delivered: 1, errors: [] })
    const bobTx = await driver<{ errors: KafkaError[] }>('produce', { ...config('SCRAM-SHA-512', 'bob'), topic, values: ['t'], transactional: 'alice-tx' })
    assert.deepEqual(bobTx.errors.map((error) => error.code), [53])
  })
})

describe('confluent-kafka-python with a current librdkafka: SASL_SSL re-authentication (KIP-368)', {
  skip: python === null ? skipUnlessInstalled(false, 'python3 with confluent_kafka') : existsSync(join(modernLibrdkafkaLibDir, 'librdkafka.so.1')) ? false : 'no modern librdkafka (scripts/build-librdkafka.sh)',
  timeout: 60_000
}, () => {
  let broker: SecureBroker
  before(async () => {
    broker = await SecureBroker.start({ settings: { 'connections.max.reauth.ms': '1500' } })
  })
  after(async () => { await broker?.close() })

  test('a long-lived producer re-authenticates and keeps working across several session lifetimes', async () => {
    const env = { LD_LIBRARY_PATH: [modernLibrdkafkaLibDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') }
    const version = await driver<{ libversion: string }>('version', {}, env)
    assert.match(version.libversion, /^2\.(1[0-9]|[2-9])\./)
    const topic = uniqueTopic('reauth')
    const result = await runDriver<{ delivered: number, errors: KafkaError[] }>(python!, DRIVER, {
      op: 'produce_slowly', bootstrap: broker.listener('SASL_SSL'), topic, count: 8, interval: 0.5,
      config: { 'security.protocol': 'SASL_SSL', 'ssl.ca.location': broker.certs.ca, 'sasl.mechanisms': 'SCRAM-SHA-256', 'sasl.username': 'alice', 'sasl.password': PASSWORDS.alice }
    }, { env })
    assert.deepEqual(result, { delivered: 8, errors: [] })
    const events = broker.auditEvents()
    assert.ok(events.some((event) => event.event === 'authentication' && event.reauthentication === true && event.principal === 'User:alice'), 'the client re-authenticated on its connection')
  })

  async function driver<T> (op: string, body: Record<string, unknown>, env: Record<string, string>): Promise<T> {
    return await runDriver<T>(python!, DRIVER, { op, ...body }, { env })
  }
})
