/**
 * Serializers and deserializers for the three formats in Confluent's wire format. The format libraries do the
 * encoding (avsc, protobufjs) and validation (ajv); this module picks the subject (name strategies), gets the id
 * (auto-register, use-latest, or lookup only) and frames the bytes. Parsed schemas are cached per id.
 */
import type avro from 'avsc'
import type protobuf from 'protobufjs'
import { providerFor, messageAt, messageIndexes, firstMessageName, type ParsedSchema, type ProtoParsed, type JsonParsed, type ResolvedReference, type SchemaReference, type SchemaType } from '../formats/index.js'
import { governForConsume, governForProduce, resolveActions, type ConsumeGovernanceOptions, type ProduceGovernanceOptions } from '../governance/enforce.js'
import type { SchemaMetadata } from '../store/records.js'
import type { RegisteredSchema, RegistryClient } from './client.js'
import { GovernedCache } from './governed.js'
import { decodeMessageIndexes, encodeMessageIndexes, frame, unframe, WireFormatError, type IndexEncoding } from './wire.js'

export type SubjectNameStrategy = 'topic' | 'record' | 'topic-record'

/** The value does not match its schema. `category` is what the SDK's dead-letter handling classifies by. */
export class SerializationError extends Error {
  readonly code = 'SAMSA_REGISTRY_SERIALIZATION'
  readonly category = 'schema-validation'
  readonly retriable = false
  constructor (message: string, readonly details: unknown[] = []) {
    super(message)
    this.name = 'SerializationError'
  }
}

async function resolveReferences (client: RegistryClient, references: SchemaReference[]): Promise<ResolvedReference[]> {
  const out: ResolvedReference[] = []
  for (const ref of references) {
    const found = await client.version(ref.subject, ref.version)
    out.push({ ...ref, version: found.version ?? ref.version, schema: found.schema, schemaType: found.schemaType, references: await resolveReferences(client, found.references) })
  }
  return out
}

/** Parses schemas fetched by id, once per id. */
class ParsedCache {
  private readonly parsed = new Map<number, Promise<ParsedSchema>>()
  constructor (private readonly client: RegistryClient) {}

  get (id: number): Promise<ParsedSchema> {
    let value = this.parsed.get(id)
    if (value === undefined) {
      value = this.client.schemaById(id).then(async (found: RegisteredSchema) => providerFor(found.schemaType).parse(found.schema, await resolveReferences(this.client, found.references)))
      this.parsed.set(id, value)
      value.catch(() => this.parsed.delete(id))
    }
    return value
  }
}

export interface SerializerOptions {
  client: RegistryClient
  schemaType: SchemaType
  /** The writer's schema text; omit with useLatest. */
  schema?: string
  references?: SchemaReference[]
  subjectNameStrategy?: SubjectNameStrategy
  /** Register the schema when it is not there yet (default true). */
  autoRegister?: boolean
  /** Serialize with the subject's latest version instead of `schema`. */
  useLatest?: boolean
  /** PROTOBUF: which message of the file (default: the first). */
  messageName?: string
  indexEncoding?: IndexEncoding
  /** JSON: validate values against the schema before writing (default true). */
  validate?: boolean
  /** Registered with the schema (auto-register): governance properties and tags, Confluent's `metadata`. */
  metadata?: SchemaMetadata
  ruleSet?: unknown
  /**
   * Key provider and actions for the governance rules. The rules themselves come from the registered schema and are
   * always enforced; without a key provider, PHI plaintext is a violation instead of being encrypted.
   */
  governance?: ProduceGovernanceOptions
}

export function recordName (parsed: ParsedSchema, messageName?: string): string {
  switch (parsed.type) {
    case 'AVRO': {
      const name = (parsed.native as avro.Type).name
      if (name === undefined) throw new SerializationError('the record name strategies need a named AVRO type')
      return name
    }
    case 'PROTOBUF': return messageName ?? firstMessageName(parsed.native as ProtoParsed)
    case 'JSON': {
      const title = ((parsed.native as JsonParsed).schema as { title?: unknown }).title
      if (typeof title !== 'string') throw new SerializationError('the record name strategies need a JSON schema with a "title"')
      return title
    }
  }
}

