/**
 * Turning a request body into a parsed schema: validates the body's fields, resolves references against the state
 * (recursively, each to its exact version) and parses with the format's library. Parsed schemas are cached by
 * content, because compatibility checks re-read old versions on every registration.
 */
import { errors } from './errors.js'
import { isSchemaType, providerFor, type ParsedSchema, type ResolvedReference, type SchemaReference, type SchemaType } from './formats/index.js'
import type { SchemaMetadata } from './store/records.js'
import { contentKey, type RegistryState, type VersionEntry } from './store/state.js'

export interface SchemaRequest {
  schema?: unknown
  schemaType?: unknown
  references?: unknown
  metadata?: unknown
  ruleSet?: unknown
  id?: unknown
  version?: unknown
}

export interface CheckedRequest {
  schemaType: SchemaType
  schema: string
  references: SchemaReference[]
  metadata?: SchemaMetadata
  ruleSet?: unknown
  id?: number
  version?: number
}

export function checkRequest (body: SchemaRequest): CheckedRequest {
  if (typeof body.schema !== 'string' || body.schema.trim() === '') throw errors.invalidSchema('Empty schema')
  const schemaType = body.schemaType === undefined || body.schemaType === null ? 'AVRO' : body.schemaType
  if (!isSchemaType(schemaType)) throw errors.invalidSchema(`Invalid schema type ${String(schemaType)}; valid types are AVRO, JSON and PROTOBUF`)
  const references: SchemaReference[] = []
  if (body.references !== undefined && body.references !== null) {
    if (!Array.isArray(body.references)) throw errors.invalidSchema('references must be a list of {name, subject, version}')
    for (const ref of body.references as Array<Record<string, unknown>>) {
      if (typeof ref?.name !== 'string' || typeof ref.subject !== 'string' || !Number.isInteger(ref.version)) {
        throw errors.invalidSchema(`Invalid reference ${JSON.stringify(ref)}: name, subject and version are required`)
      }
      references.push({ name: ref.name, subject: ref.subject, version: ref.version as number })
    }
  }
  const checked: CheckedRequest = { schemaType, schema: body.schema, references }
  if (body.metadata !== undefined && body.metadata !== null) {
    if (typeof body.metadata !== 'object') throw errors.invalidSchema('metadata must be an object')
    checked.metadata = body.metadata as SchemaMetadata
  }
  if (body.ruleSet !== undefined && body.ruleSet !== null) checked.ruleSet = body.ruleSet
  if (body.id !== undefined && body.id !== null && body.id !== -1) {
    if (!Number.isInteger(body.id) || (body.id as number) < 1) throw errors.invalidSchema(`Invalid id ${String(body.id)}`)
    checked.id = body.id as number
  }
  if (body.version !== undefined && body.version !== null && body.version !== -1 && body.version !== 0) {
    if (!Number.isInteger(body.version) || (body.version as number) < 1) throw errors.invalidVersion(String(body.version))
    checked.version = body.version as number
  }
  return checked
}

export class SchemaParser {
  private readonly cache = new Map<string, ParsedSchema>()

  constructor (private readonly state: RegistryState) {}

  /** The references with their schemas, each pinned to a concrete version (-1 = latest at this moment). */
  resolveReferences (references: SchemaReference[], depth = 0): { pinned: SchemaReference[], resolved: ResolvedReference[] } {
    if (depth > 32) throw errors.invalidSchema('References nest deeper than 32 levels (a cycle?)')
    const pinned: SchemaReference[] = []
    const resolved: ResolvedReference[] = []
    for (const ref of references) {
      const versions = this.state.versionsOf(ref.subject, 'all')
      const entry = ref.version === -1 ? versions.filter((e) => !e.deleted).at(-1) : versions.find((e) => e.version === ref.version)
      if (entry === undefined) throw errors.invalidSchema(`Invalid schema: reference ${ref.name} to subject '${ref.subject}' version ${ref.version} does not exist`)
      const inner = this.resolveReferences(entry.references, depth + 1)
      pinned.push({ name: ref.name, subject: ref.subject, version: entry.version })
      resolved.push({ name: ref.name, subject: ref.subject, version: entry.version, schema: entry.schema, schemaType: entry.schemaType as SchemaType, references: inner.resolved })
    }
    return { pinned, resolved }
  }

  /** Parses a request (42201 with the library's message when invalid). */
  parseRequest (request: CheckedRequest): { parsed: ParsedSchema, references: SchemaReference[] } {
    const { pinned, resolved } = this.resolveReferences(request.references)
    try {
      return { parsed: providerFor(request.schemaType).parse(request.schema, resolved), references: pinned }
    } catch (error) {
      throw errors.invalidSchema((error as Error).message)
    }
  }

  /** Parses a stored version (cached by content). */
  parseStored (entry: VersionEntry): ParsedSchema {
    const key = contentKey(entry)
    let parsed = this.cache.get(key)
    if (parsed === undefined) {
      const { resolved } = this.resolveReferences(entry.references)
      parsed = providerFor(entry.schemaType as SchemaType).parse(entry.schema, resolved)
      this.cache.set(key, parsed)
    }
    return parsed
  }
}
