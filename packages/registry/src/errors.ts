/**
 * Every failure the registry reports over HTTP: Confluent's numeric `error_code` (what clients switch on), the HTTP
 * status it travels with, and our stable `SAMSA_REGISTRY_*` code string for logs and programmatic checks.
 * The table is the single source of truth; docs/registry.md lists every row (a test checks that).
 */
export const REGISTRY_ERRORS = {
  SAMSA_REGISTRY_BAD_REQUEST: { status: 400, errorCode: 400, retriable: false },
  SAMSA_REGISTRY_UNAUTHORIZED: { status: 401, errorCode: 401, retriable: false },
  SAMSA_REGISTRY_FORBIDDEN: { status: 403, errorCode: 403, retriable: false },
  SAMSA_REGISTRY_NOT_FOUND: { status: 404, errorCode: 404, retriable: false },
  SAMSA_REGISTRY_METHOD_NOT_ALLOWED: { status: 405, errorCode: 405, retriable: false },
  SAMSA_REGISTRY_NOT_ACCEPTABLE: { status: 406, errorCode: 406, retriable: false },
  SAMSA_REGISTRY_BODY_TOO_LARGE: { status: 413, errorCode: 413, retriable: false },
  SAMSA_REGISTRY_UNSUPPORTED_MEDIA_TYPE: { status: 415, errorCode: 415, retriable: false },
  SAMSA_REGISTRY_UNPROCESSABLE: { status: 422, errorCode: 422, retriable: false },
  SAMSA_REGISTRY_SUBJECT_NOT_FOUND: { status: 404, errorCode: 40401, retriable: false },
  SAMSA_REGISTRY_VERSION_NOT_FOUND: { status: 404, errorCode: 40402, retriable: false },
  SAMSA_REGISTRY_SCHEMA_NOT_FOUND: { status: 404, errorCode: 40403, retriable: false },
  SAMSA_REGISTRY_SUBJECT_SOFT_DELETED: { status: 404, errorCode: 40404, retriable: false },
  SAMSA_REGISTRY_SUBJECT_NOT_SOFT_DELETED: { status: 404, errorCode: 40405, retriable: false },
  SAMSA_REGISTRY_VERSION_SOFT_DELETED: { status: 404, errorCode: 40406, retriable: false },
  SAMSA_REGISTRY_VERSION_NOT_SOFT_DELETED: { status: 404, errorCode: 40407, retriable: false },
  SAMSA_REGISTRY_SUBJECT_CONFIG_NOT_SET: { status: 404, errorCode: 40408, retriable: false },
  SAMSA_REGISTRY_SUBJECT_MODE_NOT_SET: { status: 404, errorCode: 40409, retriable: false },
  SAMSA_REGISTRY_INCOMPATIBLE_SCHEMA: { status: 409, errorCode: 409, retriable: false },
  SAMSA_REGISTRY_INVALID_SCHEMA: { status: 422, errorCode: 42201, retriable: false },
  SAMSA_REGISTRY_INVALID_VERSION: { status: 422, errorCode: 42202, retriable: false },
  SAMSA_REGISTRY_INVALID_COMPATIBILITY: { status: 422, errorCode: 42203, retriable: false },
  SAMSA_REGISTRY_INVALID_MODE: { status: 422, errorCode: 42204, retriable: false },
  SAMSA_REGISTRY_OPERATION_NOT_PERMITTED: { status: 422, errorCode: 42205, retriable: false },
  SAMSA_REGISTRY_REFERENCE_EXISTS: { status: 422, errorCode: 42206, retriable: false },
  SAMSA_REGISTRY_ID_DOES_NOT_MATCH: { status: 422, errorCode: 42207, retriable: false },
  SAMSA_REGISTRY_INVALID_SUBJECT: { status: 422, errorCode: 42208, retriable: false },
  SAMSA_REGISTRY_STORE_ERROR: { status: 500, errorCode: 50001, retriable: true },
  SAMSA_REGISTRY_TIMEOUT: { status: 500, errorCode: 50002, retriable: true },
  SAMSA_REGISTRY_FORWARDING_FAILED: { status: 500, errorCode: 50003, retriable: true },
  SAMSA_REGISTRY_NOT_WRITER: { status: 500, errorCode: 50004, retriable: true },
  SAMSA_REGISTRY_INTERNAL: { status: 500, errorCode: 500, retriable: true }
} as const

