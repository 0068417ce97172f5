/**
 * `?format=resolved` for AVRO: the schema with every referenced named type defined inline at its first use (later
 * uses stay names), so a reader without the registry's references can parse it alone. Inlined definitions get their
 * full name (`namespace.Name`), which keeps their nested relative names resolving as before. Attributes are kept as
 * written (custom ones included).
 */
import type { ResolvedReference } from './types.js'

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])
const NAMED = new Set(['record', 'error', 'enum', 'fixed'])

type Json = Record<string, unknown>

function fullNameOf (name: string, namespace: string | undefined): string {
  return name.includes('.') || namespace === undefined || namespace === '' ? name : `${namespace}.${name}`
}

function namespaceOf (fullName: string): string | undefined {
  const dot = fullName.lastIndexOf('.')
  return dot < 0 ? undefined : fullName.slice(0, dot)
}

/** Every named type defined anywhere in the referenced schemas, by full name. */
function collectNamed (node: unknown, namespace: string | undefined, into: Map<string, Json>): void {
  if (Array.isArray(node)) return node.forEach((branch) => collectNamed(branch, namespace, into))
  if (node === null || typeof node !== 'object') return
  const schema = node as Json
  let ns = namespace
  if (NAMED.has(schema.type as string) && typeof schema.name === 'string') {
    const full = fullNameOf(schema.name, typeof schema.namespace === 'string' ? schema.namespace : namespace)
    if (!into.has(full)) into.set(full, schema)
    ns = namespaceOf(full)
  }
  for (const field of Array.isArray(schema.fields) ? schema.fields as Json[] : []) collectNamed(field.type, ns, into)
  for (const key of ['items', 'values']) collectNamed(schema[key], ns, into)
  if (typeof schema.type === 'object') collectNamed(schema.type, ns, into)
}

function collectReferences (references: ResolvedReference[], into: Map<string, Json>): void {
  for (const ref of references) {
    collectReferences(ref.references, into)
    collectNamed(JSON.parse(ref.schema), undefined, into)
  }
}

function inline (node: unknown, namespace: string | undefined, named: Map<string, Json>, defined: Set<string>): unknown {
  if (typeof node === 'string') {
    if (PRIMITIVES.has(node)) return node
    const full = fullNameOf(node, namespace)
    const definition = named.get(full) ?? named.get(node)
    const key = named.has(full) ? full : node
    if (definition === undefined || defined.has(key)) return node
    const { namespace: _dropped, ...rest } = definition
    return inline({ ...rest, name: key }, namespace, named, defined)
  }
  if (Array.isArray(node)) return node.map((branch) => inline(branch, namespace, named, defined))
  if (node === null || typeof node !== 'object') return node
  const schema = { ...(node as Json) }
  let ns = namespace
  if (NAMED.has(schema.type as string) && typeof schema.name === 'string') {
    const full = fullNameOf(schema.name, typeof schema.namespace === 'string' ? schema.namespace : namespace)
    defined.add(full)
    ns = namespaceOf(full)
  }
  if (Array.isArray(schema.fields)) schema.fields = (schema.fields as Json[]).map((field) => ({ ...field, type: inline(field.type, ns, named, defined) }))
  for (const key of ['items', 'values']) if (schema[key] !== undefined) schema[key] = inline(schema[key], ns, named, defined)
  if (typeof schema.type === 'object' && schema.type !== null) schema.type = inline(schema.type, ns, named, defined)
  return schema
}

export function resolvedAvro (schema: string, references: ResolvedReference[]): string {
  if (references.length === 0) return schema
  const named = new Map<string, Json>()
  collectReferences(references, named)
  return JSON.stringify(inline(JSON.parse(schema), undefined, named, new Set()))
}
