import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import kafkajs from 'kafkajs'
import { AUTHORIZER_SETTINGS, PASSWORDS, SecureBroker, adminProperties, samsa, samsaStatus } from './security-support.js'

/**
 * The security commands of the CLI against a running broker: `samsa users` through AlterUserScramCredentials /
 * DescribeUserScramCredentials over SASL_SSL, and `samsa acls` (--add/--list/--remove with kafka-acls flags);
 * `samsa users --data-dir` for a stopped broker; `samsa certs` made the certificates the broker runs with.
 */
async function canLogin (broker: SecureBroker, user: string, password: string, mechanism: 'scram-sha-256' | 'scram-sha-512' | 'plain'): Promise<boolean> {
  const sasl = { mechanism, username: user, password } as kafkajs.SASLOptions
  const admin = new kafkajs.Kafka({ clientId: 'samsa-cli-check', brokers: [broker.listener('SASL_SSL')], ssl: { ca: [readFileSync(broker.certs.ca)], servername: 'localhost' }, sasl, logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 0 } }).admin()
  try {
    await admin.connect()
    return true
  } catch {
    return false
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}

describe('samsa users / acls / certs', { timeout: 120_000 }, () => {
  let broker: SecureBroker
  let bootstrap: string[]
  before(async () => {
    broker = await SecureBroker.start({ settings: AUTHORIZER_SETTINGS })
    bootstrap = ['--bootstrap', broker.listener('SASL_SSL'), '--command-config', adminProperties(broker)]
  })
  after(async () => { await broker?.close() })

  test('users add/list/remove through a running broker', async () => {
    assert.match(await samsa(['users', 'add', 'carol', '--password-stdin', '--mechanism', 'SCRAM-SHA-256', '--iterations', '4096', ...bootstrap], 'carol-secret\n'), /user carol: SCRAM-SHA-256/)
    assert.ok(await canLogin(broker, 'carol', 'carol-secret', 'scram-sha-256'))
    assert.ok(await canLogin(broker, 'carol', 'carol-secret', 'plain'), 'PLAIN checks the SCRAM credential')
    assert.ok(!await canLogin(broker, 'carol', 'carol-secret', 'scram-sha-512'), 'no SCRAM-SHA-512 credential was made')
    const listed = await samsa(['users', 'list', ...bootstrap])
    assert.match(listed, /^carol\tSCRAM-SHA-256 \(4096 iterations\)$/m)
    assert.match(listed, /^alice\tSCRAM-SHA-256 \(4096 iterations\), SCRAM-SHA-512 \(4096 iterations\)$/m)
    assert.match(await samsa(['users', 'remove', 'carol', ...bootstrap]), /removed SCRAM-SHA-256/)
    assert.ok(!await canLogin(broker, 'carol', 'carol-secret', 'scram-sha-256'))
    const missing = await samsaStatus(['users', 'remove', 'carol', ...bootstrap])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /RESOURCE_NOT_FOUND/)
  })

  test('users add through a principal without ALTER on the cluster is refused', async () => {
    const bobProperties = broker.clientProperties('bob', { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'bob', 'sasl.password': PASSWORDS.bob, 'ssl.ca.location': broker.certs.ca })
    const refused = await samsaStatus(['users', 'add', 'mallory', '--password', 'x', '--bootstrap', broker.listener('SASL_SSL'), '--command-config', bobProperties])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /CLUSTER_AUTHORIZATION_FAILED/)
    const badLogin = broker.clientProperties('wrong', { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.username': 'admin', 'sasl.password': 'guess', 'ssl.ca.location': broker.certs.ca })
    const failed = await samsaStatus(['users', 'list', '--bootstrap', broker.listener('SASL_SSL'), '--command-config', badLogin])
    assert.equal(failed.code, 1)
    assert.match(failed.stderr, /authentication failed/)
  })

  test('acls --add / --list / --remove with kafka-acls flags', async () => {
    const added = await samsa(['acls', ...bootstrap, '--add', '--allow-principal', 'User:dave', '--allow-principal', 'User:erin', '--operation', 'Read', '--operation', 'Describe', '--topic', 'payments', '--group', 'billing'])
    assert.equal(added.trim().split('\n').length, 8, added)
    await samsa(['acls', ...bootstrap, '--add', '--deny-principal', 'User:erin', '--deny-host', '10.0.0.7', '--operation', 'Read', '--topic', 'payments'])
    await samsa(['acls', ...bootstrap, '--add', '--allow-principal', 'User:dave', '--producer', '--topic', 'events-', '--resource-pattern-type', 'prefixed', '--transactional-id', 'dave-tx'])
    const list = await samsa(['acls', ...bootstrap, '--list', '--topic', 'payments'])
    assert.match(list, /ResourcePattern\(resourceType=TOPIC, name=payments, patternType=LITERAL\)/)
    assert.match(list, /\(principal=User:erin, host=10\.0\.0\.7, operation=READ, permissionType=DENY\)/)
    const prefixed = await samsa(['acls', ...bootstrap, '--list', '--topic', 'events-', '--resource-pattern-type', 'prefixed'])
    assert.deepEqual([...prefixed.matchAll(/operation=(\w+)/g)].map((match) => match[1]).sort(), ['CREATE', 'DESCRIBE', 'WRITE'])
    const erin = await samsa(['acls', ...bootstrap, '--list', '--principal', 'User:erin'])
    assert.equal([...erin.matchAll(/principal=User:erin/g)].length, 5)
    const removed = await samsa(['acls', ...bootstrap, '--remove', '--allow-principal', 'User:erin', '--topic', 'payments', '--operation', 'Read'])
    assert.match(removed, /Removed ACL \(principal=User:erin, host=\*, operation=READ, permissionType=ALLOW\)/)
    const all = await samsa(['acls', ...bootstrap, '--remove', '--topic', 'payments'])
    assert.equal([...all.matchAll(/Removed ACL/g)].length, 4) // dave READ + DESCRIBE, erin DESCRIBE + DENY READ
    assert.doesNotMatch(await samsa(['acls', ...bootstrap, '--list', '--topic', 'payments']), /principal=/)
    const bad = await samsaStatus(['acls', ...bootstrap, '--add', '--allow-principal', 'User:x', '--operation', 'Fly', '--topic', 't'])
    assert.equal(bad.code, 2)
  })

  test('users --data-dir edits the credentials of a stopped broker', async () => {
    const dataDir = join(broker.dir, 'offline-data')
    await samsa(['users', 'add', 'frank', '--password', 'f', '--mechanism', 'PLAIN', '--data-dir', dataDir])
    assert.match(await samsa(['users', 'list', '--data-dir', dataDir]), /^frank\tSCRAM-SHA-512 \(8192 iterations\)$/m)
    assert.doesNotMatch(readFileSync(join(dataDir, 'security', 'credentials.json'), 'utf8'), /"f"/)
    await samsa(['users', 'remove', 'frank', '--data-dir', dataDir])
    assert.equal((await samsa(['users', 'list', '--data-dir', dataDir])).trim(), '')
  })
})
