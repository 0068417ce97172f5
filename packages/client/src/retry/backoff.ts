/** Exponential backoff: initial · multiplier^(attempt-1), capped at max, minus up to `jitter` of it at random. */
export interface BackoffOptions {
  initialMs: number
  multiplier: number
  maxMs: number
  /** Fraction in [0, 1]: the delay is drawn from [d·(1-jitter), d]. */
  jitter: number
}

/** The healthcare design's policy for transient errors: 1 s doubling, capped at 60 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, multiplier: 2, maxMs: 60_000, jitter: 0.2 }

export function backoffDelay (attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * options.multiplier ** Math.max(0, attempt - 1))
  const jitter = Math.min(1, Math.max(0, options.jitter))
  return Math.round(base * (1 - jitter * random()))
}
