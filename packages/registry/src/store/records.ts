/**
 * Keys and values of the `_schemas` topic, byte-compatible with Confluent Schema Registry (and Karapace), so a
 * registry can move between implementations by copying the topic.
 *
 * Facts (from Confluent's public storage classes, reimplemented here):
 * - keys are JSON objects with a fixed field order and a per-type magic:
 *   SCHEMA `{"keytype":"SCHEMA","subject":s,"version":n,"magic":1}`; CONFIG / MODE / DELETE_SUBJECT / CLEAR_SUBJECT
 *   `{"keytype":T,"subject":s,"magic":0}`; NOOP `{"keytype":"NOOP","magic":0}`. Null/empty fields are left out (Jackson
 *   NON_EMPTY), so the global CONFIG/MODE key has no "subject"; we also read `"subject":null` (Karapace writes it).
 * - SCHEMA value field order: subject, version, id, md5?, schemaType, references?, metadata?, ruleSet?, schema, deleted.
 *   Empty lists and nulls are omitted; `deleted` is always written. Readers treat a missing schemaType as AVRO.
 * - CONFIG value `{"subject"?, "normalize"?, "compatibilityLevel"}`; MODE value `{"subject"?, "mode"}`;
 *   DELETE_SUBJECT value `{"subject", "version"}` (every version ≤ version becomes soft-deleted);
 *   CLEAR_SUBJECT value `{"subject"}`; a null value is a tombstone (permanent delete, config/mode reset).
 */
import type { SchemaReference } from '../formats/types.js'

export type KeyType = 'SCHEMA' | 'CONFIG' | 'MODE' | 'NOOP' | 'DELETE_SUBJECT' | 'CLEAR_SUBJECT'

export type StoreKey =
  | { keytype: 'SCHEMA', subject: string, version: number }
  | { keytype: 'CONFIG' | 'MODE' | 'DELETE_SUBJECT' | 'CLEAR_SUBJECT', subject: string | null }
  | { keytype: 'NOOP' }

export interface SchemaMetadata {
  tags?: Record<string, string[]>
  properties?: Record<string, string>
  sensitive?: string[]
}

export interface SchemaValue {
  subject: string
  version: number
  id: number
  schemaType: string
  references: SchemaReference[]
  metadata?: SchemaMetadata
  ruleSet?: unknown
  schema: string
  deleted: boolean
}

export interface ConfigValue { subject?: string, normalize?: boolean, compatibilityLevel?: string }
export interface ModeValue { subject?: string, mode: string }
export interface DeleteSubjectValue { subject: string, version: number }

/** Serializes a key exactly as Confluent does (field order matters for compaction: equal keys must be equal bytes). */
export function encodeKey (key: StoreKey): Buffer {
  switch (key.keytype) {
    case 'SCHEMA':
      return Buffer.from(JSON.stringify({ keytype: 'SCHEMA', subject: key.subject, version: key.version, magic: 1 }))
    case 'NOOP':
      return Buffer.from('{"keytype":"NOOP","magic":0}')
    default: {
      const body: Record<string, unknown> = { keytype: key.keytype }
      if (key.subject !== null && key.subject !== '') body.subject = key.subject
      body.magic = 0
      return Buffer.from(JSON.stringify(body))
    }
  }
}

/** Parses a key; undefined for key types we do not know (CONTEXT, ASSOC…): those records are skipped, not fatal. */
export function decodeKey (bytes: Buffer): StoreKey | undefined {
  const raw = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
  const subject = typeof raw.subject === 'string' && raw.subject !== '' ? raw.subject : null
  switch (raw.keytype) {
    case 'SCHEMA':
      if (subject === null || typeof raw.version !== 'number') throw new Error(`SCHEMA key without subject/version: ${bytes.toString('utf8')}`)
      return { keytype: 'SCHEMA', subject, version: raw.version }
    case 'CONFIG':
    case 'MODE':
    case 'DELETE_SUBJECT':
    case 'CLEAR_SUBJECT':
      return { keytype: raw.keytype, subject }
    case 'NOOP':
      return { keytype: 'NOOP' }
    default:
      return undefined
  }
}

export function encodeSchemaValue (value: SchemaValue): Buffer {
  const body: Record<string, unknown> = { subject: value.subject, version: value.version, id: value.id, schemaType: value.schemaType }
  if (value.references.length > 0) body.references = value.references.map((ref) => ({ name: ref.name, subject: ref.subject, version: ref.version }))
  if (value.metadata !== undefined && Object.keys(value.metadata).length > 0) body.metadata = value.metadata
  if (value.ruleSet !== undefined && value.ruleSet !== null) body.ruleSet = value.ruleSet
  body.schema = value.schema
  body.deleted = value.deleted
  return Buffer.from(JSON.stringify(body))
}

export function decodeSchemaValue (bytes: Buffer): SchemaValue {
  const raw = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
  const refs = Array.isArray(raw.references) ? raw.references as SchemaReference[] : []
  const value: SchemaValue = {
    subject: String(raw.subject),
    version: Number(raw.version),
    id: Number(raw.id),
    schemaType: typeof raw.schemaType === 'string' ? raw.schemaType : 'AVRO',
    references: refs.map((ref) => ({ name: ref.name, subject: ref.subject, version: ref.version })),
    schema: String(raw.schema),
    deleted: raw.deleted === true
  }
  if (raw.metadata !== undefined && raw.metadata !== null) value.metadata = raw.metadata as SchemaMetadata
  if (raw.ruleSet !== undefined && raw.ruleSet !== null) value.ruleSet = raw.ruleSet
  return value
}

export function encodeConfigValue (subject: string | null, config: { compatibilityLevel?: string, normalize?: boolean }): Buffer {
  const body: Record<string, unknown> = {}
  if (subject !== null) body.subject = subject
  if (config.normalize !== undefined) body.normalize = config.normalize
  if (config.compatibilityLevel !== undefined) body.compatibilityLevel = config.compatibilityLevel
  return Buffer.from(JSON.stringify(body))
}

export function encodeModeValue (subject: string | null, mode: string): Buffer {
  return Buffer.from(JSON.stringify(subject === null ? { mode } : { subject, mode }))
}

export function encodeDeleteSubjectValue (subject: string, version: number): Buffer {
  return Buffer.from(JSON.stringify({ subject, version }))
}

export function encodeClearSubjectValue (subject: string): Buffer {
  return Buffer.from(JSON.stringify({ subject }))
}

export function decodeJson<T> (bytes: Buffer): T {
  return JSON.parse(bytes.toString('utf8')) as T
}
