import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { samsa, scratchDir, startBroker, type CliResult } from './cli-helpers.js'

/**
 * `samsa acls` against an in-process broker with the ACL authorizer (admin is a super user, logging in with
 * SCRAM-SHA-512 over SASL_PLAINTEXT through --command-config): kafka-acls' output lines, exact, and exit codes.
 */
const ok = (stdout: string): CliResult => ({ code: 0, stdout, stderr: '' })
const failed = (code: number, stderr: string): CliResult => ({ code, stdout: '', stderr })
const pattern = (type: string, name: string, patternType = 'LITERAL'): string => `ResourcePattern(resourceType=${type}, name=${name}, patternType=${patternType})`
const entry = (principal: string, operation: string, permission = 'ALLOW', host = '*'): string => `(principal=${principal}, host=${host}, operation=${operation}, permissionType=${permission})`

test('samsa acls --add / --list / --remove against a running broker', async (t) => {
  const dataDir = scratchDir('samsa-acls-')
  for (const [user, password] of [['admin', 'admin-secret'], ['bob', 'bob-secret']]) {
    assert.equal((await samsa(['users', 'add', user!, '--password', password!, '--data-dir', dataDir])).code, 0)
  }
  const server = await startBroker(dataDir, ['SASL_PLAINTEXT'], { 'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer', 'super.users': 'User:admin', 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512' })
  t.after(() => server.stop())
  const address = server.address('SASL_PLAINTEXT')
  const properties = (name: string, lines: string[]): string => {
    const file = join(dataDir, `${name}.properties`)
    writeFileSync(file, lines.join('\n') + '\n')
    return file
  }
  const admin = properties('admin', ['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-512', 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin-secret";'])
  const bob = properties('bob', ['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=PLAIN', 'sasl.username=bob', 'sasl.password=bob-secret'])
  const wrong = properties('wrong', ['security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=PLAIN', 'sasl.username=bob', 'sasl.password=guess'])
  const acls = async (...args: string[]): Promise<CliResult> => await samsa(['acls', '--bootstrap', address, '--command-config', admin, ...args])

  await t.test('--add prints one line per ACL created', async () => {
    assert.deepEqual(await acls('--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--operation', 'Write', '--topic', 'orders'), ok(
      `Added ACL ${entry('User:alice', 'READ')} for resource ${pattern('TOPIC', 'orders')}\n` +
      `Added ACL ${entry('User:alice', 'WRITE')} for resource ${pattern('TOPIC', 'orders')}\n`))
    assert.deepEqual(await acls('--add', '--allow-principal', 'User:alice', '--consumer', '--topic', 'logs-', '--group', 'app-', '--resource-pattern-type', 'prefixed'), ok(
      `Added ACL ${entry('User:alice', 'READ')} for resource ${pattern('TOPIC', 'logs-', 'PREFIXED')}\n` +
      `Added ACL ${entry('User:alice', 'DESCRIBE')} for resource ${pattern('TOPIC', 'logs-', 'PREFIXED')}\n` +
      `Added ACL ${entry('User:alice', 'READ')} for resource ${pattern('GROUP', 'app-', 'PREFIXED')}\n`))
    // --bootstrap-server is kafka-acls' spelling; --cluster is always the literal kafka-cluster.
    assert.deepEqual(await samsa(['acls', '--bootstrap-server', address, '--command-config', admin, '--add', '--deny-principal', 'User:bob', '--deny-host', '10.0.0.9', '--operation', 'All', '--cluster']), ok(
      `Added ACL ${entry('User:bob', 'ALL', 'DENY', '10.0.0.9')} for resource ${pattern('CLUSTER', 'kafka-cluster')}\n`))
  })

  await t.test('--list prints kafka-acls blocks, filtered by resource or principal', async () => {
    const block = (resource: string, entries: string[]): string => `Current ACLs for resource \`${resource}\`:\n${entries.map((line) => `\t${line}\n`).join('')}\n`
    assert.deepEqual(await acls('--list'), ok(
      block(pattern('TOPIC', 'orders'), [entry('User:alice', 'READ'), entry('User:alice', 'WRITE')]) +
      block(pattern('TOPIC', 'logs-', 'PREFIXED'), [entry('User:alice', 'READ'), entry('User:alice', 'DESCRIBE')]) +
      block(pattern('GROUP', 'app-', 'PREFIXED'), [entry('User:alice', 'READ')]) +
      block(pattern('CLUSTER', 'kafka-cluster'), [entry('User:bob', 'ALL', 'DENY', '10.0.0.9')])))
    assert.deepEqual(await acls('--list', '--topic', 'orders'), ok(block(pattern('TOPIC', 'orders'), [entry('User:alice', 'READ'), entry('User:alice', 'WRITE')])))
    assert.deepEqual(await acls('--list', '--topic', 'logs-app', '--resource-pattern-type', 'match'), ok(block(pattern('TOPIC', 'logs-', 'PREFIXED'), [entry('User:alice', 'READ'), entry('User:alice', 'DESCRIBE')])))
    assert.deepEqual(await acls('--list', '--principal', 'User:bob'), ok(block(pattern('CLUSTER', 'kafka-cluster'), [entry('User:bob', 'ALL', 'DENY', '10.0.0.9')])))
    assert.deepEqual(await acls('--list', '--topic', 'nothing-here'), ok(''))
  })

  await t.test('--remove prints what it removed', async () => {
    assert.deepEqual(await acls('--remove', '--allow-principal', 'User:alice', '--operation', 'Write', '--topic', 'orders'), ok(
      `Removed ACL ${entry('User:alice', 'WRITE')} from resource ${pattern('TOPIC', 'orders')}\n`))
    assert.deepEqual(await acls('--remove', '--force', '--topic', 'logs-', '--resource-pattern-type', 'prefixed'), ok(
      `Removed ACL ${entry('User:alice', 'READ')} from resource ${pattern('TOPIC', 'logs-', 'PREFIXED')}\n` +
      `Removed ACL ${entry('User:alice', 'DESCRIBE')} from resource ${pattern('TOPIC', 'logs-', 'PREFIXED')}\n`))
    assert.deepEqual(await acls('--remove', '--principal', 'User:bob'), ok(`Removed ACL ${entry('User:bob', 'ALL', 'DENY', '10.0.0.9')} from resource ${pattern('CLUSTER', 'kafka-cluster')}\n`))
    assert.deepEqual(await acls('--remove', '--topic', 'orders', '--operation', 'Write'), ok(''), 'nothing left to remove is not an error')
    assert.deepEqual(await acls('--list'), ok(
      `Current ACLs for resource \`${pattern('TOPIC', 'orders')}\`:\n\t${entry('User:alice', 'READ')}\n\n` +
      `Current ACLs for resource \`${pattern('GROUP', 'app-', 'PREFIXED')}\`:\n\t${entry('User:alice', 'READ')}\n\n`))
  })

  await t.test('refusals from the broker: exit 1 and one line', async () => {
    assert.deepEqual(await acls('--add', '--allow-principal', 'alice', '--topic', 't'), failed(1,
      `samsa acls: cannot add ${entry('alice', 'ALL')} for ${pattern('TOPIC', 't')}: INVALID_REQUEST (Could not parse principal from \`alice\` (no colon is present separating the principal type from the principal name))\n`))
    const asBob = async (...args: string[]): Promise<CliResult> => await samsa(['acls', '--bootstrap', address, '--command-config', bob, ...args])
    assert.deepEqual(await asBob('--add', '--allow-principal', 'User:bob', '--topic', 't'), failed(1,
      `samsa acls: cannot add ${entry('User:bob', 'ALL')} for ${pattern('TOPIC', 't')}: CLUSTER_AUTHORIZATION_FAILED (Cluster authorization failed.)\n`))
    assert.deepEqual(await asBob('--list'), failed(1, 'samsa acls: CLUSTER_AUTHORIZATION_FAILED (Cluster authorization failed.)\n'))
    assert.deepEqual(await asBob('--remove', '--topic', 'orders'), failed(1, 'samsa acls: CLUSTER_AUTHORIZATION_FAILED (Cluster authorization failed.)\n'))
    assert.deepEqual(await samsa(['acls', '--bootstrap', address, '--command-config', wrong, '--list']), failed(1,
      `samsa acls: cannot connect to ${address}: ${address}: authentication failed: Authentication failed: Invalid username or password\n`))
    assert.deepEqual(await acls('--list', '--topic', 'orders', '--principal', 'User:alice').then((result) => result.code), 0, 'the refusals changed nothing')
  })

  await t.test('usage errors: exit 2 and one line, before anything is sent', async () => {
    const cases: Array<[string[], string]> = [
      [['--list', '--bogus'], "Unknown option '--bogus'"],
      [['--list', '--topic'], "Option '--topic <value>' argument missing"],
      [[], 'give exactly one of --add, --remove, --list'],
      [['--add', '--list', '--topic', 't'], 'give exactly one of --add, --remove, --list'],
      [['--add', '--allow-principal', 'User:x', '--operation', 'Fly', '--topic', 't'], 'unknown --operation Fly'],
      [['--list', '--resource-pattern-type', 'glob'], 'unknown --resource-pattern-type glob'],
      [['--add', '--allow-principal', 'User:x', '--topic', 't', '--resource-pattern-type', 'match'], '--add needs --resource-pattern-type literal or prefixed'],
      [['--add', '--topic', 't'], '--add needs a principal (--allow-principal/--deny-principal) and a resource (--topic, --group, --transactional-id, --cluster)'],
      [['--add', '--allow-principal', 'User:x'], '--add needs a principal (--allow-principal/--deny-principal) and a resource (--topic, --group, --transactional-id, --cluster)'],
      [['--remove'], '--remove needs a resource or a principal']
    ]
    for (const [args, message] of cases) {
      assert.deepEqual(await acls(...args), failed(2, `samsa acls: ${message} (see samsa acls --help)\n`), args.join(' '))
    }
    assert.deepEqual(await samsa(['acls', '--list']), failed(2, 'samsa acls: --bootstrap is required (see samsa acls --help)\n'))
    assert.equal((await acls('--list', '--principal', 'User:x')).code, 0)
  })
})

test('samsa acls without a reachable broker, or against one without an authorizer: exit 1', async (t) => {
  const unreachable = await samsa(['acls', '--bootstrap', '127.0.0.1:1', '--list'])
  assert.deepEqual(unreachable, failed(1, 'samsa acls: cannot connect to 127.0.0.1:1: 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n'))
  const server = await startBroker(scratchDir('samsa-acls-'), [])
  t.after(() => server.stop())
  const plain = server.address('PLAINTEXT')
  assert.deepEqual(await samsa(['acls', '--bootstrap', plain, '--list']), failed(1, 'samsa acls: SECURITY_DISABLED (No Authorizer is configured on the broker)\n'))
  assert.deepEqual(await samsa(['acls', '--bootstrap', plain, '--add', '--allow-principal', 'User:a', '--operation', 'Read', '--topic', 't']), failed(1,
    `samsa acls: cannot add ${entry('User:a', 'READ')} for ${pattern('TOPIC', 't')}: SECURITY_DISABLED (No Authorizer is configured on the broker)\n`))
})
