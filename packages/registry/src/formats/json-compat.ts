/**
 * JSON Schema compatibility as a structural diff, with Confluent's rule names (facts from its public rule list; no
 * library implements these semantics). `original` is the writer's schema, `update` the reader's: a change is
 * compatible when every document valid under `original` stays valid under `update`.
 *
 * Content models decide what adding/removing a property means: an *open* model (additionalProperties absent/true)
 * may already contain any property, so adding a typed property is incompatible and removing one is fine; a *closed*
 * model (false) is the opposite; a *partially open* model (a schema) is judged by whether that schema covers the
 * property — `patternProperties` count as a partially open model for the names they match (Confluent's rule).
 * Tuples, dependencies and if/then/else: json-compat-structures.ts.
 */
import { isDeepStrictEqual } from 'node:util'
import { compareConditionals, compareDependencies, compareTuples, hasTuple, type Differ } from './json-compat-structures.js'
import type { CompatibilityIssue } from './types.js'

type Schema = boolean | Record<string, unknown>

interface Context {
  issues: CompatibilityIssue[]
  originalRoot: unknown
  updateRoot: unknown
  originalRefs: Map<string, unknown>
  updateRefs: Map<string, unknown>
  visiting: Set<string>
}

const COMPATIBLE = new Set([
  'TYPE_EXTENDED', 'MAX_LENGTH_INCREASED', 'MAX_LENGTH_REMOVED', 'MIN_LENGTH_DECREASED', 'MIN_LENGTH_REMOVED',
  'PATTERN_REMOVED', 'MAXIMUM_INCREASED', 'MAXIMUM_REMOVED', 'MINIMUM_DECREASED', 'MINIMUM_REMOVED',
  'EXCLUSIVE_MAXIMUM_INCREASED', 'EXCLUSIVE_MAXIMUM_REMOVED', 'EXCLUSIVE_MINIMUM_DECREASED', 'EXCLUSIVE_MINIMUM_REMOVED',
  'MULTIPLE_OF_REMOVED', 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED', 'REQUIRED_ATTRIBUTE_REMOVED',
  'MAX_PROPERTIES_INCREASED', 'MAX_PROPERTIES_REMOVED', 'MIN_PROPERTIES_DECREASED', 'MIN_PROPERTIES_REMOVED',
  'ADDITIONAL_PROPERTIES_ADDED', 'ADDITIONAL_PROPERTIES_EXTENDED', 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL', 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL', 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'MAX_ITEMS_INCREASED', 'MAX_ITEMS_REMOVED', 'MIN_ITEMS_DECREASED', 'MIN_ITEMS_REMOVED', 'UNIQUE_ITEMS_REMOVED',
  'ENUM_ARRAY_EXTENDED', 'SUM_TYPE_EXTENDED', 'SCHEMA_REMOVED', 'MULTIPLE_OF_REDUCED',
  'ADDITIONAL_ITEMS_ADDED', 'ADDITIONAL_ITEMS_EXTENDED', 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL', 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL',
  'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL', 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL', 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', 'DEPENDENCY_ARRAY_NARROWED', 'DEPENDENCY_ARRAY_REMOVED', 'DEPENDENCY_SCHEMA_REMOVED',
  'COMBINED_TYPE_EXTENDED', 'PRODUCT_TYPE_NARROWED', 'NOT_TYPE_NARROWED'
])

export function jsonReaderIssues (original: unknown, update: unknown, originalRefs: Map<string, unknown>, updateRefs: Map<string, unknown>): CompatibilityIssue[] {
  const ctx: Context = { issues: [], originalRoot: original, updateRoot: update, originalRefs, updateRefs, visiting: new Set() }
  compare(ctx, '#', original as Schema, update as Schema)
  return ctx.issues
}

function report (ctx: Context, type: string, path: string, what: string): void {
  if (COMPATIBLE.has(type)) return
  ctx.issues.push({ errorType: type, description: `${what} at path '${path}'` })
}

