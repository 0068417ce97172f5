import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { kcat, kcatPath, run, skipUnlessInstalled } from '../../src/index.js'
import { AUTHORIZER_SETTINGS, PASSWORDS, SecureBroker, grantAliceAcls, uniqueTopic } from './security-support.js'

/**
 * kcat (librdkafka 2.0.2) against every kind of listener: TLS with a client certificate (mTLS), SASL_SSL with
 * SCRAM-SHA-256 and -512, SASL_PLAINTEXT with PLAIN; refusals (wrong password, untrusted broker certificate,
 * no client certificate); ACLs (alice may use alice-* topics, bob may not).
 */
describe('kcat over TLS, mTLS and SASL', { skip: skipUnlessInstalled(kcatPath !== null, 'kcat'), timeout: 120_000 }, () => {
  let broker: SecureBroker
  before(async () => {
    broker = await SecureBroker.start({ settings: AUTHORIZER_SETTINGS })
    await grantAliceAcls(broker)
  })
  after(async () => { await broker?.close() })

  const security = (kind: string, user = 'alice', password: string = PASSWORDS[user as keyof typeof PASSWORDS] ?? 'x'): string[] => {
    const ca = ['-X', `ssl.ca.location=${broker.certs.ca}`]
    switch (kind) {
      case 'SSL': return ['-b', broker.listener('SSL'), '-X', 'security.protocol=ssl', ...ca, '-X', `ssl.certificate.location=${broker.certs.client(user).cert}`, '-X', `ssl.key.location=${broker.certs.client(user).key}`]
      case 'PLAIN': return ['-b', broker.listener('SASL_PLAINTEXT'), '-X', 'security.protocol=sasl_plaintext', '-X', 'sasl.mechanisms=PLAIN', '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`]
      default: return ['-b', broker.listener('SASL_SSL'), '-X', 'security.protocol=sasl_ssl', ...ca, '-X', `sasl.mechanisms=${kind}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`]
    }
  }

  for (const kind of ['SSL', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN']) {
    test(`${kind}: produce and consume as alice`, async () => {
      const topic = uniqueTopic('alice-kcat')
      await kcat(['-P', ...security(kind), '-t', topic, '-K', ':'], { input: `k1:${kind}-one\nk2:${kind}-two\n` })
      const consumed = await kcat(['-C', ...security(kind), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k=%s\\n'])
      assert.equal(consumed.stdout.toString(), `k1=${kind}-one\nk2=${kind}-two\n`)
    })
  }

  test('a wrong password fails authentication (SCRAM and PLAIN)', async () => {
    const results = await Promise.all(['SCRAM-SHA-256', 'PLAIN'].map((kind) => run(kcatPath!, ['-L', ...security(kind, 'alice', 'wrong'), '-m', '2'], { timeoutMs: 20_000 })))
    for (const result of results) {
      assert.notEqual(result.code, 0)
      assert.match(result.stderr, /Authentication failed|SASL authentication error/)
    }
  })

  test('a client that does not trust the CA refuses the broker; one without a certificate is refused by it', async () => {
    const [untrusted, noCertificate] = await Promise.all([
      run(kcatPath!, ['-L', '-b', broker.listener('SASL_SSL'), '-X', 'security.protocol=sasl_ssl', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=alice', '-X', `sasl.password=${PASSWORDS.alice}`, '-X', 'ssl.ca.location=/etc/ssl/certs/ca-certificates.crt', '-m', '2'], { timeoutMs: 20_000 }),
      run(kcatPath!, ['-L', '-b', broker.listener('SSL'), '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${broker.certs.ca}`, '-m', '2'], { timeoutMs: 20_000 })
    ])
    assert.notEqual(untrusted.code, 0)
    assert.match(untrusted.stderr, /certificate verify failed|SSL handshake failed/)
    assert.notEqual(noCertificate.code, 0)
  })

  test('plaintext Kafka to the SSL port is refused; the broker keeps serving', async () => {
    const result = await run(kcatPath!, ['-L', '-b', broker.listener('SSL'), '-m', '1'], { timeoutMs: 20_000 })
    assert.notEqual(result.code, 0)
    const ok = await kcat(['-L', ...security('SCRAM-SHA-512'), '-J'])
    assert.ok(JSON.parse(ok.stdout.toString()).brokers.length === 1)
  })

  test('ACLs: bob may not write or read alice-* topics (TOPIC_AUTHORIZATION_FAILED) and sees none of them', async () => {
    const topic = uniqueTopic('alice-acl')
    await kcat(['-P', ...security('SCRAM-SHA-512'), '-t', topic], { input: 'secret\n' })
    const write = await run(kcatPath!, ['-P', ...security('SCRAM-SHA-512', 'bob'), '-t', topic], { input: 'intrusion\n', timeoutMs: 20_000 })
    assert.match(write.stderr, /Topic authorization failed/)
    const read = await run(kcatPath!, ['-C', ...security('SSL', 'bob'), '-t', topic, '-o', 'beginning', '-e', '-q'], { timeoutMs: 20_000 })
    assert.doesNotMatch(read.stdout.toString(), /secret/)
    assert.match(read.stderr, /Topic authorization failed/)
    const metadata = JSON.parse((await kcat(['-L', ...security('PLAIN', 'bob'), '-J'])).stdout.toString()) as { topics: Array<{ topic: string }> }
    assert.deepEqual(metadata.topics.filter((entry) => entry.topic.startsWith('alice-')), [])
  })
})
