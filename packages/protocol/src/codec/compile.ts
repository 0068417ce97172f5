import { ProtocolDecodeError } from '../errors.js'
import type { Reader } from './reader.js'
import type { Writer } from './writer.js'
import type { FieldDef, Schema } from './schema.js'
import { inRange } from './versions.js'

/**
 * Turns a declared struct into a reader and writer for one (version, flexible) pair. Compiled once per pair and
 * cached, so the per-message cost is one closure call per field.
 */
export interface CompiledStruct {
  read: (reader: Reader) => Record<string, unknown>
  write: (writer: Writer, value: Record<string, unknown> | undefined) => void
}

type ReadFn = (reader: Reader) => unknown
type WriteFn = (writer: Writer, value: unknown) => void

const cache = new WeakMap<Schema, Map<number, CompiledStruct>>()

export function compileStruct (schema: Schema, version: number, flexible: boolean): CompiledStruct {
  let byVersion = cache.get(schema)
  if (byVersion === undefined) cache.set(schema, byVersion = new Map())
  const key = version * 2 + (flexible ? 1 : 0)
  let compiled = byVersion.get(key)
  if (compiled === undefined) byVersion.set(key, compiled = build(schema, version, flexible))
  return compiled
}

/** The value a field takes when it is absent from a version (fresh arrays/objects every time). */
export function defaultValue (field: FieldDef<unknown>): unknown {
  if (field.kind === 'struct') {
    if (field.defaultValue !== undefined) return field.defaultValue
    const value: Record<string, unknown> = {}
    for (const [name, child] of Object.entries(field.fields!)) value[name] = defaultValue(child)
    return value
  }
  if (Array.isArray(field.defaultValue)) return []
  return field.defaultValue
}

interface Entry { name: string, field: FieldDef<unknown>, read: ReadFn, write: WriteFn }

function build (schema: Schema, version: number, flexible: boolean): CompiledStruct {
  const regular: Entry[] = []
  const tagged: Array<Entry & { tag: number }> = []
  const absent: Array<[string, FieldDef<unknown>]> = []
  for (const [name, field] of Object.entries(schema)) {
    const isTagged = flexible && field.tag !== undefined && inRange(field.taggedVersions, version)
    if (!isTagged && !inRange(field.versions, version)) {
      absent.push([name, field])
      continue
    }
    const nullable = inRange(field.nullable, version)
    const entry = { name, field, read: reader(field, version, flexible, nullable, name), write: writer(field, version, flexible, nullable, name) }
    if (isTagged) tagged.push({ ...entry, tag: field.tag! })
    else regular.push(entry)
  }
  tagged.sort((a, b) => a.tag - b.tag)
  const tagIndex = new Map(tagged.map((entry) => [entry.tag, entry]))

  const read = (input: Reader): Record<string, unknown> => {
    const value: Record<string, unknown> = {}
    for (const entry of regular) value[entry.name] = entry.read(input)
    for (const [name, field] of absent) value[name] = defaultValue(field)
    if (flexible) {
      for (const entry of tagged) value[entry.name] = defaultValue(entry.field)
      const count = input.uvarint()
      for (let i = 0; i < count; i++) {
        const tag = input.uvarint()
        const size = input.uvarint()
        const entry = tagIndex.get(tag)
        if (entry === undefined) {
          input.slice(size) // unknown tagged field: skip, as the spec requires
          continue
        }
        const end = input.offset + size
        value[entry.name] = entry.read(input)
        if (input.offset !== end) throw new ProtocolDecodeError(`tagged field ${entry.name} has size ${size} but used ${input.offset - end + size}`)
      }
    }
    return value
  }

  const write = (output: Writer, value: Record<string, unknown> | undefined): void => {
    const source = value ?? {}
    for (const entry of regular) entry.write(output, source[entry.name])
    if (!flexible) return
    const present = tagged.filter((entry) => !isDefault(entry.field, source[entry.name]))
    output.uvarint(present.length)
    for (const entry of present) {
      // Tagged values are length-prefixed, so encode into a scratch writer first.
      const scratch = new (output.constructor as new () => Writer)()
      entry.write(scratch, source[entry.name])
      const bytes = scratch.toBuffer()
      output.uvarint(entry.tag).uvarint(bytes.length).raw(bytes)
    }
  }
  return { read, write }
}

function isDefault (field: FieldDef<unknown>, value: unknown): boolean {
  if (value === undefined) return true
  return sameValue(value, defaultValue(field))
}

