/**
 * Compatibility levels: BACKWARD = the new schema reads data written with the old one; FORWARD = the old schema
 * reads data written with the new one; FULL = both. Non-transitive levels check against the latest version only,
 * *_TRANSITIVE against every (non-deleted) version. The per-format rules live in formats/.
 */
import { providerFor, type CompatibilityIssue, type ParsedSchema } from './formats/index.js'

export const LEVELS = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'] as const
export type CompatibilityLevel = typeof LEVELS[number]
export const DEFAULT_LEVEL: CompatibilityLevel = 'BACKWARD'

export function parseLevel (value: unknown): CompatibilityLevel | undefined {
  if (typeof value !== 'string') return undefined
  const upper = value.toUpperCase()
  return (LEVELS as readonly string[]).includes(upper) ? upper as CompatibilityLevel : undefined
}

export interface PreviousVersion { version: number, schema: ParsedSchema, text: string }

/** Issues of `candidate` against one older schema at `level`, ignoring transitivity. */
export function issuesAgainst (level: CompatibilityLevel, candidate: ParsedSchema, previous: ParsedSchema): CompatibilityIssue[] {
  if (level === 'NONE') return []
  if (candidate.type !== previous.type) {
    return [{ errorType: 'SCHEMA_TYPE_CHANGED', description: `The schema type changed from ${previous.type} to ${candidate.type}` }]
  }
  const provider = providerFor(candidate.type)
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL')
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL')
  const issues: CompatibilityIssue[] = []
  if (backward) issues.push(...provider.readerIssues(candidate, previous))
  if (forward) issues.push(...provider.readerIssues(previous, candidate))
  return issues
}

/**
 * Confluent-style messages for a check of `candidate` against `previous` (oldest first): one entry per issue,
 * then which old version and schema it was, then the level. Empty list = compatible.
 */
export function compatibilityMessages (level: CompatibilityLevel, candidate: ParsedSchema, previous: PreviousVersion[]): string[] {
  if (level === 'NONE' || previous.length === 0) return []
  const against = level.endsWith('_TRANSITIVE') ? [...previous].reverse() : previous.slice(-1)
  for (const old of against) {
    const issues = issuesAgainst(level, candidate, old.schema)
    if (issues.length === 0) continue
    return [
      ...issues.map((issue) => JSON.stringify({ errorType: issue.errorType, description: issue.description })),
      JSON.stringify({ oldSchemaVersion: old.version }),
      JSON.stringify({ oldSchema: old.text }),
      JSON.stringify({ compatibility: level })
    ]
  }
  return []
}
