import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff.js'
import type { ErrorCategory, ErrorClassifier } from './categories.js'

/** How a consumer treats handler failures. */
export interface RetryPolicyOptions {
  /** Handler tries per delivery from the main topic, in-process (default 3). Retry-topic deliveries get one try. */
  attempts?: number
  /** Delay between in-process tries (default 1 s doubling, capped at 60 s, 20 % jitter). */
  backoff?: Partial<BackoffOptions>
  /** Categories worth retrying (default: transient-error only). Others go straight to the DLT. */
  retryable?: ErrorCategory[]
  classifiers?: ErrorClassifier[]
  /**
   * Retry topics after the in-process tries: a count (delays from `backoff`, continuing its sequence) or the
   * delay of each stage in ms. Stage n is `<topic>-retry-<n>`. Default: none.
   */
  topics?: number | number[]
  /** Publish what finally fails to `<topic>-dlt` (default true). false: log, count and skip it. */
  deadLetter?: boolean
  /** Create missing retry/DLT topics, with the main topic's partition count (default true). */
  autoCreateTopics?: boolean
}

export interface RetryPolicy {
  attempts: number
  backoff: BackoffOptions
  retryable: ReadonlySet<ErrorCategory>
  classifiers: readonly ErrorClassifier[]
  /** Delay of each retry stage, in ms. */
  stageDelays: readonly number[]
  deadLetter: boolean
  autoCreateTopics: boolean
}

export function resolveRetryPolicy (options: RetryPolicyOptions = {}): RetryPolicy {
  const attempts = Math.max(1, Math.floor(options.attempts ?? 3))
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff }
  const stageDelays = Array.isArray(options.topics)
    ? options.topics
    : Array.from({ length: options.topics ?? 0 }, (_, stage) => backoffDelay(attempts + stage, { ...backoff, jitter: 0 }))
  return {
    attempts,
    backoff,
    retryable: new Set(options.retryable ?? ['transient-error']),
    classifiers: options.classifiers ?? [],
    stageDelays,
    deadLetter: options.deadLetter ?? true,
    autoCreateTopics: options.autoCreateTopics ?? true
  }
}
