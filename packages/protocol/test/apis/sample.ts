import { defaultValue, inRange, type FieldDef, type Schema } from '../../src/index.js'

/**
 * Builds sample message bodies for round-trip tests: every field present in the version gets a value that differs
 * from its default (so a field the codec silently skips or swaps shows up as a mismatch); every absent field gets the
 * default the decoder must fill in. Values come from a running counter, so two fields never share a value.
 */
type Field = FieldDef<unknown>

/** Whether a field is on the wire in a version, as a regular field or (flexible versions only) a tagged one. */
export function isPresent (field: Field, version: number, flexible: boolean): boolean {
  if (flexible && field.tag !== undefined && inRange(field.taggedVersions, version)) return true
  return inRange(field.versions, version)
}

export function isTaggedIn (field: Field, version: number, flexible: boolean): boolean {
  return flexible && field.tag !== undefined && inRange(field.taggedVersions, version)
}

/** The body the decoder must produce for a message that set no field at all. */
export function defaults (schema: Schema): Record<string, unknown> {
  const value: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(schema)) value[name] = defaultValue(field)
  return value
}

export class Sampler {
  private counter = 0

  /**
   * nulls: every field that may be null in this version is set to null instead of a value. Nullable structs are
   * left out: the codec has no presence marker for them yet (see the report on compile.ts).
   */
  constructor (readonly version: number, readonly flexible: boolean, readonly nulls = false) {}

  struct (schema: Schema): Record<string, unknown> {
    const value: Record<string, unknown> = {}
    for (const [name, field] of Object.entries(schema)) value[name] = this.field(field)
    return value
  }

  field (field: Field): unknown {
    if (!isPresent(field, this.version, this.flexible)) return defaultValue(field)
    if (this.nulls && this.canBeNull(field)) return null
    return this.value(field)
  }

  private canBeNull (field: Field): boolean {
    if (!inRange(field.nullable, this.version)) return false
    // A tagged field equal to its default is not sent; null only survives if null is the default.
    return !isTaggedIn(field, this.version, this.flexible) || field.defaultValue === null
  }

  /** A value of the field's kind that is not its default. */
  private value (field: Field): unknown {
    const n = ++this.counter
    const sign = n % 2 === 0 ? 1 : -1
    const differ = <T>(candidate: T, other: T): T => candidate !== field.defaultValue ? candidate : other
    switch (field.kind) {
      case 'int8': return differ((n % 120) + 1, 121)
      case 'int16': return differ(sign * (1000 + n), 999)
      case 'uint16': return differ(40000 + n, 39999)
      case 'int32': return differ(sign * (n * 65537 + 3), 77)
      case 'uint32': return differ(3_000_000_000 + n, 7)
      // Beyond 32 bits so both halves of the int64 are exercised.
      case 'int64': return differ(sign * (n * 2 ** 35 + 12345), 99)
      case 'float64': return n + 0.5
      case 'bool': return field.defaultValue !== true
      case 'uuid': {
        const hex = ((n * 2654435761) >>> 0).toString(16).padStart(8, '0')
        return `${hex}-${hex.slice(0, 4)}-4abc-9def-${hex}beef`
      }
      case 'string': return `s${n}-ü` // a non-ASCII character: lengths are in bytes, not characters
      case 'bytes': return Buffer.from(`bytes-${n}`)
      // Over the writer's copy limit (1 KiB), so the zero-copy chunk path is exercised too.
      case 'records': return Buffer.alloc(1500 + n, n)
      case 'struct': return this.struct(field.fields!)
      case 'array': {
        const item = field.item!
        return [this.element(item), this.element(item)]
      }
    }
  }

  private element (item: Field): unknown {
    return item.kind === 'struct' ? this.struct(item.fields!) : this.value(item)
  }
}