export type RegistryErrorCode = keyof typeof REGISTRY_ERRORS

const brand = Symbol.for('samsa.registry.error')

/** A failure with a Confluent error code; the HTTP layer turns it into `{error_code, message}`. */
export class RegistryError extends Error {
  readonly code: RegistryErrorCode
  readonly status: number
  readonly errorCode: number
  readonly retriable: boolean
  readonly [brand] = true

  constructor (code: RegistryErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options)
    this.name = 'RegistryError'
    this.code = code
    const entry = REGISTRY_ERRORS[code]
    this.status = entry.status
    this.errorCode = entry.errorCode
    this.retriable = entry.retriable
  }

  static is (value: unknown): value is RegistryError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true
  }
}

// Constructors with Confluent's exact messages (clients and people grep for them).
export const errors = {
  subjectNotFound: (subject: string) => new RegistryError('SAMSA_REGISTRY_SUBJECT_NOT_FOUND', `Subject '${subject}' not found.`),
  versionNotFound: (version: number | string) => new RegistryError('SAMSA_REGISTRY_VERSION_NOT_FOUND', `Version ${version} not found.`),
  schemaNotFound: (id?: number) => new RegistryError('SAMSA_REGISTRY_SCHEMA_NOT_FOUND', id === undefined ? 'Schema not found' : `Schema ${id} not found`),
  subjectSoftDeleted: (subject: string) => new RegistryError('SAMSA_REGISTRY_SUBJECT_SOFT_DELETED', `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (subject: string) => new RegistryError('SAMSA_REGISTRY_SUBJECT_NOT_SOFT_DELETED', `Subject '${subject}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (subject: string, version: number) => new RegistryError('SAMSA_REGISTRY_VERSION_SOFT_DELETED', `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`),
  versionNotSoftDeleted: (subject: string, version: number) => new RegistryError('SAMSA_REGISTRY_VERSION_NOT_SOFT_DELETED', `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`),
  subjectConfigNotSet: (subject: string) => new RegistryError('SAMSA_REGISTRY_SUBJECT_CONFIG_NOT_SET', `Subject '${subject}' does not have subject-level compatibility configured`),
  subjectModeNotSet: (subject: string) => new RegistryError('SAMSA_REGISTRY_SUBJECT_MODE_NOT_SET', `Subject '${subject}' does not have subject-level mode configured`),
  incompatible: (subject: string, details: string[]) => new RegistryError('SAMSA_REGISTRY_INCOMPATIBLE_SCHEMA', `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${details.join(', ')}]`),
  invalidSchema: (message: string) => new RegistryError('SAMSA_REGISTRY_INVALID_SCHEMA', message),
  invalidVersion: (version: string) => new RegistryError('SAMSA_REGISTRY_INVALID_VERSION', `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`),
  invalidCompatibility: () => new RegistryError('SAMSA_REGISTRY_INVALID_COMPATIBILITY', 'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive'),
  invalidMode: () => new RegistryError('SAMSA_REGISTRY_INVALID_MODE', 'Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE and IMPORT.'),
  notPermitted: (message: string) => new RegistryError('SAMSA_REGISTRY_OPERATION_NOT_PERMITTED', message),
  referenceExists: (what: string) => new RegistryError('SAMSA_REGISTRY_REFERENCE_EXISTS', `One or more references exist to the schema ${what}.`),
  idDoesNotMatch: () => new RegistryError('SAMSA_REGISTRY_ID_DOES_NOT_MATCH', 'The ID of an imported schema does not match the existing ID'),
  invalidSubject: (subject: string) => new RegistryError('SAMSA_REGISTRY_INVALID_SUBJECT', `The specified subject '${subject}' is not a valid.`),
  store: (message: string, cause?: unknown) => new RegistryError('SAMSA_REGISTRY_STORE_ERROR', message, { cause }),
  timeout: (message: string) => new RegistryError('SAMSA_REGISTRY_TIMEOUT', message),
  notWriter: (message: string) => new RegistryError('SAMSA_REGISTRY_NOT_WRITER', message)
}