export function subjectName (strategy: SubjectNameStrategy, topic: string, isKey: boolean, record: () => string): string {
  switch (strategy) {
    case 'topic': return `${topic}-${isKey ? 'key' : 'value'}`
    case 'record': return record()
    case 'topic-record': return `${topic}-${record()}`
  }
}

export class SchemaSerializer {
  private readonly cache: ParsedCache
  private readonly governed: GovernedCache
  private own: Promise<ParsedSchema> | undefined

  constructor (private readonly options: SerializerOptions) {
    this.cache = new ParsedCache(options.client)
    this.governed = new GovernedCache(options.client)
    resolveActions(options.governance?.actions) // fail fast on a bad configuration
  }

  private ownSchema (): Promise<ParsedSchema> {
    if (this.own === undefined) {
      const { schema, schemaType, references = [], client } = this.options
      if (schema === undefined) throw new SerializationError('no schema given (set schema, or useLatest)')
      this.own = resolveReferences(client, references).then((resolved) => providerFor(schemaType).parse(schema, resolved))
    }
    return this.own
  }

  /** The id and parsed schema this serializer writes with for a topic. */
  async schemaFor (topic: string, isKey = false): Promise<{ id: number, parsed: ParsedSchema }> {
    const { client, schemaType, references = [], useLatest = false, autoRegister = true, subjectNameStrategy = 'topic' } = this.options
    // Record strategies name the subject after the record, which comes from our own schema.
    const record = subjectNameStrategy === 'topic' ? '' : recordName(await this.ownSchema(), this.options.messageName)
    const subject = subjectName(subjectNameStrategy, topic, isKey, () => record)
    if (useLatest) {
      const latest = await client.latestVersion(subject)
      return { id: latest.id, parsed: await this.cache.get(latest.id) }
    }
    const parsed = await this.ownSchema()
    const id = autoRegister
      ? await client.register(subject, schemaType, this.options.schema as string, references, false, { metadata: this.options.metadata, ruleSet: this.options.ruleSet })
      : await client.lookup(subject, schemaType, this.options.schema as string, references)
    return { id, parsed }
  }

  /**
   * Validates the value, applies the registered schema's governance rules (GovernanceError on a violation), then
   * encodes. Validation sees the producer's value: an encrypted field would no longer match e.g. a `format`.
   */
  async serialize (topic: string, value: unknown, isKey = false): Promise<Buffer> {
    const { id, parsed } = await this.schemaFor(topic, isKey)
    if (this.options.validate !== false) validateWith(parsed, value, this.options.messageName)
    const messageName = parsed.type === 'PROTOBUF' ? this.options.messageName ?? firstMessageName(parsed.native as ProtoParsed) : undefined
    const governed = await this.governed.get(id, await this.cache.get(id), messageName)
    const output = governed.active ? await governForProduce(governed.plan, value, this.options.governance ?? {}, { schemaId: id, governance: governed.governance }) : value
    return encodeWith(parsed, id, output, { ...this.options, validate: false })
  }
}

/** Throws SerializationError when the value does not match the schema (PROTOBUF: the given or first message). */
export function validateWith (parsed: ParsedSchema, value: unknown, messageName?: string): void {
  switch (parsed.type) {
    case 'AVRO': {
      const paths: string[] = []
      if (!(parsed.native as avro.Type).isValid(value, { errorHook: (path: string[]) => paths.push(path.join('.')) })) throw new SerializationError(`value does not match the AVRO schema at ${paths.join(', ') || '(root)'}`, paths)
      return
    }
    case 'JSON': {
      const { validate } = parsed.native as JsonParsed
      if (!validate(value)) throw new SerializationError(`value does not match the JSON schema: ${JSON.stringify(validate.errors)}`, validate.errors ?? [])
      return
    }
    case 'PROTOBUF': {
      const proto = parsed.native as ProtoParsed
      const name = messageName ?? firstMessageName(proto)
      const problem = proto.root.lookupType(name).verify(value as Record<string, unknown>)
      if (problem !== null) throw new SerializationError(`value does not match protobuf message ${name}: ${problem}`, [problem])
    }
  }
}

