/**
 * Stable error codes of @samsa/client. Every code is documented in docs/sdk.md (a test checks it).
 * The brand is the one @samsa/protocol uses, so `SamsaError.is()` recognises client errors too, across copies.
 */
const BRAND = Symbol.for('samsa.error')

export const CLIENT_ERROR_CODES = [
  'SAMSA_CLIENT_CONFIG',
  'SAMSA_CLIENT_NOT_CONNECTED',
  'SAMSA_CLIENT_VALIDATION',
  'SAMSA_CLIENT_SERIALIZATION',
  'SAMSA_CLIENT_CIRCUIT_OPEN',
  'SAMSA_CLIENT_NO_HANDLER',
  'SAMSA_CLIENT_STATE',
  'SAMSA_CLIENT_RECONNECT_EXHAUSTED',
  'SAMSA_CLIENT_TRANSACTION',
  'SAMSA_CLIENT_NOT_FOUND'
] as const

export type ClientErrorCode = typeof CLIENT_ERROR_CODES[number]

export class SamsaClientError extends Error {
  readonly code: ClientErrorCode
  readonly retriable: boolean
  readonly [BRAND] = true

  constructor (code: ClientErrorCode, message: string, options: { cause?: unknown, retriable?: boolean } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined)
    this.name = new.target.name
    this.code = code
    this.retriable = options.retriable ?? false
  }

  static is (value: unknown, code?: ClientErrorCode): value is SamsaClientError {
    if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) return false
    return code === undefined || (value as { code?: unknown }).code === code
  }
}

/** A send refused without touching the network because the producer's circuit is OPEN. */
export class CircuitOpenError extends SamsaClientError {
  readonly retryAt: number
  constructor (name: string, retryAt: number) {
    super('SAMSA_CLIENT_CIRCUIT_OPEN', `circuit "${name}" is open until ${new Date(retryAt).toISOString()}`, { retriable: true })
    this.retryAt = retryAt
  }
}

/** A message rejected by a topic's validator (schema-validation category; never retried). */
export class ValidationError extends SamsaClientError {
  readonly topic: string
  constructor (topic: string, cause: unknown) {
    super('SAMSA_CLIENT_VALIDATION', `message for topic "${topic}" failed validation: ${describe(cause)}`, { cause })
    this.topic = topic
  }
}

export function describe (error: unknown): string {
  if (error instanceof Error) return error.message
  return typeof error === 'string' ? error : JSON.stringify(error)
}
