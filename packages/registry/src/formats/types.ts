/** What the registry needs from a schema format: parse/validate, a canonical text, normalization, compatibility. */
export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF'
export const SCHEMA_TYPES: readonly SchemaType[] = ['JSON', 'PROTOBUF', 'AVRO']

export interface SchemaReference { name: string, subject: string, version: number }

/** A reference with the referenced schema's text, itself resolved (references form a DAG). */
export interface ResolvedReference extends SchemaReference {
  schema: string
  schemaType: SchemaType
  references: ResolvedReference[]
}

export interface ParsedSchema {
  type: SchemaType
  /** The text stored and returned: the input with insignificant differences (whitespace) removed. */
  canonical: string
  /** A stronger form used when `normalize=true` (key order, defaults made explicit, names qualified…). */
  normalized: () => string
  /** The format library's own object (avsc Type, ajv-compiled schema, protobufjs Root). */
  readonly native: unknown
  /**
   * AVRO: the raw JSON of a record field (custom attributes such as `confluent:tags` included), which avsc does not
   * keep; by the record's full name and the field's name. Other formats keep annotations in `native`.
   */
  readonly fieldAttributes?: (recordFullName: string, fieldName: string) => Record<string, unknown> | undefined
}

/**
 * One difference found by a compatibility check, in the shape Confluent puts in `messages` of a verbose check:
 * `errorType` names the rule, `description` says where.
 */
export interface CompatibilityIssue { errorType: string, description: string }

export interface FormatProvider {
  readonly type: SchemaType
  /** Parses and validates; throws an Error whose message becomes the 42201 message. */
  parse: (schema: string, references: ResolvedReference[]) => ParsedSchema
  /**
   * Can data written with `writer` be read with `reader`? BACKWARD checks (reader = new, writer = old),
   * FORWARD swaps them, FULL does both. Empty list = compatible.
   */
  readerIssues: (reader: ParsedSchema, writer: ParsedSchema) => CompatibilityIssue[]
}
