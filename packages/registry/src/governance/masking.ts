/**
 * Masks for PII/SENSITIVE strings. Every mask is idempotent, which gives the validation rule for free: a value is
 * "properly masked" exactly when masking it again leaves it unchanged.
 * - ssn: `*****` + the last four digits (`123-45-6789` → `*****6789`);
 * - last4: every character but the last four replaced by `*` (all of them when there are four or fewer);
 * - full: every character replaced by `*`.
 */
import type { MaskStyle } from './classification.js'

export function mask (value: string, style: MaskStyle): string {
  switch (style) {
    case 'ssn': return '*****' + value.replace(/[^0-9]/g, '').slice(-4)
    case 'last4': {
      const chars = [...value]
      const keep = chars.length > 4 ? 4 : 0
      return '*'.repeat(chars.length - keep) + chars.slice(chars.length - keep).join('')
    }
    case 'full': return '*'.repeat([...value].length)
  }
}

export function isMasked (value: string, style: MaskStyle): boolean {
  return mask(value, style) === value
}

/** What a reader without the key sees instead of an encrypted field (`unauthorized: 'redact'`). */
export const REDACTED = '*****'