/** Structural equality for decoded values (primitives, Buffers, arrays, plain objects). */
function sameValue (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b)
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameValue(item, b[i]))
  }
  const keys = Object.keys(b as object)
  return keys.every((key) => sameValue((a as Record<string, unknown>)[key] ?? (b as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
}

/**
 * A null (length −1) where the field is not nullable in this version is refused, as Kafka's generated readers do:
 * handlers may rely on the declared type, and an answer echoing that null could not even be encoded.
 */
function reader (field: FieldDef<unknown>, version: number, flexible: boolean, nullable: boolean, name: string): ReadFn {
  const notNull = <T>(read: (r: Reader) => T | null): ReadFn => nullable
    ? read
    : (r) => {
        const value = read(r)
        if (value === null) throw new ProtocolDecodeError(`non-nullable field ${name} was serialized as null`)
        return value
      }
  switch (field.kind) {
    case 'int8': return (r) => r.int8()
    case 'int16': return (r) => r.int16()
    case 'uint16': return (r) => r.uint16()
    case 'int32': return (r) => r.int32()
    case 'uint32': return (r) => r.uint32()
    case 'int64': return (r) => r.int64()
    case 'float64': return (r) => r.float64()
    case 'bool': return (r) => r.bool()
    case 'uuid': return (r) => r.uuid()
    case 'string': return notNull((r) => r.string(flexible))
    case 'bytes':
    case 'records': return notNull((r) => r.bytes(flexible))
    case 'struct': {
      const nested = compileStruct(field.fields!, version, flexible)
      // A nullable struct is preceded by a presence byte: -1 null, 1 present.
      if (inRange(field.nullable, version)) return (r) => r.int8() < 0 ? null : nested.read(r)
      return nested.read
    }
    case 'array': {
      const item = reader(field.item!, version, flexible, false, `${name}[]`)
      return notNull((r) => {
        const length = r.length(flexible, true)
        if (length < 0) return null
        if (length > r.remaining) throw new ProtocolDecodeError(`array of ${length} items exceeds the ${r.remaining} bytes left`)
        const items = new Array(length)
        for (let i = 0; i < length; i++) items[i] = item(r)
        return items
      })
    }
  }
}

function writer (field: FieldDef<unknown>, version: number, flexible: boolean, nullable: boolean, name: string): WriteFn {
  const orDefault = (value: unknown): unknown => {
    if (value !== undefined && (value !== null || nullable)) return value
    if (value === null) throw new TypeError(`field ${name} is not nullable in version ${version}`)
    return defaultValue(field)
  }
  switch (field.kind) {
    case 'int8': return (w, v) => w.int8(orDefault(v) as number)
    case 'int16': return (w, v) => w.int16(orDefault(v) as number)
    case 'uint16': return (w, v) => w.uint16(orDefault(v) as number)
    case 'int32': return (w, v) => w.int32(orDefault(v) as number)
    case 'uint32': return (w, v) => w.uint32(orDefault(v) as number)
    case 'int64': return (w, v) => w.int64(orDefault(v) as number)
    case 'float64': return (w, v) => w.float64(orDefault(v) as number)
    case 'bool': return (w, v) => w.bool(orDefault(v) as boolean)
    case 'uuid': return (w, v) => w.uuid(orDefault(v) as string)
    case 'string': return (w, v) => w.string(orDefault(v) as string | null, flexible)
    case 'bytes': return (w, v) => w.bytes(orDefault(v) as Buffer | null, flexible)
    // Record sets: a missing value is sent as present-but-empty unless null is explicit (librdkafka needs this).
    case 'records': return (w, v) => w.bytes(v === undefined ? EMPTY : (orDefault(v) as Buffer | null), flexible)
    case 'struct': {
      const nested = compileStruct(field.fields!, version, flexible)
      if (nullable) {
        return (w, v) => {
          const value = v === undefined ? defaultValue(field) : v
          if (value === null) {
            w.int8(-1)
            return
          }
          w.int8(1)
          nested.write(w, value as Record<string, unknown>)
        }
      }
      return (w, v) => nested.write(w, orDefault(v) as Record<string, unknown>)
    }
    case 'array': {
      const item = writer(field.item!, version, flexible, false, `${name}[]`)
      return (w, v) => {
        const items = orDefault(v) as unknown[] | null
        if (items === null) {
          w.length32(flexible, true, -1)
          return
        }
        w.length32(flexible, true, items.length)
        for (const element of items) item(w, element)
      }
    }
  }
}

const EMPTY = Buffer.alloc(0)
