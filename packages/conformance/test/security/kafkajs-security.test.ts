import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import kafkajs from 'kafkajs'
import { AUTHORIZER_SETTINGS, PASSWORDS, SecureBroker, grantAliceAcls, uniqueTopic } from './security-support.js'

/**
 * kafkajs 2.2.4 over SSL with a client certificate, SASL_SSL (SCRAM-SHA-256/512) and SASL_PLAINTEXT (PLAIN), and
 * the ACL matrix: for each operation alice (with the ACL) succeeds and bob (without) gets the exact
 * *_AUTHORIZATION_FAILED error type.
 */
const { Kafka, logLevel, ConfigResourceTypes } = kafkajs
type User = keyof typeof PASSWORDS

/** Every Kafka error type inside a kafkajs error (aggregates carry one per topic or partition). */
function errorTypes (error: unknown): string[] {
  const value = error as { errors?: unknown[], originalError?: unknown, cause?: unknown, partitions?: Array<{ error?: unknown }>, type?: string }
  if (Array.isArray(value.errors)) return value.errors.flatMap(errorTypes)
  if (value.originalError !== undefined) return errorTypes(value.originalError)
  if (value.cause !== undefined && value.type === undefined) return errorTypes(value.cause)
  if (Array.isArray(value.partitions)) return value.partitions.flatMap((partition) => errorTypes(partition.error))
  return [value.type ?? String(error)]
}

async function failure (action: () => Promise<unknown>): Promise<string[]> {
  try {
    await action()
  } catch (error) {
    return errorTypes(error)
  }
  return ['(no error)']
}

