import { SamsaClientError } from '../errors.js'

/** The error categories of our healthcare design, carried in the `error-type` header of retry/DLT records. */
export const ERROR_CATEGORIES = ['schema-validation', 'business-rule', 'transient-error', 'system-error'] as const
export type KnownErrorCategory = typeof ERROR_CATEGORIES[number]
/** A known category or a custom one from a custom classifier. */
export type ErrorCategory = KnownErrorCategory | (string & {})

/** Throw (a subclass of) this from a handler to choose the category explicitly. */
export class CategorizedError extends Error {
  readonly category: ErrorCategory
  constructor (category: ErrorCategory, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.category = category
  }
}

export class SchemaValidationError extends CategorizedError {
  constructor (message: string, options?: { cause?: unknown }) { super('schema-validation', message, options) }
}
export class BusinessRuleError extends CategorizedError {
  constructor (message: string, options?: { cause?: unknown }) { super('business-rule', message, options) }
}
export class TransientError extends CategorizedError {
  constructor (message: string, options?: { cause?: unknown }) { super('transient-error', message, options) }
}
export class SystemError extends CategorizedError {
  constructor (message: string, options?: { cause?: unknown }) { super('system-error', message, options) }
}

export interface ClassifyContext { topic: string, attempt: number }
/** Returns a category, or undefined to let the next classifier (finally the default one) decide. */
export type ErrorClassifier = (error: unknown, context: ClassifyContext) => ErrorCategory | undefined

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

/**
 * Default rules: an explicit `category` wins; validation failures (ours, zod's `ZodError`, anything with an
 * `issues` array, JSON SyntaxError) are schema-validation; network errors, timeouts and errors marked
 * retriable (ours `retriable`, @platformatic/kafka's `canRetry`) are transient; anything else is a system error.
 */
export function defaultClassifier (error: unknown): KnownErrorCategory | string {
  if (typeof error !== 'object' || error === null) return 'system-error'
  const e = error as { category?: unknown, name?: unknown, issues?: unknown, code?: unknown, retriable?: unknown, canRetry?: unknown }
  if (typeof e.category === 'string' && e.category.length > 0) return e.category
  if (SamsaClientError.is(error, 'SAMSA_CLIENT_VALIDATION') || e.name === 'ZodError' || Array.isArray(e.issues) || error instanceof SyntaxError) return 'schema-validation'
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return 'transient-error'
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.retriable === true || e.canRetry === true) return 'transient-error'
  return 'system-error'
}

export function classify (error: unknown, classifiers: readonly ErrorClassifier[], context: ClassifyContext): ErrorCategory {
  for (const classifier of classifiers) {
    const category = classifier(error, context)
    if (category !== undefined) return category
  }
  return defaultClassifier(error)
}

/** The error's class name, as Spring's `kafka_dlt-exception-fqcn` carries the Java class name. */
export function errorClassName (error: unknown): string {
  if (error instanceof Error) return error.constructor.name === 'Error' ? error.name : error.constructor.name
  return typeof error
}
