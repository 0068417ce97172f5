/**
 * Governance failures raised by the serializers. `category` is what the SDK's dead-letter handling switches on (its
 * default classifier takes an explicit `category` first): rule violations are 'schema-validation' (the message is
 * wrong: never retried, dead-lettered); a key provider that cannot hand out a key is 'transient-error' (the same
 * message may succeed later).
 */
import type { DataClassification, SchemaGovernance } from './classification.js'

export const GOVERNANCE_ERRORS = {
  SAMSA_REGISTRY_GOVERNANCE_PHI_UNPROTECTED: { category: 'schema-validation', retriable: false },
  SAMSA_REGISTRY_GOVERNANCE_CONSENT_MISSING: { category: 'schema-validation', retriable: false },
  SAMSA_REGISTRY_GOVERNANCE_PII_UNMASKED: { category: 'schema-validation', retriable: false },
  SAMSA_REGISTRY_GOVERNANCE_SENSITIVE_UNPROTECTED: { category: 'schema-validation', retriable: false },
  SAMSA_REGISTRY_GOVERNANCE_DECRYPTION_FAILED: { category: 'schema-validation', retriable: false },
  SAMSA_REGISTRY_GOVERNANCE_KEY_UNAVAILABLE: { category: 'transient-error', retriable: true }
} as const

export type GovernanceErrorCode = keyof typeof GOVERNANCE_ERRORS
export type ErrorCategory = 'schema-validation' | 'transient-error'

export interface Violation {
  code: GovernanceErrorCode
  /** The field's full name in the schema (e.g. `com.acme.Patient.ssn`, `$.ssn`). */
  field: string
  /** Where in the value (e.g. `visits[1].diagnosis`); '' for the message itself. */
  path: string
  classification?: DataClassification
  message: string
}

export class GovernanceError extends Error {
  readonly code: GovernanceErrorCode
  readonly category: ErrorCategory
  readonly retriable: boolean
  /** Every violation found in the message, in schema order; `code` is the first one's. */
  readonly violations: Violation[]
  readonly schemaId: number | undefined
  readonly governance: SchemaGovernance | undefined

  constructor (violations: Violation[], context: { schemaId?: number, governance?: SchemaGovernance, cause?: unknown } = {}) {
    const first = violations[0] as Violation
    super(violations.length === 1 ? first.message : `${first.message} (and ${violations.length - 1} more: ${violations.slice(1).map((v) => v.message).join('; ')})`, context.cause === undefined ? undefined : { cause: context.cause })
    this.name = 'GovernanceError'
    this.code = first.code
    this.category = GOVERNANCE_ERRORS[first.code].category
    this.retriable = GOVERNANCE_ERRORS[first.code].retriable
    this.violations = violations
    this.schemaId = context.schemaId
    this.governance = context.governance
  }

  static is (value: unknown): value is GovernanceError {
    const code = value instanceof Error ? (value as unknown as { code?: unknown }).code : undefined
    return typeof code === 'string' && code in GOVERNANCE_ERRORS
  }
}