function resolve (ctx: Context, schema: Schema, isOriginal: boolean): Schema {
  let current = schema
  for (let hops = 0; hops < 32 && typeof current === 'object' && typeof current.$ref === 'string'; hops++) {
    const ref = current.$ref
    const root = isOriginal ? ctx.originalRoot : ctx.updateRoot
    const refs = isOriginal ? ctx.originalRefs : ctx.updateRefs
    const [document, pointer = ''] = ref.split('#')
    let base: unknown = document === '' ? root : refs.get(document as string)
    if (base === undefined) return current
    for (const part of pointer.split('/').filter((p) => p !== '')) {
      base = (base as Record<string, unknown> | undefined)?.[decodeURIComponent(part.replace(/~1/g, '/').replace(/~0/g, '~'))]
    }
    if (base === undefined) return current
    current = base as Schema
  }
  return current
}

function isEmpty (schema: Schema | undefined): boolean {
  if (schema === undefined || schema === true) return true
  if (schema === false) return false
  return Object.keys(schema).filter((k) => !['title', 'description', '$comment', '$id', '$schema', 'default', 'examples'].includes(k)).length === 0
}

function typesOf (schema: Record<string, unknown>): Set<string> | undefined {
  if (typeof schema.type === 'string') return new Set([schema.type])
  if (Array.isArray(schema.type)) return new Set(schema.type as string[])
  return undefined
}

/** integer ⊂ number, so {integer} → {number} is an extension. */
function covers (types: Set<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'))
}

function compare (ctx: Context, path: string, rawOriginal: Schema, rawUpdate: Schema): void {
  const key = `${path}|${JSON.stringify(rawOriginal)}|${JSON.stringify(rawUpdate)}`
  if (ctx.visiting.has(key)) return // recursive schema: assume compatible on re-entry
  ctx.visiting.add(key)
  try {
    compareResolved(ctx, path, resolve(ctx, rawOriginal, true), resolve(ctx, rawUpdate, false))
  } finally {
    ctx.visiting.delete(key)
  }
}

function compareResolved (ctx: Context, path: string, original: Schema, update: Schema): void {
  if (isDeepStrictEqual(original, update)) return
  if (isEmpty(update)) return report(ctx, 'SCHEMA_REMOVED', path, 'The new schema accepts everything')
  if (original === false) return
  if (update === false || isEmpty(original)) return report(ctx, 'SCHEMA_ADDED', path, 'The new schema constrains a value the old schema left open')
  const o = original as Record<string, unknown>
  const u = update as Record<string, unknown>

  for (const combiner of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(o[combiner]) || Array.isArray(u[combiner])) compareSumTypes(ctx, `${path}/${combiner}`, o[combiner] as Schema[] | undefined ?? [o], u[combiner] as Schema[] | undefined ?? [u])
  }
  if (Array.isArray(o.oneOf) || Array.isArray(o.anyOf) || Array.isArray(u.oneOf) || Array.isArray(u.anyOf)) return

  const ot = typesOf(o)
  const ut = typesOf(u)
  if (ut !== undefined) {
    if (ot === undefined) report(ctx, 'TYPE_NARROWED', path, 'The new schema adds a type constraint')
    else {
      const allCovered = [...ot].every((t) => covers(ut, t))
      const anyCovered = [...ot].some((t) => covers(ut, t))
      if (!anyCovered) return report(ctx, 'TYPE_CHANGED', path, `The type changed from ${[...ot].join('|')} to ${[...ut].join('|')}`)
      if (!allCovered) report(ctx, 'TYPE_NARROWED', path, `The type narrowed from ${[...ot].join('|')} to ${[...ut].join('|')}`)
    }
  }
  compareEnum(ctx, path, o, u)
  compareBound(ctx, path, o.maxLength, u.maxLength, 'MAX_LENGTH', true)
  compareBound(ctx, path, o.minLength, u.minLength, 'MIN_LENGTH', false)
  compareBound(ctx, path, o.maximum, u.maximum, 'MAXIMUM', true)
  compareBound(ctx, path, o.minimum, u.minimum, 'MINIMUM', false)
  compareBound(ctx, path, o.exclusiveMaximum, u.exclusiveMaximum, 'EXCLUSIVE_MAXIMUM', true)
  compareBound(ctx, path, o.exclusiveMinimum, u.exclusiveMinimum, 'EXCLUSIVE_MINIMUM', false)
  compareBound(ctx, path, o.maxProperties, u.maxProperties, 'MAX_PROPERTIES', true)
  compareBound(ctx, path, o.minProperties, u.minProperties, 'MIN_PROPERTIES', false)
  compareBound(ctx, path, o.maxItems, u.maxItems, 'MAX_ITEMS', true)
  compareBound(ctx, path, o.minItems, u.minItems, 'MIN_ITEMS', false)
  if (o.pattern !== u.pattern) report(ctx, o.pattern === undefined ? 'PATTERN_ADDED' : u.pattern === undefined ? 'PATTERN_REMOVED' : 'PATTERN_CHANGED', path, 'The pattern changed')
  if (o.multipleOf !== u.multipleOf) {
    if (u.multipleOf === undefined) report(ctx, 'MULTIPLE_OF_REMOVED', path, 'multipleOf removed')
    else if (o.multipleOf === undefined) report(ctx, 'MULTIPLE_OF_ADDED', path, 'multipleOf added')
    else if ((o.multipleOf as number) % (u.multipleOf as number) !== 0) report(ctx, 'MULTIPLE_OF_CHANGED', path, 'multipleOf changed')
  }
  if (o.uniqueItems !== true && u.uniqueItems === true) report(ctx, 'UNIQUE_ITEMS_ADDED', path, 'uniqueItems added')
  compareObjects(ctx, path, o, u)
  const d = differ(ctx)
  if (hasTuple(o, u)) compareTuples(d, path, o, u)
  else if (o.items !== undefined || u.items !== undefined) compare(ctx, `${path}/items`, (o.items ?? true) as Schema, (u.items ?? true) as Schema)
  compareDependencies(d, path, o, u)
  compareConditionals(d, path, o, u)
  if (!isDeepStrictEqual(o.not, u.not)) report(ctx, 'NOT_TYPE_CHANGED', `${path}/not`, 'The not-schema changed')
}

