import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CircuitBreaker, CircuitOpenError, type CircuitState } from '../src/index.js'

describe('CircuitBreaker (unit, fake clock)', () => {
  const boom = async (): Promise<never> => { throw new Error('down') }
  const ok = async (): Promise<string> => 'ok'

  test('CLOSED → OPEN after the threshold; OPEN fails fast; HALF_OPEN after resetTimeout; success closes', async () => {
    let now = 1000
    const changes: Array<[CircuitState, CircuitState]> = []
    const breaker = new CircuitBreaker({ name: 'p', failureThreshold: 3, resetTimeout: 500, now: () => now, onStateChange: (s, prev) => changes.push([prev, s]) })
    await assert.rejects(breaker.execute(boom), /down/)
    await assert.rejects(breaker.execute(boom), /down/)
    assert.equal(breaker.state, 'CLOSED')
    await breaker.execute(ok)
    // A success resets the count: three more failures are needed.
    for (let i = 0; i < 3; i++) await assert.rejects(breaker.execute(boom), /down/)
    assert.equal(breaker.state, 'OPEN')
    let called = false
    await assert.rejects(breaker.execute(async () => { called = true }), (error: unknown) => error instanceof CircuitOpenError && error.code === 'SAMSA_CLIENT_CIRCUIT_OPEN' && error.retryAt === 1500)
    assert.equal(called, false)
    now = 1499
    assert.equal(breaker.state, 'OPEN')
    now = 1500
    assert.equal(breaker.state, 'HALF_OPEN')
    assert.equal(await breaker.execute(ok), 'ok')
    assert.equal(breaker.state, 'CLOSED')
    assert.deepEqual(changes, [['CLOSED', 'OPEN'], ['OPEN', 'HALF_OPEN'], ['HALF_OPEN', 'CLOSED']])
  })

  test('a failed trial reopens; HALF_OPEN admits only halfOpenMaxCalls at once; ignored errors do not count', async () => {
    let now = 0
    const breaker = new CircuitBreaker({ failureThreshold: 1, resetTimeout: 100, halfOpenMaxCalls: 1, successThreshold: 2, now: () => now, isFailure: (e) => (e as Error).message !== 'bad input' })
    await assert.rejects(breaker.execute(async () => { throw new Error('bad input') }))
    assert.equal(breaker.state, 'CLOSED')
    await assert.rejects(breaker.execute(boom))
    assert.equal(breaker.state, 'OPEN')
    now = 100
    await assert.rejects(breaker.execute(boom))
    assert.equal(breaker.state, 'OPEN', 'failed trial reopens')
    now = 200
    let release!: () => void
    const slow = breaker.execute(async () => { await new Promise<void>((resolve) => { release = resolve }) })
    await assert.rejects(breaker.execute(ok), CircuitOpenError)
    release()
    await slow
    assert.equal(breaker.state, 'HALF_OPEN', 'one of two required successes')
    await breaker.execute(ok)
    assert.equal(breaker.state, 'CLOSED')
  })
})
