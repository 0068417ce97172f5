/**
 * The JSON Schema diff for tuples, dependencies and conditionals (split from json-compat.ts, which calls these).
 * Rule names and verdicts follow Confluent's (facts from its public rule list):
 * - tuples (`items: [...]` + `additionalItems`, or 2020-12 `prefixItems` + `items`): positions compared pairwise;
 *   an item added or removed is judged by the other side's rest schema, like properties by content models;
 * - `dependencies` / `dependentRequired` / `dependentSchemas`: a dependency added or a required list extended
 *   narrows what is valid; removed or shortened widens it;
 * - `if` / `then` / `else` (Confluent does not diff these; our rule): same `if` → `then` and `else` compared as
 *   schemas; conditional added = PRODUCT_TYPE_EXTENDED (narrows), removed = PRODUCT_TYPE_NARROWED (widens), `if`
 *   changed = COMBINED_TYPE_CHANGED.
 */
import { isDeepStrictEqual } from 'node:util'

type Schema = boolean | Record<string, unknown>

export interface Differ {
  compare: (path: string, original: Schema, update: Schema) => void
  report: (type: string, path: string, what: string) => void
  /** Is everything valid under `narrow` also valid under `wide`? */
  covered: (narrow: Schema, wide: Schema) => boolean
  isEmpty: (schema: Schema | undefined) => boolean
}

interface Tuple { prefix: Schema[], rest: Schema | undefined }

function tupleOf (s: Record<string, unknown>): Tuple | undefined {
  if (Array.isArray(s.prefixItems)) return { prefix: s.prefixItems as Schema[], rest: s.items as Schema | undefined }
  if (Array.isArray(s.items)) return { prefix: s.items as Schema[], rest: s.additionalItems as Schema | undefined }
  return undefined
}

export function hasTuple (o: Record<string, unknown>, u: Record<string, unknown>): boolean {
  return tupleOf(o) !== undefined || tupleOf(u) !== undefined
}

/** A rest schema that constrains nothing (absent, true, {}) leaves the tuple open. */
function restKind (rest: Schema | undefined, d: Differ): 'open' | 'closed' | 'partial' {
  if (rest === false) return 'closed'
  return rest === undefined || d.isEmpty(rest) ? 'open' : 'partial'
}

