/**
 * A small client of the Confluent REST API (ours or Confluent's) for the serializers, with the caches that make
 * serialization cheap: schema by id (immutable, cached forever), id by (subject, schema) and latest version by
 * subject (cached for `latestTtlMs`). Concurrent misses for one key share one request.
 */
import type { SchemaReference, SchemaType } from '../formats/types.js'
import type { SchemaMetadata } from '../store/records.js'

export interface RegistryClientOptions {
  url: string
  /** Basic auth credentials. */
  auth?: { username: string, password: string }
  latestTtlMs?: number
}

export interface RegisteredSchema { id: number, subject?: string, version?: number, schemaType: SchemaType, schema: string, references: SchemaReference[], metadata?: SchemaMetadata, ruleSet?: unknown }

/** Data-contract parts sent with a registration (Confluent's `metadata` and `ruleSet`). */
export interface SchemaContract { metadata?: SchemaMetadata, ruleSet?: unknown }

function fromBody (body: Record<string, any>, id: number): RegisteredSchema {
  const out: RegisteredSchema = { id, schemaType: body.schemaType ?? 'AVRO', schema: body.schema, references: body.references ?? [] }
  if (body.subject !== undefined) out.subject = body.subject
  if (body.version !== undefined) out.version = body.version
  if (body.metadata !== undefined && body.metadata !== null) out.metadata = body.metadata
  if (body.ruleSet !== undefined && body.ruleSet !== null) out.ruleSet = body.ruleSet
  return out
}

export class RegistryClientError extends Error {
  constructor (readonly status: number, readonly errorCode: number, message: string) {
    super(message)
    this.name = 'RegistryClientError'
  }
}

export class RegistryClient {
  private readonly byId = new Map<number, Promise<RegisteredSchema>>()
  private readonly idBySchema = new Map<string, Promise<number>>()
  private readonly latest = new Map<string, { at: number, value: Promise<RegisteredSchema> }>()

  constructor (private readonly options: RegistryClientOptions) {}

  private async request (method: string, path: string, body?: unknown): Promise<any> {
    const headers: Record<string, string> = { Accept: 'application/vnd.schemaregistry.v1+json' }
    if (body !== undefined) headers['Content-Type'] = 'application/vnd.schemaregistry.v1+json'
    if (this.options.auth !== undefined) headers.Authorization = 'Basic ' + Buffer.from(`${this.options.auth.username}:${this.options.auth.password}`).toString('base64')
    const response = await fetch(this.options.url.replace(/\/$/, '') + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await response.text()
    const parsed = text === '' ? undefined : JSON.parse(text)
    if (!response.ok) throw new RegistryClientError(response.status, parsed?.error_code ?? response.status, parsed?.message ?? text)
    return parsed
  }

  private cached<K, V> (map: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
    let value = map.get(key)
    if (value === undefined) {
      value = load()
      map.set(key, value)
      value.catch(() => map.delete(key))
    }
    return value
  }

  schemaById (id: number): Promise<RegisteredSchema> {
    return this.cached(this.byId, id, async () => {
      return fromBody(await this.request('GET', `/schemas/ids/${id}`), id)
    })
  }

  /** Registers (or finds) a schema under a subject; the id is cached per (subject, schema). */
  register (subject: string, schemaType: SchemaType, schema: string, references: SchemaReference[] = [], normalize = false, contract: SchemaContract = {}): Promise<number> {
    const key = JSON.stringify([subject, schemaType, schema, references, normalize, contract.metadata ?? null, contract.ruleSet ?? null])
    return this.cached(this.idBySchema, key, async () => {
      const request: Record<string, unknown> = { schemaType, schema, references }
      if (contract.metadata !== undefined) request.metadata = contract.metadata
      if (contract.ruleSet !== undefined) request.ruleSet = contract.ruleSet
      const body = await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions${normalize ? '?normalize=true' : ''}`, request)
      return body.id as number
    })
  }

  /** The id of an already registered schema (no registration). */
  lookup (subject: string, schemaType: SchemaType, schema: string, references: SchemaReference[] = []): Promise<number> {
    const key = JSON.stringify(['lookup', subject, schemaType, schema, references])
    return this.cached(this.idBySchema, key, async () => {
      const body = await this.request('POST', `/subjects/${encodeURIComponent(subject)}`, { schemaType, schema, references })
      return body.id as number
    })
  }

  latestVersion (subject: string): Promise<RegisteredSchema> {
    const hit = this.latest.get(subject)
    if (hit !== undefined && Date.now() - hit.at < (this.options.latestTtlMs ?? 60_000)) return hit.value
    const value = this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`).then((body) => fromBody(body, body.id))
    this.latest.set(subject, { at: Date.now(), value })
    value.catch(() => this.latest.delete(subject))
    return value
  }

  /** A referenced schema's text (for parsing schemas with references). */
  async version (subject: string, version: number): Promise<RegisteredSchema> {
    const body = await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`)
    return fromBody(body, body.id)
  }
}
