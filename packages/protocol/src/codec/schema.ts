import { parseVersions, type VersionRange, ALL_VERSIONS, NO_VERSIONS } from './versions.js'

/**
 * Our declarative form of Kafka's message definitions. Each API declares its request and response once, with
 * per-field version spans (as in Kafka's public message JSON); one generic codec (compile.ts) encodes and decodes
 * every version, flexible or not. TypeScript types are inferred from the declaration, so there is no second copy.
 *
 *   const Request = struct({
 *     transactionalId: string({ versions: '3+', nullable: '3+' }),
 *     acks: int16(),
 *     topicData: array(struct({ name: string(), ... }))
 *   })
 */
export type Kind =
  | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'bool'
  | 'string' | 'bytes' | 'records' | 'uuid' | 'array' | 'struct'

export interface FieldOptions {
  /** Versions in which the field is present (default "0+"). */
  versions?: string
  /** Versions in which the field may be null. */
  nullable?: string
  /** Tag number: the field is a tagged field in flexible versions (taggedVersions). */
  tag?: number
  /** Versions in which the field is sent as a tagged field (defaults to `versions`). */
  taggedVersions?: string
  /** Value used when the field is absent in a version or omitted as a tagged field. */
  default?: unknown
  /** Doc comment from the spec; kept for readers, unused by the codec. */
  about?: string
}

export interface FieldDef<T> {
  readonly kind: Kind
  readonly versions: VersionRange
  readonly nullable: VersionRange
  readonly tag: number | undefined
  readonly taggedVersions: VersionRange
  readonly defaultValue: unknown
  readonly item: FieldDef<unknown> | undefined
  readonly fields: Schema | undefined
  /** Phantom: the TypeScript type of decoded values. */
  readonly __type?: T
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Schema = Readonly<Record<string, FieldDef<any>>>

export type Infer<S extends Schema> = { -readonly [K in keyof S]: S[K] extends FieldDef<infer T> ? T : never }
export type InferField<F> = F extends FieldDef<infer T> ? T : never

type Nullable<O, T> = O extends { nullable: string } ? T | null : T

function define<T> (kind: Kind, options: FieldOptions | undefined, fallback: unknown, extra?: { item?: FieldDef<unknown>, fields?: Schema }): FieldDef<T> {
  const versions = options?.versions !== undefined ? parseVersions(options.versions) : ALL_VERSIONS
  const tag = options?.tag
  return {
    kind,
    versions,
    nullable: options?.nullable !== undefined ? parseVersions(options.nullable) : NO_VERSIONS,
    tag,
    taggedVersions: tag === undefined ? NO_VERSIONS : options?.taggedVersions !== undefined ? parseVersions(options.taggedVersions) : versions,
    defaultValue: options?.default !== undefined ? options.default : fallback,
    item: extra?.item,
    fields: extra?.fields
  }
}

export const int8 = (options?: FieldOptions): FieldDef<number> => define('int8', options, 0)
export const int16 = (options?: FieldOptions): FieldDef<number> => define('int16', options, 0)
export const uint16 = (options?: FieldOptions): FieldDef<number> => define('uint16', options, 0)
export const int32 = (options?: FieldOptions): FieldDef<number> => define('int32', options, 0)
export const uint32 = (options?: FieldOptions): FieldDef<number> => define('uint32', options, 0)
/** int64 decoded as a JS number (exact to 2^53: offsets, timestamps, producer ids). */
export const int64 = (options?: FieldOptions): FieldDef<number> => define('int64', options, 0)
export const float64 = (options?: FieldOptions): FieldDef<number> => define('float64', options, 0)
export const bool = (options?: FieldOptions): FieldDef<boolean> => define('bool', options, false)
export const uuid = (options?: FieldOptions): FieldDef<string> => define('uuid', options, ZERO_UUID)

export function string<const O extends FieldOptions> (options?: O): FieldDef<Nullable<O, string>> {
  return define('string', options, options?.nullable !== undefined ? null : '')
}

export function bytes<const O extends FieldOptions> (options?: O): FieldDef<Nullable<O, Buffer>> {
  return define('bytes', options, options?.nullable !== undefined ? null : EMPTY)
}

/** A RecordBatch set kept as opaque bytes (never decoded by the codec). */
export function records<const O extends FieldOptions> (options?: O): FieldDef<Buffer | null> {
  return define('records', options, null)
}

export function array<T, const O extends FieldOptions> (item: FieldDef<T>, options?: O): FieldDef<Nullable<O, T[]>> {
  return define('array', options, options?.nullable !== undefined ? null : [], { item })
}

export function struct<const S extends Schema, const O extends FieldOptions> (fields: S, options?: O): FieldDef<Nullable<O, Infer<S>>> {
  return define('struct', options, options?.nullable !== undefined && options.default === null ? null : undefined, { fields })
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
const EMPTY = Buffer.alloc(0)
