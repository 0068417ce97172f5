import { compileStruct } from './compile.js'
import { Reader } from './reader.js'
import { Writer } from './writer.js'
import type { Infer, Schema } from './schema.js'
import { inRange, parseVersions, type VersionRange } from './versions.js'

/** One Kafka API: its key, the versions the spec defines, which are flexible, and both message bodies. */
export interface ApiDefinition<Req extends Schema = Schema, Res extends Schema = Schema> {
  readonly key: number
  readonly name: string
  readonly validVersions: VersionRange
  readonly flexibleVersions: VersionRange
  readonly request: Req
  readonly response: Res
}

/** What an encoder accepts: any field may be left out and then takes its version's default. */
export type DeepPartial<T> = T extends Buffer ? T
  : T extends Array<infer U> ? Array<DeepPartial<U>>
    : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T

export type RequestOf<A> = A extends ApiDefinition<infer Req, Schema> ? Infer<Req> : never
export type ResponseOf<A> = A extends ApiDefinition<Schema, infer Res> ? Infer<Res> : never

export function defineApi<const Req extends Schema, const Res extends Schema> (spec: {
  key: number
  name: string
  valid: string
  flexible: string
  request: Req
  response: Res
}): ApiDefinition<Req, Res> {
  return {
    key: spec.key,
    name: spec.name,
    validVersions: parseVersions(spec.valid),
    flexibleVersions: parseVersions(spec.flexible),
    request: spec.request,
    response: spec.response
  }
}

export const API_VERSIONS_KEY = 18

export function isFlexible (api: ApiDefinition, version: number): boolean {
  return inRange(api.flexibleVersions, version)
}

export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
}

/**
 * Reads request header v1 fields (v2 adds a tagged-field section, read by finishRequestHeader once the API is
 * known). clientId stays a classic int16 string even in header v2.
 */
export function readRequestHeader (reader: Reader): RequestHeader {
  const apiKey = reader.int16()
  const apiVersion = reader.int16()
  const correlationId = reader.int32()
  const clientId = reader.string(false)
  return { apiKey, apiVersion, correlationId, clientId }
}

export function skipHeaderTaggedFields (reader: Reader): void {
  const count = reader.uvarint()
  for (let i = 0; i < count; i++) {
    reader.uvarint()
    reader.slice(reader.uvarint())
  }
}

/** Response header v1 (with tagged fields) for flexible versions, except ApiVersions which always uses v0. */
export function responseHeaderIsFlexible (api: ApiDefinition, version: number): boolean {
  return api.key !== API_VERSIONS_KEY && isFlexible(api, version)
}

export function decodeRequestBody<A extends ApiDefinition> (api: A, version: number, reader: Reader): RequestOf<A> {
  return compileStruct(api.request, version, isFlexible(api, version)).read(reader) as RequestOf<A>
}

/** Encodes a complete request frame (size prefix, header, body) for our own clients and tests. */
export function encodeRequest<A extends ApiDefinition> (api: A, version: number, correlationId: number, clientId: string | null, body: DeepPartial<RequestOf<A>>): Buffer[] {
  const writer = new Writer()
  writer.int32(0).int16(api.key).int16(version).int32(correlationId).string(clientId, false)
  const flexible = isFlexible(api, version)
  if (flexible) writer.uvarint(0)
  compileStruct(api.request, version, flexible).write(writer, body as Record<string, unknown>)
  return sealFrame(writer)
}

/** Encodes a complete response frame (size prefix, header, body) as a list of chunks for socket writes. */
export function encodeResponse<A extends ApiDefinition> (api: A, version: number, correlationId: number, body: DeepPartial<ResponseOf<A>>): Buffer[] {
  const writer = new Writer()
  writer.int32(0).int32(correlationId)
  if (responseHeaderIsFlexible(api, version)) writer.uvarint(0)
  compileStruct(api.response, version, isFlexible(api, version)).write(writer, body as Record<string, unknown>)
  return sealFrame(writer)
}

/** Decodes a response frame without its 4-byte size prefix. */
export function decodeResponse<A extends ApiDefinition> (api: A, version: number, frame: Buffer): { correlationId: number, body: ResponseOf<A> } {
  const reader = new Reader(frame)
  const correlationId = reader.int32()
  if (responseHeaderIsFlexible(api, version)) skipHeaderTaggedFields(reader)
  const body = compileStruct(api.response, version, isFlexible(api, version)).read(reader) as ResponseOf<A>
  return { correlationId, body }
}

function sealFrame (writer: Writer): Buffer[] {
  const total = writer.length
  const chunks = writer.finish()
  chunks[0]!.writeInt32BE(total - 4, 0)
  return chunks
}
