/**
 * PROTOBUF with protobufjs: protobufjs parses `.proto` text (and, via its descriptor extension, the base64
 * FileDescriptorProto that some clients — confluent-kafka-python among them — register), resolves every type across
 * the referenced files, and encodes/decodes messages for the serializers. We add the canonical text (a printer over
 * protobufjs' reflection, so differently formatted files share one id) and the message-index helpers of the wire format.
 */
import { createRequire } from 'node:module'
import protobuf from 'protobufjs'
import { printProto } from './protobuf-print.js'
import { protobufReaderIssues } from './protobuf-compat.js'
import type { FormatProvider, ParsedSchema, ResolvedReference } from './types.js'

const require = createRequire(import.meta.url)
const descriptor = require('protobufjs/ext/descriptor') as { FileDescriptorProto: protobuf.Type }
const PARSE_OPTIONS = { keepCase: true, alternateCommentMode: true }

export interface ProtoParsed {
  /** Every file (this one, its references, well-known imports) in one resolved Root: for lookups and encoding. */
  root: protobuf.Root
  /** This file alone: its declarations in order (message indexes count these). */
  file: protobuf.Root
  package: string
  syntax: string
  imports: string[]
}

export const protobufProvider: FormatProvider = {
  type: 'PROTOBUF',
  parse (text, references) {
    let source = text
    try {
      if (!looksLikeProtoText(text)) source = descriptorToText(text)
      const parsed = protobuf.parse(source, new protobuf.Root(), PARSE_OPTIONS)
      const root = new protobuf.Root()
      const loaded = new Set<string>()
      loadReferences(references, root, loaded)
      protobuf.parse(source, root, PARSE_OPTIONS)
      for (const name of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
        if (loaded.has(name)) continue
        const common = wellKnown(name)
        if (common === undefined) throw new Error(`import "${name}" is neither a reference nor a well-known type`)
        root.addJSON(common)
        loaded.add(name)
      }
      root.resolveAll()
      const syntax = /^\s*syntax\s*=\s*["'](proto[23])["']/m.exec(source)?.[1] ?? 'proto2'
      const native: ProtoParsed = { root, file: parsed.root, package: parsed.package ?? '', syntax, imports: parsed.imports ?? [] }
      const canonical = printProto(native)
      return { type: 'PROTOBUF', canonical, normalized: () => canonical, native } satisfies ParsedSchema
    } catch (error) {
      throw new Error(`Invalid schema ${text}, details: ${(error as Error).message}`)
    }
  },
  readerIssues (reader, writer) {
    return protobufReaderIssues(writer.native as ProtoParsed, reader.native as ProtoParsed)
  }
}

/**
 * Imports that need no reference: Google's well-known types (from protobufjs) and the two files Confluent's clients
 * and registry treat as built in — `confluent/meta.proto` (the `Meta` message behind the `(confluent.field_meta)`,
 * `(confluent.message_meta)`… options that carry data-contract tags) and `confluent/type/decimal.proto`. Ours are
 * written from their field lists; the option extensions themselves need no declaration, protobufjs keeps custom
 * options as parsed.
 */
const CONFLUENT_BUILTINS = {
  'confluent/meta.proto': {
    confluent: { nested: { Meta: { fields: { doc: { type: 'string', id: 1 }, params: { keyType: 'string', type: 'string', id: 2 }, tags: { rule: 'repeated', type: 'string', id: 3 } } } } }
  },
  'confluent/type/decimal.proto': {
    confluent: { nested: { type: { nested: { Decimal: { fields: { value: { type: 'bytes', id: 1 }, precision: { type: 'uint32', id: 2 }, scale: { type: 'int32', id: 3 } } } } } } }
  }
} as unknown as Record<string, Record<string, protobuf.AnyNestedObject>>

function wellKnown (name: string): Record<string, protobuf.AnyNestedObject> | undefined {
  const builtin = CONFLUENT_BUILTINS[name]
  if (builtin !== undefined) return builtin
  const common = protobuf.common.get(name) as { nested: Record<string, protobuf.AnyNestedObject> } | null | undefined
  return common === null || common === undefined ? undefined : common.nested
}

function looksLikeProtoText (text: string): boolean {
  // Base64 never contains ';' or '{'; any .proto file with a declaration does.
  return /[;{]/.test(text)
}

/** A base64 FileDescriptorProto (what confluent-kafka-python registers) → .proto text. */
function descriptorToText (base64: string): string {
  const file = descriptor.FileDescriptorProto.decode(Buffer.from(base64, 'base64'))
  // fromDescriptor ends with resolveAll(), which fails for types from imports (well-known types, references) that
  // are not in this one file. Printing needs no resolution — the text is parsed and resolved with its imports
  // afterwards — so resolution is skipped for this one synchronous call.
  const prototype = protobuf.Root.prototype as unknown as { resolveAll: () => protobuf.Root }
  const resolveAll = prototype.resolveAll
  let root: protobuf.Root
  prototype.resolveAll = function (this: protobuf.Root) { return this }
  try {
    root = (protobuf.Root as unknown as { fromDescriptor: (set: unknown) => protobuf.Root }).fromDescriptor({ file: [file] })
  } finally {
    prototype.resolveAll = resolveAll
  }
  const plain = file.toJSON() as { package?: string, syntax?: string, dependency?: string[] }
  return printProto({ root, file: root, package: plain.package ?? '', syntax: plain.syntax === 'proto3' ? 'proto3' : 'proto2', imports: plain.dependency ?? [] })
}

function loadReferences (references: ResolvedReference[], root: protobuf.Root, loaded: Set<string>): void {
  for (const ref of references) {
    if (loaded.has(ref.name)) continue
    loaded.add(ref.name)
    loadReferences(ref.references, root, loaded)
    let source = ref.schema
    if (!looksLikeProtoText(source)) source = descriptorToText(source)
    const parsed = protobuf.parse(source, root, PARSE_OPTIONS)
    for (const name of parsed.imports ?? []) {
      if (loaded.has(name)) continue
      const common = wellKnown(name)
      if (common !== undefined) {
        root.addJSON(common)
        loaded.add(name)
      }
    }
  }
}

/** The namespace holding the file's top-level declarations (its package, or the root). */
export function packageNamespace (parsed: ProtoParsed): protobuf.Namespace {
  return parsed.package === '' ? parsed.file : parsed.file.lookup(parsed.package) as protobuf.Namespace
}

function messagesOf (ns: protobuf.NamespaceBase): protobuf.Type[] {
  return ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type)
}

/** Confluent's message indexes: the path of a message through the file's (nested) message declarations. */
export function messageIndexes (parsed: ProtoParsed, fullName: string): number[] {
  const wanted = fullName.startsWith('.') ? fullName.slice(1) : fullName
  const search = (types: protobuf.Type[], prefix: number[]): number[] | undefined => {
    for (let i = 0; i < types.length; i++) {
      const type = types[i] as protobuf.Type
      if (type.fullName.slice(1) === wanted) return [...prefix, i]
      const found = search(messagesOf(type), [...prefix, i])
      if (found !== undefined) return found
    }
    return undefined
  }
  const path = search(messagesOf(packageNamespace(parsed)), [])
  if (path === undefined) throw new Error(`message ${fullName} is not declared in this schema`)
  return path
}

/** The message that indexes point at, looked up in the resolved root (so its field types are usable). */
export function messageAt (parsed: ProtoParsed, indexes: number[]): protobuf.Type {
  let types = messagesOf(packageNamespace(parsed))
  let current: protobuf.Type | undefined
  for (const index of indexes.length === 0 ? [0] : indexes) {
    current = types[index]
    if (current === undefined) throw new Error(`message index ${indexes.join('.')} does not exist in this schema`)
    types = messagesOf(current)
  }
  return parsed.root.lookupType((current as protobuf.Type).fullName)
}

export function firstMessageName (parsed: ProtoParsed): string {
  return messageAt(parsed, [0]).fullName.slice(1)
}
