import { avroProvider } from './avro.js'
import { jsonProvider } from './json-schema.js'
import { protobufProvider } from './protobuf.js'
import type { FormatProvider, SchemaType } from './types.js'

export * from './types.js'
export { messageIndexes, messageAt, firstMessageName, type ProtoParsed } from './protobuf.js'
export type { JsonParsed } from './json-schema.js'

const PROVIDERS: Record<SchemaType, FormatProvider> = { AVRO: avroProvider, JSON: jsonProvider, PROTOBUF: protobufProvider }

export function providerFor (type: SchemaType): FormatProvider {
  return PROVIDERS[type]
}

export function isSchemaType (value: unknown): value is SchemaType {
  return value === 'AVRO' || value === 'JSON' || value === 'PROTOBUF'
}
