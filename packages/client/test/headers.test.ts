import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  BusinessRuleError, CategorizedError, DLT_HEADERS, SamsaClientError, SchemaValidationError, TransientError, ValidationError,
  backoffDelay, bigIntegerBytes, classify, defaultClassifier, deadLetterTopicName, parseRetryTopic, readNumber, resolveRetryPolicy, retryTopicName
} from '../src/index.js'

describe('Java encodings of Spring headers', () => {
  test('BigInteger.toByteArray: minimal big-endian two\'s complement', () => {
    const hex = (n: bigint) => bigIntegerBytes(n).toString('hex')
    assert.equal(hex(0n), '00')
    assert.equal(hex(127n), '7f')
    assert.equal(hex(128n), '0080')
    assert.equal(hex(255n), '00ff')
    assert.equal(hex(-1n), 'ff')
    assert.equal(hex(-128n), '80')
    assert.equal(hex(-129n), 'ff7f')
    assert.equal(hex(1_700_000_000_000n), '018bcfe56800')
    for (const n of [0n, 1n, -1n, 128n, -129n, 1_700_000_000_000n, -(2n ** 63n), 2n ** 63n - 1n]) assert.equal(readNumber(bigIntegerBytes(n), 'biginteger'), n)
  })

  test('int32/int64 headers and decimal text from other tools', () => {
    assert.equal(readNumber(Buffer.from('0000002a', 'hex'), 'int32'), 42n)
    assert.equal(readNumber(Buffer.from('ffffffffffffffff', 'hex'), 'int64'), -1n)
    assert.equal(readNumber(Buffer.from('1700000000000'), 'biginteger'), 1_700_000_000_000n)
    assert.equal(readNumber(Buffer.from('7'), 'int32'), 7n)
    assert.equal(readNumber(undefined, 'int32'), undefined)
    assert.equal(DLT_HEADERS.originalTopic, 'kafka_dlt-original-topic')
  })
})

describe('error categories', () => {
  test('default classification', () => {
    assert.equal(defaultClassifier(new TransientError('x')), 'transient-error')
    assert.equal(defaultClassifier(new BusinessRuleError('x')), 'business-rule')
    assert.equal(defaultClassifier(new SchemaValidationError('x')), 'schema-validation')
    assert.equal(defaultClassifier(new ValidationError('t', new Error('bad'))), 'schema-validation')
    assert.equal(defaultClassifier(Object.assign(new Error('zod'), { name: 'ZodError', issues: [] })), 'schema-validation')
    assert.equal(defaultClassifier(new SyntaxError('Unexpected token')), 'schema-validation')
    assert.equal(defaultClassifier(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), 'transient-error')
    assert.equal(defaultClassifier(Object.assign(new Error('plt'), { canRetry: true })), 'transient-error')
    assert.equal(defaultClassifier(new SamsaClientError('SAMSA_CLIENT_NOT_FOUND', 't', { retriable: true })), 'transient-error')
    assert.equal(defaultClassifier(new Error('boom')), 'system-error')
    assert.equal(defaultClassifier('a string'), 'system-error')
    assert.equal(defaultClassifier(new CategorizedError('fraud-suspected', 'x')), 'fraud-suspected')
  })

  test('custom classifiers run first; undefined defers to the next', () => {
    const classifiers = [
      (error: unknown) => (error as Error).message.includes('429') ? 'transient-error' : undefined,
      (_error: unknown, context: { attempt: number }) => context.attempt > 9 ? 'system-error' : undefined
    ]
    assert.equal(classify(new Error('HTTP 429'), classifiers, { topic: 't', attempt: 1 }), 'transient-error')
    assert.equal(classify(new TransientError('x'), classifiers, { topic: 't', attempt: 10 }), 'system-error')
    assert.equal(classify(new BusinessRuleError('x'), classifiers, { topic: 't', attempt: 1 }), 'business-rule')
  })

  test('backoff: exponential, capped, jitter only shortens', () => {
    const options = { initialMs: 100, multiplier: 2, maxMs: 1000, jitter: 0.5 }
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelay(a, options, () => 0)), [100, 200, 400, 800, 1000])
    assert.deepEqual([1, 2, 3].map((a) => backoffDelay(a, options, () => 1)), [50, 100, 200])
  })

  test('retry policy: defaults and stage delays', () => {
    const policy = resolveRetryPolicy({ topics: 3, backoff: { initialMs: 1000 } })
    assert.equal(policy.attempts, 3)
    // In-process waits are 1 s and 2 s (between the 3 tries); the stages continue the sequence: 4 s, 8 s, 16 s.
    assert.deepEqual(policy.stageDelays, [4000, 8000, 16000])
    assert.deepEqual([...policy.retryable], ['transient-error'])
    assert.equal(policy.deadLetter, true)
    assert.deepEqual(resolveRetryPolicy({ topics: [100, 200] }).stageDelays, [100, 200])
  })

  test('topic names', () => {
    assert.equal(retryTopicName('orders', 0), 'orders-retry-0')
    assert.equal(deadLetterTopicName('orders'), 'orders-dlt')
    assert.deepEqual(parseRetryTopic('orders-retry-12'), { base: 'orders', stage: 12 })
    assert.deepEqual(parseRetryTopic('orders'), { base: 'orders', stage: -1 })
  })
})