function differ (ctx: Context): Differ {
  return {
    compare: (path, original, update) => compare(ctx, path, original, update),
    report: (type, path, what) => report(ctx, type, path, what),
    covered: (narrow, wide) => coveredBy(ctx, narrow, wide),
    isEmpty
  }
}

function compareSumTypes (ctx: Context, path: string, original: Schema[], update: Schema[]): void {
  // Every original branch must be readable by some update branch.
  original.forEach((branch, i) => {
    const matched = update.some((candidate) => jsonReaderIssues(resolve(ctx, branch, true), resolve(ctx, candidate, false), ctx.originalRefs, ctx.updateRefs).length === 0)
    if (!matched) report(ctx, update.length < original.length ? 'SUM_TYPE_NARROWED' : 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', `${path}/${i}`, 'A branch of the old schema has no compatible branch in the new schema')
  })
}

function compareEnum (ctx: Context, path: string, o: Record<string, unknown>, u: Record<string, unknown>): void {
  const oe = Array.isArray(o.enum) ? o.enum : o.const !== undefined ? [o.const] : undefined
  const ue = Array.isArray(u.enum) ? u.enum : u.const !== undefined ? [u.const] : undefined
  if (ue === undefined) return
  if (oe === undefined) return report(ctx, 'ENUM_ARRAY_NARROWED', path, 'An enum/const was added')
  const inUpdate = (v: unknown): boolean => ue.some((x) => isDeepStrictEqual(x, v))
  if (oe.every(inUpdate)) return ue.length > oe.length ? report(ctx, 'ENUM_ARRAY_EXTENDED', path, 'Enum extended') : undefined
  report(ctx, oe.some(inUpdate) ? 'ENUM_ARRAY_NARROWED' : 'ENUM_ARRAY_CHANGED', path, 'Enum values were removed')
}

/** `upper` bounds may grow, lower bounds may shrink; adding a bound narrows, removing widens. */
function compareBound (ctx: Context, path: string, o: unknown, u: unknown, name: string, upper: boolean): void {
  if (o === u || (typeof o !== 'number' && typeof u !== 'number')) return
  if (typeof u !== 'number') return report(ctx, `${name}_REMOVED`, path, `${name} removed`)
  if (typeof o !== 'number') return report(ctx, `${name}_ADDED`, path, `${name} added`)
  const widened = upper ? u > o : u < o
  report(ctx, `${name}_${widened ? (upper ? 'INCREASED' : 'DECREASED') : (upper ? 'DECREASED' : 'INCREASED')}`, path, `${name} changed from ${o} to ${u}`)
}

type ContentModel = 'open' | 'closed' | 'partial'
/** The model additionalProperties alone gives (for comparing additionalProperties themselves). */
function contentModel (schema: Record<string, unknown>): ContentModel {
  const ap = schema.additionalProperties
  if (ap === undefined || ap === true || (typeof ap === 'object' && ap !== null && Object.keys(ap).length === 0)) return 'open'
  return ap === false ? 'closed' : 'partial'
}

function patternsOf (schema: Record<string, unknown>): Array<[string, Schema]> {
  return Object.entries((schema.patternProperties ?? {}) as Record<string, Schema>)
}

/**
 * What a name outside `properties` may hold: the first matching patternProperties schema (partially open), else
 * whatever additionalProperties says. (Confluent counts any model with patternProperties as not open, so a property
 * its patterns do not match may be added freely there; here that name still follows additionalProperties.)
 */
function modelFor (schema: Record<string, unknown>, name: string): { kind: ContentModel, schema?: Schema } {
  for (const [pattern, sub] of Object.entries((schema.patternProperties ?? {}) as Record<string, Schema>)) {
    try {
      if (new RegExp(pattern, 'u').test(name)) return { kind: 'partial', schema: sub }
    } catch {}
  }
  const kind = contentModel(schema)
  return kind === 'partial' ? { kind, schema: schema.additionalProperties as Schema } : { kind }
}

function compareObjects (ctx: Context, path: string, o: Record<string, unknown>, u: Record<string, unknown>): void {
  const op = (o.properties ?? {}) as Record<string, Schema>
  const up = (u.properties ?? {}) as Record<string, Schema>
  const oRequired = new Set((o.required ?? []) as string[])
  const uRequired = new Set((u.required ?? []) as string[])
  const om = contentModel(o)
  const um = contentModel(u)
  for (const name of uRequired) {
    if (oRequired.has(name) || !(name in op)) continue
    const hasDefault = typeof up[name] === 'object' && 'default' in (up[name] as object)
    report(ctx, hasDefault ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED', `${path}/required/${name}`, `Property '${name}' became required`)
  }
  for (const [name, schema] of Object.entries(op)) {
    const at = `${path}/properties/${name}`
    if (name in up) { compare(ctx, at, schema, up[name] as Schema); continue }
    const model = modelFor(u, name)
    if (model.kind === 'open') report(ctx, 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', at, 'Property removed')
    else if (model.kind === 'partial') report(ctx, coveredBy(ctx, schema, model.schema as Schema) ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', at, `Property '${name}' removed`)
    else report(ctx, schema === false ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', at, `The new schema has a closed content model and property '${name}' of the old schema is missing`)
  }
  for (const [name, schema] of Object.entries(up)) {
    if (name in op) continue
    const at = `${path}/properties/${name}`
    const required = uRequired.has(name)
    const hasDefault = typeof schema === 'object' && 'default' in schema
    const model = modelFor(o, name)
    if (model.kind === 'open') {
      if (isEmpty(schema)) report(ctx, 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL', at, 'Property added')
      else report(ctx, required ? 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL' : 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', at, `The old schema has an open content model and property '${name}' was added`)
      continue
    }
    if (model.kind === 'partial') report(ctx, coveredBy(ctx, model.schema as Schema, schema) ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', at, `Property '${name}' added`)
    // Closed and partially open models alike: a new required property needs a default.
    report(ctx, !required ? 'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL' : hasDefault ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL' : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', at, `Property '${name}' added`)
  }
  if (om !== um || om === 'partial') {
    const at = `${path}/additionalProperties`
    if (om === 'open' && um === 'closed') report(ctx, 'ADDITIONAL_PROPERTIES_REMOVED', at, 'additionalProperties became false')
    else if (om === 'open' && um === 'partial') report(ctx, 'ADDITIONAL_PROPERTIES_NARROWED', at, 'additionalProperties narrowed to a schema')
    else if (om === 'closed') report(ctx, um === 'open' ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_EXTENDED', at, 'additionalProperties widened')
    else if (om === 'partial' && um === 'closed') report(ctx, 'ADDITIONAL_PROPERTIES_REMOVED', at, 'additionalProperties became false')
    else if (om === 'partial' && um === 'partial') compare(ctx, at, o.additionalProperties as Schema, u.additionalProperties as Schema)
  }
}

/** Is everything valid under `narrow` also valid under `wide`? */
function coveredBy (ctx: Context, narrow: Schema, wide: Schema): boolean {
  return jsonReaderIssues(resolve(ctx, narrow, true), resolve(ctx, wide, false), ctx.originalRefs, ctx.updateRefs).length === 0
}
