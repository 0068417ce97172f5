/**
 * AVRO with avsc: avsc validates the schema (names, defaults against their types, duplicate symbols…) and implements
 * Avro's schema resolution (`reader.createResolver(writer)`: promotions int→long→float→double, string↔bytes, new
 * fields need defaults, enum defaults, union branches, reader aliases), so compatibility is the library's verdict.
 * We only add what avsc does not keep: the stored text (avsc's `schema()` drops logicalType, enum defaults and
 * custom attributes, so we never store its output) and a normalized form.
 */
import avro from 'avsc'
import type { CompatibilityIssue, FormatProvider, ParsedSchema, ResolvedReference } from './types.js'

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])
// Parsing Canonical Form's key order first, then every other attribute sorted, so equal schemas print equally.
const KEY_ORDER = ['type', 'name', 'fields', 'symbols', 'items', 'values', 'size']

export const avroProvider: FormatProvider = {
  type: 'AVRO',
  parse (schema, references) {
    let json: unknown
    try {
      json = JSON.parse(schema)
    } catch (error) {
      throw new Error(`Invalid schema ${schema}: ${(error as Error).message}`)
    }
    const registry: Record<string, avro.Type> = {}
    const records = new Map<string, Record<string, unknown>>()
    const typeHook = recordCollector(records)
    registerReferences(references, registry, new Set(), typeHook)
    let type: avro.Type
    try {
      type = avro.Type.forSchema(json as avro.Schema, { registry, typeHook })
    } catch (error) {
      throw new Error(`Invalid schema ${schema} with refs ${JSON.stringify(references.map(({ name, subject, version }) => ({ name, subject, version })))} of type AVRO, details: ${(error as Error).message}`)
    }
    return {
      type: 'AVRO',
      canonical: JSON.stringify(json),
      normalized: () => JSON.stringify(normalize(json, undefined, new Set())),
      native: type,
      fieldAttributes: (record, field) => (records.get(record)?.fields as Array<Record<string, unknown>> | undefined)?.find((f) => f.name === field)
    } satisfies ParsedSchema
  },
  readerIssues (reader, writer) {
    try {
      (reader.native as avro.Type).createResolver(writer.native as avro.Type)
      return []
    } catch (error) {
      return [classify((error as Error).message)]
    }
  }
}

type TypeHook = (schema: avro.Schema, opts: avro.ForSchemaOptions) => avro.Type | undefined

/**
 * avsc drops custom field attributes, so a type hook keeps each record's raw JSON by full name (the name avsc gives
 * the record: a dotted name as is, else qualified with its own or the enclosing namespace). It creates nothing.
 */
function recordCollector (into: Map<string, Record<string, unknown>>): TypeHook {
  return (schema, opts) => {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined
    const raw = schema as unknown as Record<string, unknown>
    if ((raw.type !== 'record' && raw.type !== 'error') || typeof raw.name !== 'string') return undefined
    const namespace = typeof raw.namespace === 'string' ? raw.namespace : (opts as { namespace?: string }).namespace
    into.set(raw.name.includes('.') || namespace === undefined || namespace === '' ? raw.name : `${namespace}.${raw.name}`, raw)
    return undefined
  }
}

function registerReferences (references: ResolvedReference[], registry: Record<string, avro.Type>, seen: Set<string>, typeHook: TypeHook): void {
  for (const ref of references) {
    const key = `${ref.subject}/${ref.version}`
    if (seen.has(key)) continue
    seen.add(key)
    registerReferences(ref.references, registry, seen, typeHook)
    try {
      avro.Type.forSchema(JSON.parse(ref.schema) as avro.Schema, { registry, typeHook })
    } catch (error) {
      throw new Error(`Invalid reference ${ref.name} (${ref.subject} version ${ref.version}): ${(error as Error).message}`)
    }
  }
}

/** Maps avsc's resolver messages onto the rule names of Avro's SchemaCompatibility (what Confluent reports). */
function classify (message: string): CompatibilityIssue {
  if (message.startsWith('no matching field for default-less')) return { errorType: 'READER_FIELD_MISSING_DEFAULT_VALUE', description: `The new schema has a field without a default value that is missing in the old schema (${message})` }
  if (message.startsWith('no alias found')) return { errorType: 'NAME_MISMATCH', description: `The type names do not match and the reader has no matching alias (${message})` }
  return { errorType: 'TYPE_MISMATCH', description: `The reader cannot read what the writer wrote: ${message}` }
}

/** Full names, primitive shorthands, one key order; named types printed once then referenced by full name. */
function normalize (node: unknown, namespace: string | undefined, defined: Set<string>): unknown {
  if (typeof node === 'string') return PRIMITIVES.has(node) || node.includes('.') || namespace === undefined ? node : qualify(node, namespace)
  if (Array.isArray(node)) return node.map((branch) => normalize(branch, namespace, defined))
  if (node === null || typeof node !== 'object') return node
  const schema = node as Record<string, unknown>
  const type = schema.type
  if (typeof type === 'string' && PRIMITIVES.has(type) && Object.keys(schema).length === 1) return type
  let ns = namespace
  const out: Record<string, unknown> = {}
  if (typeof schema.name === 'string') {
    const ownNamespace = typeof schema.namespace === 'string' ? schema.namespace : namespace
    const full = schema.name.includes('.') || ownNamespace === undefined || ownNamespace === '' ? schema.name : `${ownNamespace}.${schema.name}`
    if (defined.has(full)) return full
    defined.add(full)
    out.name = full
    ns = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : undefined
  }
  for (const key of [...KEY_ORDER, ...Object.keys(schema).filter((k) => !KEY_ORDER.includes(k)).sort()]) {
    if (!(key in schema) || key === 'namespace' || key === 'name') continue
    const value = schema[key]
    if (key === 'fields' && Array.isArray(value)) {
      out.fields = value.map((field: Record<string, unknown>) => {
        const copy: Record<string, unknown> = { name: field.name, type: normalize(field.type, ns, defined) }
        for (const k of Object.keys(field).filter((k) => k !== 'name' && k !== 'type').sort()) copy[k] = field[k]
        return copy
      })
    } else if (key === 'type' || key === 'items' || key === 'values') {
      out[key] = normalize(value, ns, defined)
    } else {
      out[key] = value
    }
  }
  return out
}

function qualify (name: string, namespace: string): string {
  return namespace === '' ? name : `${namespace}.${name}`
}
