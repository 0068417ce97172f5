import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Admin, Consumer, Producer, ProduceAcks, type SASLOptions } from '@platformatic/kafka'
import { AUTHORIZER_SETTINGS, PASSWORDS, SecureBroker, grantAliceAcls, uniqueTopic } from './security-support.js'

/**
 * @platformatic/kafka 1.35.0 (SaslHandshake v1 + SaslAuthenticate v2, flexible versions only) over SSL with client
 * certificates, SASL_SSL with SCRAM-SHA-256/512 and SASL_PLAINTEXT with PLAIN; its ACL errors; and KIP-368
 * re-authentication, which it performs when the broker announces a session lifetime.
 */
type User = keyof typeof PASSWORDS
type Closable = { close: () => Promise<void> }

/** Every Kafka error name (apiId) inside a platformatic error, which may aggregate several. */
function kafkaErrors (error: unknown): string[] {
  const names = new Set<string>()
  const visit = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== 'object' || depth > 6) return
    const entry = value as { apiId?: unknown, errors?: unknown, cause?: unknown }
    if (typeof entry.apiId === 'string') names.add(entry.apiId)
    if (Array.isArray(entry.errors)) for (const inner of entry.errors) visit(inner, depth + 1)
    if (entry.errors !== null && typeof entry.errors === 'object' && !Array.isArray(entry.errors)) for (const inner of Object.values(entry.errors)) visit(inner, depth + 1)
    visit(entry.cause, depth + 1)
  }
  visit(error, 0)
  return [...names]
}

async function failure (action: () => Promise<unknown>): Promise<string[]> {
  try {
    await action()
  } catch (error) {
    return kafkaErrors(error)
  }
  return ['(no error)']
}

describe('@platformatic/kafka over TLS, mTLS and SASL; ACL errors', { timeout: 120_000 }, () => {
  let broker: SecureBroker
  const clients: Closable[] = []
  before(async () => {
    broker = await SecureBroker.start({ settings: AUTHORIZER_SETTINGS })
    await grantAliceAcls(broker)
  })
  after(async () => {
    for (const client of clients) await client.close().catch(() => undefined)
    await broker?.close()
  })

  const options = (kind: string, user: User = 'alice', password: string = PASSWORDS[user]): { bootstrapBrokers: string[], tls?: Record<string, unknown>, sasl?: SASLOptions, clientId: string, retries: number } => {
    const ca = readFileSync(broker.certs.ca)
    const base = { clientId: `samsa-platformatic-${user}`, retries: 0 }
    switch (kind) {
      case 'SSL': return { ...base, bootstrapBrokers: [broker.listener('SSL')], tls: { ca, cert: readFileSync(broker.certs.client(user).cert), key: readFileSync(broker.certs.client(user).key), servername: 'localhost' } }
      case 'PLAIN': return { ...base, bootstrapBrokers: [broker.listener('SASL_PLAINTEXT')], sasl: { mechanism: 'PLAIN', username: user, password } }
      default: return { ...base, bootstrapBrokers: [broker.listener('SASL_SSL')], tls: { ca, servername: 'localhost' }, sasl: { mechanism: kind as 'SCRAM-SHA-256', username: user, password } }
    }
  }
  const keep = <T extends Closable>(client: T): T => { clients.push(client); return client }

  for (const kind of ['SSL', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN']) {
    test(`${kind}: alice produces; offsets and metadata answer`, async () => {
      const topic = uniqueTopic('alice-plt')
      const producer = keep(new Producer({ ...options(kind), autocreateTopics: true }))
      const sent = await producer.send({ acks: ProduceAcks.ALL, messages: [{ topic, partition: 0, value: Buffer.from('one') }, { topic, partition: 0, value: Buffer.from('two') }] })
      assert.deepEqual(sent.offsets, [{ topic, partition: 0, offset: 0n }])
      const consumer = keep(new Consumer({ ...options(kind), groupId: 'alice-plt-group' }))
      assert.deepEqual((await consumer.listOffsets({ topics: [topic] })).get(topic), [2n])
    })
  }

  test('a wrong password is refused', async () => {
    const admin = keep(new Admin(options('SCRAM-SHA-512', 'alice', 'nope')))
    const errors = await failure(() => admin.listTopics())
    assert.ok(errors.includes('SASL_AUTHENTICATION_FAILED'), JSON.stringify(errors))
  })

  test('ACLs: produce (WRITE), create topic (CREATE), list offsets (DESCRIBE) refused for bob with the exact error', async () => {
    const topic = uniqueTopic('alice-plt-acl')
    const aliceAdmin = keep(new Admin(options('SCRAM-SHA-256')))
    await aliceAdmin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
    const bobAdmin = keep(new Admin(options('SCRAM-SHA-256', 'bob')))
    assert.deepEqual(await failure(() => bobAdmin.createTopics({ topics: [uniqueTopic('alice-plt-new')], partitions: 1, replicas: 1 })), ['TOPIC_AUTHORIZATION_FAILED'])
    const bobProducer = keep(new Producer({ ...options('PLAIN', 'bob'), autocreateTopics: false }))
    assert.ok((await failure(() => bobProducer.send({ messages: [{ topic, partition: 0, value: Buffer.from('x') }] }))).includes('TOPIC_AUTHORIZATION_FAILED'))
    const bobConsumer = keep(new Consumer({ ...options('SSL', 'bob'), groupId: 'bob-group' }))
    assert.ok((await failure(() => bobConsumer.listOffsets({ topics: [topic] }))).includes('TOPIC_AUTHORIZATION_FAILED'))
  })
})

describe('@platformatic/kafka re-authentication (connections.max.reauth.ms)', { timeout: 60_000 }, () => {
  let broker: SecureBroker
  before(async () => { broker = await SecureBroker.start({ settings: { 'connections.max.reauth.ms': '1000' } }) })
  after(async () => { await broker?.close() })

  test('the client re-authenticates on its connection before the session expires and keeps producing', async () => {
    const producer = new Producer({ clientId: 'samsa-reauth', bootstrapBrokers: [broker.listener('SASL_SSL')], tls: { ca: readFileSync(broker.certs.ca), servername: 'localhost' }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: PASSWORDS.alice }, autocreateTopics: true, retries: 0 })
    try {
      const topic = uniqueTopic('reauth')
      for (let round = 0; round < 4; round++) {
        await producer.send({ acks: ProduceAcks.ALL, messages: [{ topic, partition: 0, value: Buffer.from(`round ${round}`) }] })
        await sleep(700)
      }
    } finally {
      await producer.close()
    }
    const logins = broker.auditEvents().filter((event) => event.event === 'authentication' && event.principal === 'User:alice' && event.result === 'success')
    assert.ok(logins.some((event) => event.reauthentication === true), JSON.stringify(logins))
  })
})
