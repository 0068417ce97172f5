/**
 * The healthcare governance vocabulary carried by schemas (see docs/registry.md, "Governance"):
 * - schema level, in `metadata.properties` (Confluent's string → string map): dataClassification (PHI | PII |
 *   SENSITIVE | PUBLIC), owner, businessDomain, retentionPolicy, regulatoryImplications (comma-separated or a JSON
 *   array in the string), consentField (default `consentVerified`);
 * - field level, as Confluent data-contract tags: Avro field attribute / JSON Schema keyword `"confluent:tags"`,
 *   Protobuf option `(confluent.field_meta).tags`, or `metadata.tags` (field-name pattern → tags). A field's
 *   classification is the strictest of its tags; `MASK_SSN` / `MASK_LAST4` / `MASK_FULL` choose its mask.
 */
import type { SchemaMetadata } from '../store/records.js'

export const CLASSIFICATIONS = ['PHI', 'PII', 'SENSITIVE', 'PUBLIC'] as const
export type DataClassification = typeof CLASSIFICATIONS[number]

export type MaskStyle = 'ssn' | 'last4' | 'full'
const MASK_TAGS: Record<string, MaskStyle> = { MASK_SSN: 'ssn', MASK_LAST4: 'last4', MASK_FULL: 'full' }

export const DEFAULT_CONSENT_FIELD = 'consentVerified'

export interface SchemaGovernance {
  dataClassification?: DataClassification
  owner?: string
  businessDomain?: string
  retentionPolicy?: string
  regulatoryImplications: string[]
  /** The boolean field that must be `true` in every message of a PHI schema. */
  consentField: string
}

export function isClassification (value: unknown): value is DataClassification {
  return typeof value === 'string' && (CLASSIFICATIONS as readonly string[]).includes(value)
}

function listProperty (text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return []
  if (text.trim().startsWith('[')) {
    try {
      const parsed = JSON.parse(text) as unknown
      if (Array.isArray(parsed)) return parsed.map(String)
    } catch {}
  }
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

/** Reads the governance properties; an unknown dataClassification is an error (a typo must not disable the rules). */
export function governanceOf (metadata: SchemaMetadata | undefined): SchemaGovernance {
  const properties = metadata?.properties ?? {}
  const text = (name: string): string | undefined => typeof properties[name] === 'string' && properties[name] !== '' ? properties[name] : undefined
  const out: SchemaGovernance = { regulatoryImplications: listProperty(text('regulatoryImplications')), consentField: text('consentField') ?? DEFAULT_CONSENT_FIELD }
  const classification = text('dataClassification')
  if (classification !== undefined) {
    if (!isClassification(classification)) throw new Error(`metadata property dataClassification must be one of ${CLASSIFICATIONS.join(', ')} (got '${classification}')`)
    out.dataClassification = classification
  }
  for (const name of ['owner', 'businessDomain', 'retentionPolicy'] as const) {
    const value = text(name)
    if (value !== undefined) out[name] = value
  }
  return out
}

/** The strictest classification among a field's tags (PHI > PII > SENSITIVE > PUBLIC), if any. */
export function classificationOf (tags: readonly string[]): DataClassification | undefined {
  for (const level of CLASSIFICATIONS) if (tags.includes(level)) return level
  return undefined
}

export function maskStyleOf (tags: readonly string[]): MaskStyle {
  for (const tag of tags) if (MASK_TAGS[tag] !== undefined) return MASK_TAGS[tag] as MaskStyle
  return 'last4'
}

/**
 * Confluent's wildcard syntax for `metadata.tags` keys, matched against a field's full name: `**` any characters,
 * `*` any characters but '.', `?` one character but '.'.
 */
export function wildcardMatch (name: string, pattern: string): boolean {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === '*' && pattern[i + 1] === '*') { source += '.*'; i++ } else if (c === '*') source += '[^.]*'
    else if (c === '?') source += '[^.]'
    else source += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')
  }
  return new RegExp(`^${source}$`).test(name)
}
