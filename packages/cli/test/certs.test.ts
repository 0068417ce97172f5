import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { samsa, scratchDir } from './cli-helpers.js'

/** `samsa certs`: files, modes, the chain as openssl sees it, the printed settings, and usage errors. */
const openssl = (args: string[], cwd: string): string => execFileSync('openssl', args, { cwd, encoding: 'utf8' })

test('samsa certs creates a CA, a broker and client certificates that openssl verifies', async () => {
  const out = join(scratchDir('samsa-certs-'), 'certs')
  const result = await samsa(['certs', '--out', out, '--client', 'alice'])
  assert.equal(result.code, 0, result.stderr)
  assert.equal(result.stderr, '')
  assert.equal(result.stdout, [
    `CA:                 ${out}/ca.pem`,
    `broker keystore:    ${out}/broker.keystore.pem (key + certificate chain)`,
    `client alice:       ${out}/client-alice.pem, ${out}/client-alice.key`,
    '',
    'broker settings (server.properties or --set):',
    '  listeners=PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093,SASL_SSL://127.0.0.1:9094',
    `  ssl.keystore.location=${out}/broker.keystore.pem`,
    `  ssl.truststore.location=${out}/ca.pem`,
    '  ssl.client.auth=required        # mTLS on SSL listeners; none or requested otherwise',
    '',
    'client settings (librdkafka / kcat):',
    `  security.protocol=ssl  ssl.ca.location=${out}/ca.pem`,
    `  ssl.certificate.location=${out}/client-alice.pem  ssl.key.location=${out}/client-alice.key`,
    ''
  ].join('\n'))
  // Exactly these files (no CSR or extension files left behind); private keys readable by the owner only.
  assert.deepEqual(readdirSync(out).sort(), ['broker.key', 'broker.keystore.pem', 'broker.pem', 'ca.key', 'ca.pem', 'client-alice.key', 'client-alice.keystore.pem', 'client-alice.pem'])
  for (const secret of ['ca.key', 'broker.key', 'broker.keystore.pem', 'client-alice.key', 'client-alice.keystore.pem']) {
    assert.equal(statSync(join(out, secret)).mode & 0o777, 0o600, secret)
  }

  assert.equal(openssl(['verify', '-CAfile', 'ca.pem', 'broker.pem', 'client-alice.pem'], out), 'broker.pem: OK\nclient-alice.pem: OK\n')
  assert.equal(openssl(['verify', '-CAfile', 'ca.pem', '-purpose', 'sslserver', 'broker.pem'], out), 'broker.pem: OK\n')
  assert.equal(openssl(['verify', '-CAfile', 'ca.pem', '-purpose', 'sslclient', 'client-alice.pem'], out), 'client-alice.pem: OK\n')
  assert.equal(openssl(['x509', '-in', 'client-alice.pem', '-noout', '-subject', '-nameopt', 'RFC2253'], out), 'subject=CN=alice,OU=clients,O=samsa\n')
  assert.match(openssl(['x509', '-in', 'broker.pem', '-noout', '-ext', 'subjectAltName'], out), /DNS:localhost, IP Address:127\.0\.0\.1/)
  // The keystore is key + certificate + CA, so the broker can serve the chain from ssl.keystore.location alone.
  const keystore = readFileSync(join(out, 'broker.keystore.pem'), 'utf8')
  assert.equal(keystore, readFileSync(join(out, 'broker.key'), 'utf8') + readFileSync(join(out, 'broker.pem'), 'utf8') + readFileSync(join(out, 'ca.pem'), 'utf8'))
})

test('--reuse-ca adds certificates under the existing CA; --host sets the broker names', async () => {
  const out = scratchDir('samsa-certs-')
  assert.equal((await samsa(['certs', '--out', out])).code, 0)
  const ca = readFileSync(join(out, 'ca.pem'), 'utf8')
  const again = await samsa(['certs', '--out', out, '--reuse-ca', '--client', 'bob', '--host', 'kafka.test', '--host', '10.1.2.3', '--days', '30'])
  assert.equal(again.code, 0, again.stderr)
  assert.equal(readFileSync(join(out, 'ca.pem'), 'utf8'), ca, 'the CA is kept')
  assert.equal(openssl(['verify', '-CAfile', 'ca.pem', 'broker.pem', 'client-bob.pem'], out), 'broker.pem: OK\nclient-bob.pem: OK\n')
  assert.match(openssl(['x509', '-in', 'broker.pem', '-noout', '-ext', 'subjectAltName'], out), /DNS:kafka\.test, IP Address:10\.1\.2\.3/)
  // Without --reuse-ca a new CA replaces the old one.
  assert.equal((await samsa(['certs', '--out', out])).code, 0)
  assert.notEqual(readFileSync(join(out, 'ca.pem'), 'utf8'), ca)
})

test('samsa certs usage errors: exit 2 and one line', async () => {
  const out = scratchDir('samsa-certs-')
  const cases: Array<[string[], string]> = [
    [['certs'], 'samsa certs: --out is required (see samsa certs --help)\n'],
    [['certs', '--out', out, '--bogus'], "samsa certs: Unknown option '--bogus' (see samsa certs --help)\n"],
    [['certs', '--out', out, '--days', '0'], 'samsa certs: --days must be a positive integer (see samsa certs --help)\n'],
    [['certs', '--out', out, '--days', 'soon'], 'samsa certs: --days must be a positive integer (see samsa certs --help)\n'],
    [['certs', '--out'], "samsa certs: Option '--out <value>' argument missing (see samsa certs --help)\n"]
  ]
  for (const [args, stderr] of cases) {
    const result = await samsa(args)
    assert.deepEqual([result.code, result.stderr, result.stdout], [2, stderr, ''], args.join(' '))
  }
  // A bad client name is an error of the request, not of the flags: exit 1.
  const bad = await samsa(['certs', '--out', out, '--client', 'a b'])
  assert.deepEqual([bad.code, bad.stderr], [1, 'samsa certs: client name "a b" must be letters, digits, ".", "_" or "-"\n'])
  const help = await samsa(['certs', '--help'])
  assert.equal(help.code, 0)
  assert.match(help.stdout, /^usage: samsa certs --out <dir>/)
})
