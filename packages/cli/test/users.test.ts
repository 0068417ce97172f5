import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { canLogin, samsa, scratchDir, startBroker } from './cli-helpers.js'

/** `samsa users --data-dir`: exact outputs and exit codes; the stored credentials really log in (SCRAM and PLAIN). */
const ok = (stdout: string): { code: number, stdout: string, stderr: string } => ({ code: 0, stdout, stderr: '' })

test('users add / list / remove on a data directory', async () => {
  const dataDir = scratchDir('samsa-users-')
  const run = async (args: string[], input?: string): Promise<unknown> => await samsa(['users', ...args, '--data-dir', dataDir], input)

  assert.deepEqual(await run(['add', 'alice', '--password', 'a-secret']), ok('user alice: SCRAM-SHA-256, SCRAM-SHA-512 (8192 iterations)\n'))
  assert.deepEqual(await run(['add', 'bob', '--password-stdin', '--mechanism', 'PLAIN', '--iterations', '4096'], 'b-secret\n'), ok('user bob: SCRAM-SHA-512 (4096 iterations)\n'))
  assert.deepEqual(await run(['add', 'carol', '--password', 'c', '--mechanism', 'scram-sha-256,SCRAM-SHA-512', '--iterations', '16384']), ok('user carol: SCRAM-SHA-256, SCRAM-SHA-512 (16384 iterations)\n'))
  assert.deepEqual(await run(['list']), ok([
    'alice\tSCRAM-SHA-256 (8192 iterations), SCRAM-SHA-512 (8192 iterations)',
    'bob\tSCRAM-SHA-512 (4096 iterations)',
    'carol\tSCRAM-SHA-256 (16384 iterations), SCRAM-SHA-512 (16384 iterations)',
    ''
  ].join('\n')))
  assert.deepEqual(await run(['list', 'bob', 'nobody']), ok('bob\tSCRAM-SHA-512 (4096 iterations)\nnobody\t(no credentials)\n'))

  // Salted credentials only, never a password; the file is the owner's alone.
  const file = join(dataDir, 'security', 'credentials.json')
  assert.equal(statSync(file).mode & 0o777, 0o600)
  const stored = readFileSync(file, 'utf8')
  for (const password of ['a-secret', 'b-secret']) assert.ok(!stored.includes(password))
  assert.deepEqual(Object.keys(JSON.parse(stored).users.bob['SCRAM-SHA-512']).sort(), ['iterations', 'salt', 'serverKey', 'storedKey'])

  assert.deepEqual(await run(['remove', 'alice', '--mechanism', 'SCRAM-SHA-256']), ok('user alice: removed SCRAM-SHA-256\n'))
  assert.deepEqual(await run(['remove', 'alice', '--mechanism', 'SCRAM-SHA-256']), { code: 1, stdout: '', stderr: 'samsa users: user alice has no SCRAM-SHA-256 credential\n' })
  assert.deepEqual(await run(['remove', 'carol']), ok('user carol: removed SCRAM-SHA-256, SCRAM-SHA-512\n'))
  assert.deepEqual(await run(['remove', 'carol']), { code: 1, stdout: '', stderr: 'samsa users: user carol has no credential\n' })
  assert.deepEqual(await run(['list']), ok('alice\tSCRAM-SHA-512 (8192 iterations)\nbob\tSCRAM-SHA-512 (4096 iterations)\n'))
})

test('credentials written by the CLI log in, and a running broker picks up changes', async (t) => {
  const dataDir = scratchDir('samsa-users-')
  assert.equal((await samsa(['users', 'add', 'alice', '--password', 'a-secret', '--data-dir', dataDir])).code, 0)
  assert.equal((await samsa(['users', 'add', 'bob', '--password', 'b-secret', '--mechanism', 'PLAIN', '--data-dir', dataDir])).code, 0)
  const server = await startBroker(dataDir, ['SASL_PLAINTEXT'], { 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512' })
  t.after(() => server.stop())
  const sasl = server.address('SASL_PLAINTEXT')
  assert.deepEqual([
    await canLogin(sasl, 'SCRAM-SHA-256', 'alice', 'a-secret'),
    await canLogin(sasl, 'SCRAM-SHA-512', 'alice', 'a-secret'),
    await canLogin(sasl, 'PLAIN', 'alice', 'a-secret'),
    await canLogin(sasl, 'SCRAM-SHA-256', 'alice', 'wrong'),
    await canLogin(sasl, 'PLAIN', 'bob', 'b-secret'),
    await canLogin(sasl, 'SCRAM-SHA-512', 'bob', 'b-secret'),
    await canLogin(sasl, 'SCRAM-SHA-256', 'bob', 'b-secret') // PLAIN made only a SCRAM-SHA-512 credential
  ], [true, true, true, false, true, true, false])

  assert.equal((await samsa(['users', 'add', 'dave', '--password', 'd-secret', '--mechanism', 'SCRAM-SHA-256', '--data-dir', dataDir])).code, 0)
  assert.equal(await canLogin(sasl, 'SCRAM-SHA-256', 'dave', 'd-secret'), true, 'added while the broker runs')
  assert.equal((await samsa(['users', 'remove', 'alice', '--data-dir', dataDir])).code, 0)
  assert.equal(await canLogin(sasl, 'SCRAM-SHA-512', 'alice', 'a-secret'), false, 'removed while the broker runs')
})

test('samsa users usage errors: exit 2 and one line', async () => {
  const dataDir = scratchDir('samsa-users-')
  const cases: Array<[string[], string]> = [
    [['list', '--bogus', '--data-dir', dataDir], "Unknown option '--bogus'"],
    [['list'], 'give exactly one of --data-dir and --bootstrap'],
    [['list', '--data-dir', dataDir, '--bootstrap', '127.0.0.1:9092'], 'give exactly one of --data-dir and --bootstrap'],
    [['--data-dir', dataDir], 'missing action (add, list, remove)'],
    [['rename', 'x', '--data-dir', dataDir], 'unknown action "rename"'],
    [['add', 'x', '--data-dir', dataDir], 'give --password or --password-stdin'],
    [['add', '--password', 'p', '--data-dir', dataDir], 'users add takes one user name'],
    [['add', 'x', 'y', '--password', 'p', '--data-dir', dataDir], 'users add takes one user name'],
    [['add', 'x', '--password', 'p', '--mechanism', 'MD5', '--data-dir', dataDir], 'unknown mechanism MD5 (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN)'],
    [['add', 'x', '--password', 'p', '--iterations', '100', '--data-dir', dataDir], '--iterations must be an integer in [4096, 16384]'],
    [['remove', '--data-dir', dataDir], 'users remove takes one user name']
  ]
  for (const [args, message] of cases) {
    const result = await samsa(['users', ...args])
    assert.deepEqual([result.code, result.stderr, result.stdout], [2, `samsa users: ${message} (see samsa users --help)\n`, ''], args.join(' '))
  }
  assert.deepEqual((await samsa(['users', 'list', '--data-dir', dataDir])), ok(''), 'nothing was written by the refused commands')
})
