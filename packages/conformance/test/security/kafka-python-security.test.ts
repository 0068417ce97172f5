import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { findPython, runDriver, skipUnlessInstalled } from '../../src/index.js'
import { AUTHORIZER_SETTINGS, PASSWORDS, SecureBroker, adminProperties, grantAliceAcls, samsa, uniqueTopic } from './security-support.js'

/**
 * kafka-python 2.0.2 (Debian): SSL with client certificates, and SASL PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512 over
 * SASL_PLAINTEXT and SASL_SSL — through the v0 SaslHandshake and raw SASL tokens, the framing kafka-python uses.
 * ACLs: bob is refused with the exact error numbers.
 */
const python = findPython(['kafka'])
const DRIVER = 'security_kafka_python.py'
type User = keyof typeof PASSWORDS
interface KafkaError { code: number | null, name: string }

describe('kafka-python over TLS, mTLS and SASL (v0 handshake, raw tokens)', { skip: skipUnlessInstalled(python !== null, 'python3 with kafka-python'), timeout: 120_000 }, () => {
  let broker: SecureBroker
  before(async () => {
    broker = await SecureBroker.start({ settings: AUTHORIZER_SETTINGS })
    await grantAliceAcls(broker)
  })
  after(async () => { await broker?.close() })

  const config = (kind: string, user: User = 'alice', password: string = PASSWORDS[user]): { bootstrap: string, config: Record<string, unknown> } => {
    const tls = { ssl_cafile: broker.certs.ca, ssl_check_hostname: true }
    const sasl = (mechanism: string): Record<string, unknown> => ({ sasl_mechanism: mechanism, sasl_plain_username: user, sasl_plain_password: password })
    switch (kind) {
      case 'SSL': return { bootstrap: broker.listener('SSL').replace('127.0.0.1', 'localhost'), config: { security_protocol: 'SSL', ...tls, ssl_certfile: broker.certs.client(user).cert, ssl_keyfile: broker.certs.client(user).key } }
      case 'PLAIN': return { bootstrap: broker.listener('SASL_PLAINTEXT'), config: { security_protocol: 'SASL_PLAINTEXT', ...sasl('PLAIN') } }
      case 'SCRAM-SHA-256 (SASL_PLAINTEXT)': return { bootstrap: broker.listener('SASL_PLAINTEXT'), config: { security_protocol: 'SASL_PLAINTEXT', ...sasl('SCRAM-SHA-256') } }
      default: return { bootstrap: broker.listener('SASL_SSL').replace('127.0.0.1', 'localhost'), config: { security_protocol: 'SASL_SSL', ...tls, ...sasl(kind) } }
    }
  }
  const driver = async <T>(op: string, body: Record<string, unknown>): Promise<T> => await runDriver<T>(python!, DRIVER, { op, ...body })

  for (const kind of ['SSL', 'PLAIN', 'SCRAM-SHA-256 (SASL_PLAINTEXT)', 'SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    test(`${kind}: alice produces and consumes`, async () => {
      const topic = uniqueTopic('alice-kafka-python')
      assert.deepEqual(await driver('produce', { ...config(kind), topic, values: ['one', 'two'] }), { delivered: 2, error: null })
      assert.deepEqual(await driver('consume', { ...config(kind), topic, count: 2 }), { values: ['one', 'two'], error: null })
    })
  }

  test('a wrong password fails authentication', async () => {
    const result = await driver<{ delivered: number, error: KafkaError }>('produce', { ...config('SCRAM-SHA-512', 'alice', 'wrong'), topic: 'alice-x', values: ['x'] })
    assert.equal(result.delivered, 0)
    assert.match(result.error.name, /NoBrokersAvailable|KafkaTimeoutError|AuthenticationFailedError|KafkaConnectionError/)
  })

  test('ACLs: produce (WRITE topic), consume (READ topic), consumer group (READ group), create topic (CREATE)', async () => {
    const topic = uniqueTopic('alice-kp-acl')
    assert.deepEqual(await driver('produce', { ...config('SCRAM-SHA-512'), topic, values: ['secret'] }), { delivered: 1, error: null })
    // bob may DESCRIBE the topic: kafka-python 2.0.2 ignores TOPIC_AUTHORIZATION_FAILED in Metadata (it waits for
    // max_block_ms instead), so the test gives him metadata and checks that Produce and Fetch themselves refuse him.
    const grant = ['acls', '--bootstrap', broker.listener('SASL_SSL'), '--command-config', adminProperties(broker), '--add', '--allow-principal', 'User:bob']
    await samsa([...grant, '--operation', 'Describe', '--topic', topic])
    const write = await driver<{ error: KafkaError }>('produce', { ...config('PLAIN', 'bob'), topic, values: ['x'] })
    assert.deepEqual([write.error.code, write.error.name], [29, 'TopicAuthorizationFailedError'])
    const read = await driver<{ values: string[], error: KafkaError }>('consume', { ...config('SCRAM-SHA-256', 'bob'), topic })
    assert.deepEqual([read.values, read.error.code, read.error.name], [[], 29, 'TopicAuthorizationFailedError'])
    // bob may now read the topic and find the group's coordinator, but not READ (join) the group.
    await samsa([...grant, '--operation', 'Read', '--topic', topic])
    await samsa([...grant, '--operation', 'Describe', '--group', 'alice-kp-group'])
    assert.deepEqual(await driver('consume', { ...config('SCRAM-SHA-256', 'bob'), topic }), { values: ['secret'], error: null })
    const group = await driver<{ error: KafkaError }>('consume', { ...config('SCRAM-SHA-256', 'bob'), topic, group: 'alice-kp-group' })
    assert.deepEqual([group.error.code, group.error.name], [30, 'GroupAuthorizationFailedError'])
    assert.deepEqual(await driver('consume', { ...config('SCRAM-SHA-256'), topic, group: 'alice-kp-group' }), { values: ['secret'], error: null })
    const created = await driver<{ error: KafkaError | null }>('create_topic', { ...config('SCRAM-SHA-512', 'bob'), topic: uniqueTopic('alice-kp-new') })
    assert.equal(created.error?.code, 29)
    assert.deepEqual(await driver('create_topic', { ...config('SCRAM-SHA-512'), topic: uniqueTopic('alice-kp-new') }), { error: null })
  })
})
