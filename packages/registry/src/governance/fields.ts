/**
 * The shape of a schema's values as far as governance needs it: records with their (tagged) fields, arrays, maps,
 * unions and string leaves, built once per schema from the format library's parse. Tags come from the schema text
 * (Avro field attribute / JSON Schema keyword `confluent:tags`, Protobuf `(confluent.field_meta).tags`) plus
 * `metadata.tags` patterns matched against each field's full name. As in Confluent's rule executors, a field's tags
 * apply to the strings directly under it (through arrays, maps and unions), not to the fields of a nested record.
 */
import type avro from 'avsc'
import protobuf from 'protobufjs'
import { firstMessageName, type JsonParsed, type ParsedSchema, type ProtoParsed } from '../formats/index.js'
import type { SchemaMetadata } from '../store/records.js'
import { wildcardMatch } from './classification.js'

export type ValueNode =
  | { kind: 'record', name: string, fields: GovernedField[] }
  | { kind: 'array', items: ValueNode }
  | { kind: 'map', values: ValueNode }
  /** `wrapped`: Avro's wrapped union values `{ "<branch>": value }`. */
  | { kind: 'union', wrapped: boolean, branches: Array<{ name: string, node: ValueNode }> }
  | { kind: 'string' }
  | { kind: 'boolean' }
  | { kind: 'other' }

export interface GovernedField { name: string, fullName: string, tags: string[], node: ValueNode }

export interface FieldPlan {
  root: ValueNode
  /** False when no field carries a tag: the serializers then skip the walk entirely. */
  tagged: boolean
}

const OTHER: ValueNode = { kind: 'other' }
const STRING: ValueNode = { kind: 'string' }
const BOOLEAN: ValueNode = { kind: 'boolean' }

class Tagger {
  tagged = false
  constructor (private readonly patterns: Array<[string, string[]]>) {}
  field (name: string, fullName: string, inline: unknown, node: ValueNode): GovernedField {
    const tags = new Set<string>()
    for (const tag of Array.isArray(inline) ? inline : typeof inline === 'string' ? [inline] : []) if (typeof tag === 'string') tags.add(tag)
    for (const [pattern, extra] of this.patterns) if (wildcardMatch(fullName, pattern)) for (const tag of extra) tags.add(tag)
    if (tags.size > 0) this.tagged = true
    return { name, fullName, tags: [...tags], node }
  }
}

/** The plan of a parsed schema (PROTOBUF: of one message, by default the first). */
export function fieldPlan (parsed: ParsedSchema, metadata?: SchemaMetadata, messageName?: string): FieldPlan {
  const tagger = new Tagger(Object.entries(metadata?.tags ?? {}).filter((e): e is [string, string[]] => Array.isArray(e[1])))
  let root: ValueNode
  switch (parsed.type) {
    case 'AVRO': root = avroNode(parsed.native as avro.Type, parsed, tagger, new Map()); break
    case 'JSON': root = new JsonWalker(parsed.native as JsonParsed, tagger).node((parsed.native as JsonParsed).schema, '$'); break
    case 'PROTOBUF': {
      const proto = parsed.native as ProtoParsed
      root = protoNode(proto.root.lookupType(messageName ?? firstMessageName(proto)), tagger, new Map())
    }
  }
  return { root, tagged: tagger.tagged }
}

// ---- AVRO: avsc's types for the structure (names resolved across references), the raw JSON for field attributes.

function avroNode (type: avro.Type, parsed: ParsedSchema, tagger: Tagger, records: Map<string, ValueNode>): ValueNode {
  const typeName = type.typeName
  switch (typeName) {
    case 'record':
    case 'error': {
      const name = type.name as string
      const known = records.get(name)
      if (known !== undefined) return known
      const node: ValueNode = { kind: 'record', name, fields: [] }
      records.set(name, node)
      for (const field of (type as avro.types.RecordType).fields) {
        const raw = parsed.fieldAttributes?.(name, field.name)
        node.fields.push(tagger.field(field.name, `${name}.${field.name}`, raw?.['confluent:tags'], avroNode(field.type, parsed, tagger, records)))
      }
      return node
    }
    case 'array': return { kind: 'array', items: avroNode((type as avro.types.ArrayType).itemsType, parsed, tagger, records) }
    case 'map': return { kind: 'map', values: avroNode((type as avro.types.MapType).valuesType, parsed, tagger, records) }
    case 'union:wrapped':
    case 'union:unwrapped': {
      const union = type as unknown as { types: avro.Type[] }
      return { kind: 'union', wrapped: typeName === 'union:wrapped', branches: union.types.map((branch: avro.Type) => ({ name: branch.branchName as string, node: avroNode(branch, parsed, tagger, records) })) }
    }
    case 'string': return STRING
    case 'boolean': return BOOLEAN
    default: return OTHER
  }
}

// ---- JSON Schema: the raw schema; `$ref`s resolved within the document and into referenced documents.

class JsonWalker {
  private readonly seen = new Map<object, ValueNode>()
  constructor (private readonly parsed: JsonParsed, private readonly tagger: Tagger) {}

