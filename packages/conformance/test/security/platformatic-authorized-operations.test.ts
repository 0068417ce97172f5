import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Admin } from '@platformatic/kafka'
import { AUTHORIZER_SETTINGS, PASSWORDS, SecureBroker, adminProperties, grantAliceAcls, samsa } from './security-support.js'

/**
 * KIP-430 authorized operations through a real client: @platformatic/kafka's Admin.describeGroups passes
 * includeAuthorizedOperations (DescribeGroups v5) and returns the bit set per group. (kafkajs does not expose the
 * field, and its fetchTopicMetadata / platformatic's metadata() never ask for topic or cluster operations; those
 * are covered by the raw protocol tests in packages/broker/test/security/authorized-operations.test.ts.)
 */
const READ = 1 << 3
const DELETE = 1 << 6
const DESCRIBE = 1 << 8

describe('@platformatic/kafka describeGroups: authorized operations', { timeout: 60_000 }, () => {
  let broker: SecureBroker
  const admins: Admin[] = []
  before(async () => {
    broker = await SecureBroker.start({ settings: AUTHORIZER_SETTINGS })
    await grantAliceAcls(broker) // ALL on groups starting with alice-
    await samsa(['acls', '--bootstrap', broker.listener('SASL_SSL'), '--command-config', adminProperties(broker), '--add', '--allow-principal', 'User:bob', '--operation', 'Describe', '--group', 'alice-shared'])
  })
  after(async () => {
    for (const admin of admins) await admin.close().catch(() => undefined)
    await broker?.close()
  })
  const adminFor = (user: 'alice' | 'bob'): Admin => {
    const admin = new Admin({ clientId: `samsa-kip430-${user}`, bootstrapBrokers: [broker.listener('SASL_PLAINTEXT')], sasl: { mechanism: 'PLAIN', username: user, password: PASSWORDS[user] }, retries: 0 })
    admins.push(admin)
    return admin
  }

  test('each principal sees what its ACLs allow on the group; not asked = -2147483648', async () => {
    const alice = adminFor('alice')
    const bob = adminFor('bob')
    const aliceView = await alice.describeGroups({ groups: ['alice-shared'], includeAuthorizedOperations: true })
    assert.equal(aliceView.get('alice-shared')?.authorizedOperations, READ | DELETE | DESCRIBE) // 328: ALL covers the group's three
    const bobView = await bob.describeGroups({ groups: ['alice-shared'], includeAuthorizedOperations: true })
    assert.equal(bobView.get('alice-shared')?.authorizedOperations, DESCRIBE) // 256
    const notAsked = await alice.describeGroups({ groups: ['alice-shared'] })
    assert.equal(notAsked.get('alice-shared')?.authorizedOperations, -2147483648)
  })
})
