/**
 * JSON Schema with ajv: ajv validates a schema against its draft's meta-schema and compiles it (unresolvable `$ref`s
 * fail here), and the serializers reuse the compiled validator. The draft is chosen by `$schema`: draft-04 via
 * ajv-draft-04 (ajv 8 dropped it from the core), draft-06/07 via the default class (+ the draft-06 meta-schema),
 * 2019-09 and 2020-12 via ajv's own classes. ajv-formats adds the standard `format`s. `strict: false` because
 * Confluent accepts unknown keywords (e.g. `connect.type`) and so must we.
 */
import { createRequire } from 'node:module'
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { Ajv2020 } from 'ajv/dist/2020.js'
import ajvDraft04 from 'ajv-draft-04'
import ajvFormats from 'ajv-formats'
import { jsonReaderIssues } from './json-compat.js'
import type { FormatProvider, ParsedSchema, ResolvedReference } from './types.js'

const require = createRequire(import.meta.url)
// CommonJS packages whose default export is on `.default` under NodeNext.
const AjvDraft04 = (ajvDraft04 as unknown as { default: typeof Ajv }).default
const addFormats = (ajvFormats as unknown as { default: (ajv: Ajv) => void }).default
const draft06Meta = require('ajv/dist/refs/json-schema-draft-06.json') as Record<string, unknown>

type Draft = '4' | '6' | '7' | '2019-09' | '2020-12'

export interface JsonParsed {
  schema: unknown
  references: Map<string, unknown>
  draft: Draft
  validate: ValidateFunction
}

function draftOf (schema: unknown): Draft {
  const uri = typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>).$schema : undefined
  if (typeof uri !== 'string') return '7'
  if (uri.includes('draft-04')) return '4'
  if (uri.includes('draft-06')) return '6'
  if (uri.includes('2019-09')) return '2019-09'
  if (uri.includes('2020-12')) return '2020-12'
  return '7'
}

function createAjv (draft: Draft): Ajv {
  const options = { strict: false, allErrors: true, validateFormats: true }
  let ajv: Ajv
  switch (draft) {
    case '4': ajv = new AjvDraft04(options) as unknown as Ajv; break
    case '2019-09': ajv = new Ajv2019(options) as unknown as Ajv; break
    case '2020-12': ajv = new Ajv2020(options) as unknown as Ajv; break
    default:
      ajv = new Ajv(options)
      if (draft === '6') ajv.addMetaSchema(draft06Meta)
  }
  addFormats(ajv)
  return ajv
}

function collectReferences (references: ResolvedReference[], into: Map<string, unknown>): void {
  for (const ref of references) {
    if (into.has(ref.name)) continue
    into.set(ref.name, JSON.parse(ref.schema))
    collectReferences(ref.references, into)
  }
}

export const jsonProvider: FormatProvider = {
  type: 'JSON',
  parse (text, references) {
    let schema: unknown
    const refs = new Map<string, unknown>()
    try {
      schema = JSON.parse(text)
      collectReferences(references, refs)
    } catch (error) {
      throw new Error(`Invalid schema ${text}: ${(error as Error).message}`)
    }
    if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
      throw new Error(`Invalid schema ${text}: a JSON schema is an object or a boolean`)
    }
    const draft = draftOf(schema)
    let validate: ValidateFunction
    try {
      const ajv = createAjv(draft)
      for (const [name, refSchema] of refs) ajv.addSchema(refSchema as AnySchema, name)
      validate = ajv.compile(schema as AnySchema)
    } catch (error) {
      throw new Error(`Invalid schema ${text}, details: ${(error as Error).message}`)
    }
    const native: JsonParsed = { schema, references: refs, draft, validate }
    return {
      type: 'JSON',
      canonical: JSON.stringify(schema),
      normalized: () => JSON.stringify(sortKeys(schema)),
      native
    } satisfies ParsedSchema
  },
  readerIssues (reader, writer) {
    const r = reader.native as JsonParsed
    const w = writer.native as JsonParsed
    // Confluent diffs (original = writer, update = reader): every value the writer allowed must stay valid.
    return jsonReaderIssues(w.schema, r.schema, w.references, r.references)
  }
}

function sortKeys (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key])
  return out
}