  private resolve (schema: unknown, root: unknown): { schema: unknown, root: unknown } {
    let current = schema
    let base = root
    for (let hops = 0; hops < 32 && typeof current === 'object' && current !== null && typeof (current as { $ref?: unknown }).$ref === 'string'; hops++) {
      const [document = '', pointer = ''] = ((current as { $ref: string }).$ref).split('#')
      const target = document === '' ? base : this.parsed.references.get(document)
      if (target === undefined) return { schema: current, root: base }
      let at: unknown = target
      for (const part of pointer.split('/').filter((p) => p !== '')) at = (at as Record<string, unknown> | undefined)?.[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')]
      if (at === undefined) return { schema: current, root: base }
      current = at
      base = target
    }
    return { schema: current, root: base }
  }

  node (raw: unknown, path: string, root: unknown = this.parsed.schema): ValueNode {
    const { schema, root: base } = this.resolve(raw, root)
    if (typeof schema !== 'object' || schema === null) return OTHER
    const known = this.seen.get(schema)
    if (known !== undefined) return known
    const s = schema as Record<string, unknown>
    const types = new Set<string>(Array.isArray(s.type) ? s.type as string[] : typeof s.type === 'string' ? [s.type] : [])
    const branches = (['allOf', 'anyOf', 'oneOf'] as const).flatMap((k) => Array.isArray(s[k]) ? s[k] as unknown[] : [])
    const objectLike = s.properties !== undefined || types.has('object')
    if (!objectLike && types.size === 0 && branches.length > 0) {
      // Alternatives for one value: a record when some branch is one (fields merged), else a string if one is.
      const node: ValueNode & { kind: 'record' } = { kind: 'record', name: path, fields: [] }
      this.seen.set(schema, node)
      const inner = branches.map((branch) => this.node(branch, path, base))
      if (inner.some((n) => n.kind === 'record')) return mergeFields(node, inner)
      const scalar = inner.some((n) => n.kind === 'string') ? STRING : inner.some((n) => n.kind === 'boolean') ? BOOLEAN : OTHER
      this.seen.set(schema, scalar)
      return scalar
    }
    if (objectLike) {
      const node: ValueNode & { kind: 'record' } = { kind: 'record', name: path, fields: [] }
      this.seen.set(schema, node)
      for (const [name, property] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
        const fullName = `${path}.${name}`
        const inline = new Set<string>([...tagsOf(property), ...tagsOf(this.resolve(property, base).schema)])
        node.fields.push(this.tagger.field(name, fullName, [...inline], this.node(property, fullName, base)))
      }
      return mergeFields(node, branches.map((branch) => this.node(branch, path, base)))
    }
    if (types.has('array') && typeof s.items === 'object' && s.items !== null && !Array.isArray(s.items)) return { kind: 'array', items: this.node(s.items, path, base) }
    if (types.has('string')) return STRING
    if (types.has('boolean')) return BOOLEAN
    return OTHER
  }
}

/** Combinator branches describe the same object: their fields join the record's (first declaration wins). */
function mergeFields (node: ValueNode & { kind: 'record' }, branches: ValueNode[]): ValueNode {
  for (const branch of branches) {
    if (branch.kind !== 'record' || branch === node) continue
    for (const field of branch.fields) if (!node.fields.some((f) => f.name === field.name)) node.fields.push(field)
  }
  return node
}

function tagsOf (schema: unknown): string[] {
  const tags = typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>)['confluent:tags'] : undefined
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : []
}

// ---- PROTOBUF: protobufjs reflection; tags in the parsed `(confluent.field_meta)` option.

function protoTags (field: protobuf.Field): string[] {
  const out: string[] = []
  for (const option of (field.parsedOptions ?? []) as Array<Record<string, unknown>>) {
    const meta = option['(confluent.field_meta)'] as { tags?: unknown } | undefined
    if (meta === undefined) continue
    for (const tag of Array.isArray(meta.tags) ? meta.tags : [meta.tags]) if (typeof tag === 'string') out.push(tag)
  }
  return out
}

function protoNode (type: protobuf.Type, tagger: Tagger, messages: Map<string, ValueNode>): ValueNode {
  const name = type.fullName.slice(1)
  const known = messages.get(name)
  if (known !== undefined) return known
  const node: ValueNode = { kind: 'record', name, fields: [] }
  messages.set(name, node)
  for (const field of type.fieldsArray) {
    field.resolve()
    let leaf: ValueNode
    if (field.resolvedType instanceof protobuf.Type) leaf = protoNode(field.resolvedType, tagger, messages)
    else leaf = field.type === 'string' ? STRING : field.type === 'bool' ? BOOLEAN : OTHER
    if ((field as unknown as { keyType?: string }).keyType !== undefined) leaf = { kind: 'map', values: leaf }
    else if (field.repeated) leaf = { kind: 'array', items: leaf }
    node.fields.push(tagger.field(field.name, `${name}.${field.name}`, protoTags(field), leaf))
  }
  return node
}