/** Frames a value in the wire format; validates first unless `validate: false`. */
export function encodeWith (parsed: ParsedSchema, id: number, value: unknown, options: { messageName?: string, indexEncoding?: IndexEncoding, validate?: boolean } = {}): Buffer {
  if (options.validate !== false) validateWith(parsed, value, options.messageName)
  try {
    switch (parsed.type) {
      case 'AVRO':
        return frame(id, (parsed.native as avro.Type).toBuffer(value))
      case 'JSON':
        return frame(id, Buffer.from(JSON.stringify(value)))
      case 'PROTOBUF': {
        const proto = parsed.native as ProtoParsed
        const name = options.messageName ?? firstMessageName(proto)
        const type = proto.root.lookupType(name)
        const payload = type.encode(type.fromObject(value as Record<string, unknown>)).finish()
        return frame(id, payload, encodeMessageIndexes(messageIndexes(proto, name), options.indexEncoding))
      }
    }
  } catch (error) {
    throw new SerializationError(`cannot encode the value with schema ${id}: ${(error as Error).message}`, [error])
  }
}

export interface DeserializerOptions {
  client: RegistryClient
  /** AVRO: read with this schema (resolution from the writer's schema). */
  readerSchema?: string
  indexEncoding?: IndexEncoding
  /** PROTOBUF: options for protobufjs' toObject (longs, enums, defaults…). */
  protobufToObject?: protobuf.IConversionOptions
  /** Keys (and an optional per-field authorize hook) to decrypt encrypted fields; without, they read as redacted. */
  governance?: ConsumeGovernanceOptions
}

export class SchemaDeserializer {
  private readonly cache: ParsedCache
  private readonly governed: GovernedCache
  private reader: avro.Type | undefined

  constructor (private readonly options: DeserializerOptions) {
    this.cache = new ParsedCache(options.client)
    this.governed = new GovernedCache(options.client)
    if (options.readerSchema !== undefined) this.reader = providerFor('AVRO').parse(options.readerSchema, []).native as avro.Type
  }

  /** Decodes with the writer's schema, then decrypts (or redacts) encrypted fields by the writer schema's tags. */
  async deserialize (bytes: Buffer): Promise<unknown> {
    const { id, body } = unframe(bytes)
    const parsed = await this.cache.get(id)
    const value = decodeWith(parsed, body, this.options, this.reader)
    let messageName: string | undefined
    if (parsed.type === 'PROTOBUF') messageName = messageAt(parsed.native as ProtoParsed, decodeMessageIndexes(body, this.options.indexEncoding).indexes).fullName.slice(1)
    const governed = await this.governed.get(id, parsed, messageName)
    return governed.plan.tagged ? await governForConsume(governed.plan, value, this.options.governance ?? {}, { schemaId: id, governance: governed.governance }) : value
  }
}

export function decodeWith (parsed: ParsedSchema, body: Buffer, options: { indexEncoding?: IndexEncoding, protobufToObject?: protobuf.IConversionOptions } = {}, reader?: avro.Type): unknown {
  switch (parsed.type) {
    case 'AVRO': {
      const writer = parsed.native as avro.Type
      if (reader === undefined) return writer.fromBuffer(body)
      return reader.fromBuffer(body, reader.createResolver(writer))
    }
    case 'JSON':
      return JSON.parse(body.toString('utf8'))
    case 'PROTOBUF': {
      const { indexes, rest } = decodeMessageIndexes(body, options.indexEncoding)
      const type = messageAt(parsed.native as ProtoParsed, indexes)
      try {
        return type.toObject(type.decode(rest), options.protobufToObject ?? { longs: String, enums: String, bytes: String })
      } catch (error) {
        throw new WireFormatError(`cannot decode protobuf message ${type.fullName}: ${(error as Error).message}`)
      }
    }
  }
}