export function compareTuples (d: Differ, path: string, o: Record<string, unknown>, u: Record<string, unknown>): void {
  // A list-form `items: S` is the tuple with no positions and rest S.
  const ot = tupleOf(o) ?? { prefix: [], rest: o.items as Schema | undefined }
  const ut = tupleOf(u) ?? { prefix: [], rest: u.items as Schema | undefined }
  const shared = Math.min(ot.prefix.length, ut.prefix.length)
  for (let i = 0; i < shared; i++) d.compare(`${path}/items/${i}`, ot.prefix[i] as Schema, ut.prefix[i] as Schema)
  const uRest = restKind(ut.rest, d)
  for (let i = shared; i < ot.prefix.length; i++) {
    const at = `${path}/items/${i}`
    const item = ot.prefix[i] as Schema
    if (uRest === 'open') d.report('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL', at, 'Tuple item removed')
    else if (uRest === 'partial') d.report(d.covered(item, ut.rest as Schema) ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', at, 'Tuple item removed')
    else d.report(item === false ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL', at, 'The new tuple is closed and misses an item of the old one')
  }
  const oRest = restKind(ot.rest, d)
  for (let i = shared; i < ut.prefix.length; i++) {
    const at = `${path}/items/${i}`
    const item = ut.prefix[i] as Schema
    if (oRest === 'open') d.report(d.isEmpty(item) ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL' : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL', at, 'The old tuple is open and an item was added')
    else if (oRest === 'partial') d.report(d.covered(ot.rest as Schema, item) ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', at, 'Tuple item added')
    else d.report('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL', at, 'Tuple item added')
  }
  const at = `${path}/additionalItems`
  if ((oRest === 'closed') !== (uRest === 'closed')) d.report(oRest === 'closed' ? 'ADDITIONAL_ITEMS_ADDED' : 'ADDITIONAL_ITEMS_REMOVED', at, 'Additional items allowed or forbidden')
  else if (oRest === 'open' && uRest === 'partial') d.report('ADDITIONAL_ITEMS_NARROWED', at, 'Additional items narrowed to a schema')
  else if (oRest === 'partial' && uRest === 'open') d.report('ADDITIONAL_ITEMS_EXTENDED', at, 'Additional items no longer constrained')
  else if (oRest === 'partial' && uRest === 'partial') d.compare(at, ot.rest as Schema, ut.rest as Schema)
}

function dependenciesOf (s: Record<string, unknown>): { arrays: Map<string, string[]>, schemas: Map<string, Schema> } {
  const arrays = new Map<string, string[]>()
  const schemas = new Map<string, Schema>()
  for (const [key, value] of Object.entries((s.dependencies ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(value)) arrays.set(key, value as string[])
    else schemas.set(key, value as Schema)
  }
  for (const [key, value] of Object.entries((s.dependentRequired ?? {}) as Record<string, unknown>)) if (Array.isArray(value)) arrays.set(key, value as string[])
  for (const [key, value] of Object.entries((s.dependentSchemas ?? {}) as Record<string, unknown>)) schemas.set(key, value as Schema)
  return { arrays, schemas }
}

export function compareDependencies (d: Differ, path: string, o: Record<string, unknown>, u: Record<string, unknown>): void {
  const od = dependenciesOf(o)
  const ud = dependenciesOf(u)
  for (const key of new Set([...od.arrays.keys(), ...ud.arrays.keys()])) {
    const at = `${path}/dependencies/${key}`
    const before = od.arrays.get(key)
    const after = ud.arrays.get(key)
    if (after === undefined) d.report('DEPENDENCY_ARRAY_REMOVED', at, 'Property dependency removed')
    else if (before === undefined) d.report('DEPENDENCY_ARRAY_ADDED', at, 'Property dependency added')
    else if (!isDeepStrictEqual(new Set(before), new Set(after))) {
      if (before.every((p) => after.includes(p))) d.report('DEPENDENCY_ARRAY_EXTENDED', at, 'Property dependency extended')
      else if (after.every((p) => before.includes(p))) d.report('DEPENDENCY_ARRAY_NARROWED', at, 'Property dependency narrowed')
      else d.report('DEPENDENCY_ARRAY_CHANGED', at, 'Property dependency changed')
    }
  }
  for (const key of new Set([...od.schemas.keys(), ...ud.schemas.keys()])) {
    const at = `${path}/dependencies/${key}`
    const before = od.schemas.get(key)
    const after = ud.schemas.get(key)
    if (after === undefined) d.report('DEPENDENCY_SCHEMA_REMOVED', at, 'Schema dependency removed')
    else if (before === undefined) d.report('DEPENDENCY_SCHEMA_ADDED', at, 'Schema dependency added')
    else d.compare(at, before, after)
  }
}

export function compareConditionals (d: Differ, path: string, o: Record<string, unknown>, u: Record<string, unknown>): void {
  const had = o.if !== undefined
  const has = u.if !== undefined
  if (!had && !has) return
  if (!has) return d.report('PRODUCT_TYPE_NARROWED', `${path}/if`, 'The conditional (if/then/else) was removed')
  if (!had) return d.report('PRODUCT_TYPE_EXTENDED', `${path}/if`, 'A conditional (if/then/else) was added')
  if (!isDeepStrictEqual(o.if, u.if)) return d.report('COMBINED_TYPE_CHANGED', `${path}/if`, 'The condition (if) changed')
  d.compare(`${path}/then`, (o.then ?? true) as Schema, (u.then ?? true) as Schema)
  d.compare(`${path}/else`, (o.else ?? true) as Schema, (u.else ?? true) as Schema)
}
