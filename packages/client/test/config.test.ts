import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CLIENT_ERROR_CODES, DEFAULT_RETRY, SamsaClientError, optionsFromEnv, resolveClientOptions, retryDelay, toBaseOptions } from '../src/index.js'
import { readFileSync } from 'node:fs'

describe('configuration from the environment', () => {
  test('KAFKA_BROKERS, KAFKA_CLIENT_ID, KAFKA_SSL, KAFKA_SASL_*', () => {
    const options = optionsFromEnv({
      KAFKA_BROKERS: 'b1:9092, b2:9093,,',
      KAFKA_CLIENT_ID: 'svc',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'alice',
      KAFKA_SASL_PASSWORD: 's3cret'
    })
    assert.deepEqual(options, {
      brokers: ['b1:9092', 'b2:9093'],
      clientId: 'svc',
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 's3cret' }
    })
  })

  test('explicit options win; the environment fills the gaps', () => {
    const resolved = resolveClientOptions({ clientId: 'explicit', ssl: false }, { KAFKA_BROKERS: 'env:1', KAFKA_CLIENT_ID: 'env', KAFKA_SSL: '1' })
    assert.equal(resolved.clientId, 'explicit')
    assert.deepEqual(resolved.brokers, ['env:1'])
    assert.equal(resolved.ssl, false)
    assert.deepEqual(resolved.retry, DEFAULT_RETRY)
  })

  test('development defaults to 127.0.0.1:9092; production requires brokers', () => {
    assert.deepEqual(resolveClientOptions({ clientId: 'a', nodeEnv: 'development' }, {}).brokers, ['127.0.0.1:9092'])
    assert.throws(() => resolveClientOptions({ clientId: 'a', nodeEnv: 'production' }, {}), (error: unknown) => SamsaClientError.is(error, 'SAMSA_CLIENT_CONFIG'))
    assert.throws(() => resolveClientOptions({ brokers: ['x:1'] }, {}), /no client id/)
    assert.equal(resolveClientOptions({ clientId: 'a' }, { NODE_ENV: 'production', KAFKA_BROKERS: 'p:1' }).nodeEnv, 'production')
  })

  test('bad values are refused with SAMSA_CLIENT_CONFIG', () => {
    assert.throws(() => optionsFromEnv({ KAFKA_SSL: 'maybe' }), /KAFKA_SSL=maybe is not a boolean/)
    assert.throws(() => optionsFromEnv({ KAFKA_SASL_MECHANISM: 'kerberos' }), /KAFKA_SASL_MECHANISM/)
  })

  test('mapping to @platformatic/kafka options: TLS, SASL upper-cased, retries with exponential delays', () => {
    const resolved = resolveClientOptions({ clientId: 'svc', brokers: ['h:1'], ssl: true, sasl: { mechanism: 'plain', username: 'u', password: 'p' }, retry: { initialRetryTime: 100, retries: 8, factor: 0 } }, {})
    const base = toBaseOptions(resolved, 'svc-main')
    assert.equal(base.clientId, 'svc-main')
    assert.deepEqual(base.bootstrapBrokers, ['h:1'])
    assert.deepEqual(base.tls, {})
    assert.deepEqual(base.sasl, { mechanism: 'PLAIN', username: 'u', password: 'p' })
    assert.equal(base.retries, 8)
    const delay = base.retryDelay as (client: object, op: string, attempt: number, retries: number, error: Error) => number
    assert.deepEqual([1, 2, 3, 4].map((attempt) => delay({}, 'op', attempt, 8, new Error('x'))), [100, 200, 400, 800])
  })

  test('retryDelay: capped, jitter within ±factor', () => {
    const retry = { ...DEFAULT_RETRY, initialRetryTime: 100, maxRetryTime: 1000, factor: 0.2 }
    assert.equal(retryDelay(retry, 10, () => 0.5), 1000)
    assert.equal(retryDelay(retry, 1, () => 0), 80)
    assert.equal(retryDelay(retry, 1, () => 1), 120)
  })

  test('every error code is documented in docs/sdk.md', () => {
    const doc = readFileSync(new URL('../../../../docs/sdk.md', import.meta.url), 'utf8')
    for (const code of CLIENT_ERROR_CODES) assert.ok(doc.includes(`\`${code}\``), `${code} is not documented in docs/sdk.md`)
  })
})
