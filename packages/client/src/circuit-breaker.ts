import { CircuitOpenError } from './errors.js'

export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN'

export interface CircuitBreakerOptions {
  name?: string
  /** Consecutive failures that open the circuit (default 5). */
  failureThreshold?: number
  /** Time in OPEN before trial calls are let through (default 30 000 ms). */
  resetTimeout?: number
  /** Trial calls allowed at once in HALF_OPEN (default 1). */
  halfOpenMaxCalls?: number
  /** Trial successes that close the circuit again (default 1). */
  successThreshold?: number
  /** Which errors count as failures (default: all). Validation errors, for instance, say nothing about the broker. */
  isFailure?: (error: unknown) => boolean
  onStateChange?: (state: CircuitState, previous: CircuitState) => void
  now?: () => number
}

/**
 * CLOSED → (failureThreshold consecutive failures) → OPEN → (resetTimeout) → HALF_OPEN → (successThreshold
 * successes) → CLOSED, or back to OPEN on a failed trial. In OPEN, calls fail at once with CircuitOpenError.
 */
export class CircuitBreaker {
  readonly name: string
  readonly #failureThreshold: number
  readonly #resetTimeout: number
  readonly #halfOpenMaxCalls: number
  readonly #successThreshold: number
  readonly #isFailure: (error: unknown) => boolean
  readonly #onStateChange: CircuitBreakerOptions['onStateChange']
  readonly #now: () => number
  #state: CircuitState = 'CLOSED'
  #failures = 0
  #successes = 0
  #trials = 0
  #openedAt = 0

  constructor (options: CircuitBreakerOptions = {}) {
    this.name = options.name ?? 'circuit'
    this.#failureThreshold = options.failureThreshold ?? 5
    this.#resetTimeout = options.resetTimeout ?? 30_000
    this.#halfOpenMaxCalls = options.halfOpenMaxCalls ?? 1
    this.#successThreshold = options.successThreshold ?? 1
    this.#isFailure = options.isFailure ?? (() => true)
    this.#onStateChange = options.onStateChange
    this.#now = options.now ?? Date.now
  }

  get state (): CircuitState {
    if (this.#state === 'OPEN' && this.#now() >= this.#openedAt + this.#resetTimeout) this.#transition('HALF_OPEN')
    return this.#state
  }

  async execute<T> (operation: () => Promise<T>): Promise<T> {
    const state = this.state
    if (state === 'OPEN' || (state === 'HALF_OPEN' && this.#trials >= this.#halfOpenMaxCalls)) {
      throw new CircuitOpenError(this.name, this.#openedAt + this.#resetTimeout)
    }
    const trial = state === 'HALF_OPEN'
    if (trial) this.#trials++
    try {
      const result = await operation()
      this.#onSuccess()
      return result
    } catch (error) {
      if (this.#isFailure(error)) this.#onFailure()
      else this.#onSuccess()
      throw error
    } finally {
      if (trial) this.#trials--
    }
  }

  #onSuccess (): void {
    this.#failures = 0
    if (this.#state === 'HALF_OPEN' && ++this.#successes >= this.#successThreshold) this.#transition('CLOSED')
  }

  #onFailure (): void {
    if (this.#state === 'HALF_OPEN') {
      this.#open()
      return
    }
    if (++this.#failures >= this.#failureThreshold && this.#state === 'CLOSED') this.#open()
  }

  #open (): void {
    this.#openedAt = this.#now()
    this.#transition('OPEN')
  }

  #transition (next: CircuitState): void {
    const previous = this.#state
    if (previous === next) return
    this.#state = next
    this.#failures = 0
    this.#successes = 0
    this.#onStateChange?.(next, previous)
  }
}