describe('kafkajs over TLS, mTLS and SASL; ACL matrix', { timeout: 120_000 }, () => {
  let broker: SecureBroker
  const clients: Array<{ disconnect: () => Promise<void> }> = []
  before(async () => {
    broker = await SecureBroker.start({ settings: AUTHORIZER_SETTINGS })
    await grantAliceAcls(broker)
  })
  after(async () => {
    for (const client of clients) await client.disconnect().catch(() => undefined)
    await broker?.close()
  })

  const kafka = (kind: string, user: User = 'alice'): kafkajs.Kafka => {
    const ca = [readFileSync(broker.certs.ca)]
    const base = { clientId: `samsa-kafkajs-${user}`, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 5000 }
    switch (kind) {
      case 'SSL': return new Kafka({ ...base, brokers: [broker.listener('SSL')], ssl: { ca, cert: readFileSync(broker.certs.client(user).cert), key: readFileSync(broker.certs.client(user).key), servername: 'localhost' } })
      case 'PLAIN': return new Kafka({ ...base, brokers: [broker.listener('SASL_PLAINTEXT')], sasl: { mechanism: 'plain', username: user, password: PASSWORDS[user] } })
      default: {
        const credentials = { username: user as string, password: PASSWORDS[user] as string }
        const sasl: kafkajs.SASLOptions = kind === 'SCRAM-SHA-256' ? { mechanism: 'scram-sha-256', ...credentials } : { mechanism: 'scram-sha-512', ...credentials }
        return new Kafka({ ...base, brokers: [broker.listener('SASL_SSL')], ssl: { ca, servername: 'localhost' }, sasl })
      }
    }
  }
  const admin = async (user: User): Promise<kafkajs.Admin> => {
    const client = kafka('SCRAM-SHA-512', user).admin()
    await client.connect()
    clients.push(client)
    return client
  }
  const producer = async (user: User, kind = 'SCRAM-SHA-256', config: kafkajs.ProducerConfig = {}): Promise<kafkajs.Producer> => {
    const client = kafka(kind, user).producer({ allowAutoTopicCreation: true, ...config })
    await client.connect()
    clients.push(client)
    return client
  }

  for (const kind of ['SSL', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN']) {
    test(`${kind}: alice produces and consumes`, async () => {
      const topic = uniqueTopic('alice-kafkajs')
      const sender = await producer('alice', kind)
      await sender.send({ topic, messages: [{ key: 'k', value: `via ${kind}` }] })
      const consumer = kafka(kind).consumer({ groupId: uniqueTopic('alice-group'), sessionTimeout: 10_000, heartbeatInterval: 500 })
      clients.push(consumer)
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      const received = await new Promise<string>((resolve) => { void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }) })
      assert.equal(received, `via ${kind}`)
      await consumer.disconnect()
    })
  }

  test('a wrong password is refused', async () => {
    const client = new Kafka({ clientId: 'x', logLevel: logLevel.NOTHING, retry: { retries: 0 }, brokers: [broker.listener('SASL_SSL')], ssl: { ca: [readFileSync(broker.certs.ca)], servername: 'localhost' }, sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'nope' } }).admin()
    await assert.rejects(client.connect(), (error: Error) => /SASL SCRAM SHA256 authentication failed|invalid credentials/i.test(error.message))
  })

  test('Produce: WRITE on the topic (TOPIC_AUTHORIZATION_FAILED)', async () => {
    const topic = uniqueTopic('alice-produce')
    await (await producer('alice')).send({ topic, messages: [{ value: 'ok' }] })
    assert.deepEqual(await failure(async () => (await producer('bob')).send({ topic, messages: [{ value: 'no' }] })), ['TOPIC_AUTHORIZATION_FAILED'])
  })

  test('Consumer group: READ on the group (GROUP_AUTHORIZATION_FAILED)', async () => {
    const topic = uniqueTopic('alice-groupcheck')
    const aliceAdmin = await admin('alice')
    await aliceAdmin.createTopics({ topics: [{ topic }] })
    // bob may read the topic and DESCRIBE the group (kafkajs hides FindCoordinator errors), but not READ the group.
    const grant = (resourceType: number, resourceName: string, operation: number): kafkajs.AclEntry => ({ resourceType, resourceName, resourcePatternType: kafkajs.ResourcePatternTypes.LITERAL, principal: 'User:bob', host: '*', operation, permissionType: kafkajs.AclPermissionTypes.ALLOW })
    await (await admin('admin')).createAcls({ acl: [grant(kafkajs.AclResourceTypes.TOPIC, topic, kafkajs.AclOperationTypes.READ), grant(kafkajs.AclResourceTypes.GROUP, 'alice-g', kafkajs.AclOperationTypes.DESCRIBE)] })
    assert.deepEqual(await aliceAdmin.fetchOffsets({ groupId: 'alice-g', topics: [topic] }), [{ topic, partitions: [{ partition: 0, offset: '-1', metadata: null }] }])
    const consumer = kafka('SCRAM-SHA-512', 'bob').consumer({ groupId: 'alice-g', retry: { retries: 0 } })
    clients.push(consumer)
    const crashed = new Promise<string[]>((resolve) => consumer.on(consumer.events.CRASH, ({ payload }) => resolve(errorTypes(payload.error))))
    await consumer.connect()
    await consumer.subscribe({ topic })
    void consumer.run({ eachMessage: async () => {} }).catch(() => undefined)
    assert.deepEqual(await crashed, ['GROUP_AUTHORIZATION_FAILED'])
  })

  test('CreateTopics / DeleteTopics: CREATE and DELETE on the topic (TOPIC_AUTHORIZATION_FAILED)', async () => {
    const [aliceAdmin, bobAdmin] = [await admin('alice'), await admin('bob')]
    const topic = uniqueTopic('alice-admin')
    assert.deepEqual(await failure(() => bobAdmin.createTopics({ topics: [{ topic }] })), ['TOPIC_AUTHORIZATION_FAILED'])
    assert.equal(await aliceAdmin.createTopics({ topics: [{ topic }] }), true)
    assert.deepEqual(await failure(() => bobAdmin.deleteTopics({ topics: [topic] })), ['TOPIC_AUTHORIZATION_FAILED'])
    await aliceAdmin.deleteTopics({ topics: [topic] })
  })

  test('DescribeConfigs / AlterConfigs: DESCRIBE_CONFIGS and ALTER_CONFIGS on the topic (TOPIC_AUTHORIZATION_FAILED)', async () => {
    const [aliceAdmin, bobAdmin] = [await admin('alice'), await admin('bob')]
    const topic = uniqueTopic('alice-configs')
    await aliceAdmin.createTopics({ topics: [{ topic }] })
    const resources = [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }]
    assert.equal((await aliceAdmin.describeConfigs({ resources, includeSynonyms: false })).resources[0]!.errorCode, 0)
    assert.deepEqual(await failure(() => bobAdmin.describeConfigs({ resources, includeSynonyms: false })), ['TOPIC_AUTHORIZATION_FAILED'])
    const change = [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'retention.ms', value: '60000' }] }]
    await aliceAdmin.alterConfigs({ resources: change, validateOnly: false })
    assert.deepEqual(await failure(() => bobAdmin.alterConfigs({ resources: change, validateOnly: false })), ['TOPIC_AUTHORIZATION_FAILED'])
  })

  test('Transactions: WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED)', async () => {
    const topic = uniqueTopic('alice-txn')
    // bob may write some topic, which lets his idempotent producer start (KIP-679), and DESCRIBE alice-tx (kafkajs
    // hides FindCoordinator errors), but not WRITE it.
    const bobAcl = (resourceType: number, resourceName: string, resourcePatternType: number, operation: number): kafkajs.AclEntry => ({ resourceType, resourceName, resourcePatternType, principal: 'User:bob', host: '*', operation, permissionType: kafkajs.AclPermissionTypes.ALLOW })
    await (await admin('admin')).createAcls({
      acl: [
        bobAcl(kafkajs.AclResourceTypes.TOPIC, 'bob-', kafkajs.ResourcePatternTypes.PREFIXED, kafkajs.AclOperationTypes.WRITE),
        bobAcl(kafkajs.AclResourceTypes.TRANSACTIONAL_ID, 'alice-tx', kafkajs.ResourcePatternTypes.LITERAL, kafkajs.AclOperationTypes.DESCRIBE)
      ]
    })
    const aliceTx = await producer('alice', 'SCRAM-SHA-512', { transactionalId: 'alice-tx', idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } })
    const transaction = await aliceTx.transaction()
    await transaction.send({ topic, messages: [{ value: 'in a transaction' }] })
    await transaction.commit()
    const bobTx = await producer('bob', 'SCRAM-SHA-512', { transactionalId: 'alice-tx', idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } })
    assert.deepEqual(await failure(() => bobTx.transaction()), ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED'])
  })

  test('Metadata: DESCRIBE on the topic (TOPIC_AUTHORIZATION_FAILED); DescribeAcls: DESCRIBE on the cluster', async () => {
    const topic = uniqueTopic('alice-meta')
    const aliceAdmin = await admin('alice')
    await aliceAdmin.createTopics({ topics: [{ topic }] })
    assert.equal((await aliceAdmin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.name, topic)
    const bobAdmin = await admin('bob')
    assert.deepEqual(await failure(() => bobAdmin.fetchTopicMetadata({ topics: [topic] })), ['TOPIC_AUTHORIZATION_FAILED'])
    const filter = { resourceType: kafkajs.AclResourceTypes.ANY, resourcePatternType: kafkajs.ResourcePatternTypes.ANY, operation: kafkajs.AclOperationTypes.ANY, permissionType: kafkajs.AclPermissionTypes.ANY }
    assert.deepEqual(await failure(() => bobAdmin.describeAcls(filter)), ['CLUSTER_AUTHORIZATION_FAILED'])
    const acls = await (await admin('admin')).describeAcls(filter)
    assert.ok(acls.resources.some((resource) => resource.resourceName === 'alice-tx'))
  })
})
