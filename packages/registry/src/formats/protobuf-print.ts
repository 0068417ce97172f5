/**
 * Prints a parsed .proto file from protobufjs' reflection in one fixed layout: syntax, package, imports, file
 * options, then declarations in source order. Comments and formatting are dropped, so equal files print equally
 * (the registry's identity for PROTOBUF), and a descriptor registered in binary form reads back as text.
 */
import protobuf from 'protobufjs'
import type { ProtoParsed } from './protobuf.js'

// Options whose values are enum identifiers, printed bare (protobufjs keeps them as strings).
const ENUM_VALUED_OPTIONS = new Set(['optimize_for', 'ctype', 'jstype', 'retention', 'targets', 'idempotency_level'])

export function printProto (parsed: ProtoParsed): string {
  const lines: string[] = [`syntax = "${parsed.syntax}";`]
  if (parsed.package !== '') lines.push(`package ${parsed.package};`)
  if (parsed.imports.length > 0) {
    lines.push('')
    for (const name of parsed.imports) lines.push(`import "${name}";`)
  }
  const ns = parsed.package === '' ? parsed.file : parsed.file.lookup(parsed.package) as protobuf.Namespace
  const fileOptions = optionEntries(ns)
  if (fileOptions.length > 0) {
    lines.push('')
    for (const [name, value] of fileOptions) lines.push(`option ${name} = ${value};`)
  }
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Namespace && !(nested instanceof protobuf.Type) && !(nested instanceof protobuf.Service)) continue
    lines.push('')
    printNested(nested, parsed.syntax, '', lines)
  }
  return lines.join('\n') + '\n'
}

function printNested (nested: protobuf.ReflectionObject, syntax: string, indent: string, lines: string[]): void {
  if (nested instanceof protobuf.Type) printMessage(nested, syntax, indent, lines)
  else if (nested instanceof protobuf.Enum) printEnum(nested, indent, lines)
  else if (nested instanceof protobuf.Service) printService(nested, indent, lines)
}

function printMessage (type: protobuf.Type, syntax: string, indent: string, lines: string[]): void {
  const inner = indent + '  '
  lines.push(`${indent}message ${type.name} {`)
  for (const [name, value] of optionEntries(type)) lines.push(`${inner}option ${name} = ${value};`)
  const printedOneofs = new Set<string>()
  for (const field of type.fieldsArray) {
    const oneof = field.partOf
    if (oneof !== null && oneof !== undefined && !isSynthetic(oneof)) {
      if (printedOneofs.has(oneof.name)) continue
      printedOneofs.add(oneof.name)
      lines.push(`${inner}oneof ${oneof.name} {`)
      for (const member of oneof.fieldsArray) lines.push(`${inner}  ${fieldLine(member, syntax, true)}`)
      lines.push(`${inner}}`)
      continue
    }
    lines.push(`${inner}${fieldLine(field, syntax, false)}`)
  }
  for (const range of type.reserved ?? []) {
    lines.push(`${inner}reserved ${typeof range === 'string' ? `"${range}"` : range[0] === range[1] ? `${range[0]}` : `${range[0]} to ${range[1] === 536870911 ? 'max' : range[1]}`};`)
  }
  for (const nested of type.nestedArray) printNested(nested, syntax, inner, lines)
  lines.push(`${indent}}`)
}

function isSynthetic (oneof: protobuf.OneOf): boolean {
  return oneof.name.startsWith('_') && oneof.fieldsArray.length === 1 && oneof.fieldsArray[0]?.options?.proto3_optional === true
}

function fieldLine (field: protobuf.Field, syntax: string, inOneof: boolean): string {
  const map = field as unknown as protobuf.MapField
  let label = ''
  if (field.rule === 'repeated') label = 'repeated '
  else if (field.rule === 'required') label = 'required '
  else if (!inOneof && map.keyType === undefined && (field.options?.proto3_optional === true || syntax === 'proto2')) label = 'optional '
  const type = map.keyType !== undefined ? `map<${map.keyType}, ${field.type}>` : field.type
  const options = optionEntries(field)
  const suffix = options.length > 0 ? ` [${options.map(([name, value]) => `${name} = ${value}`).join(', ')}]` : ''
  return `${label}${type} ${field.name} = ${field.id}${suffix};`
}

function printEnum (type: protobuf.Enum, indent: string, lines: string[]): void {
  const inner = indent + '  '
  lines.push(`${indent}enum ${type.name} {`)
  for (const [name, value] of optionEntries(type)) lines.push(`${inner}option ${name} = ${value};`)
  const valueOptions = (type as unknown as { valuesOptions?: Record<string, Record<string, unknown>> }).valuesOptions ?? {}
  for (const [name, number] of Object.entries(type.values)) {
    const options = Object.entries(valueOptions[name] ?? {})
    const suffix = options.length > 0 ? ` [${options.map(([k, v]) => `${k} = ${optionValue(k, v)}`).join(', ')}]` : ''
    lines.push(`${inner}${name} = ${number}${suffix};`)
  }
  for (const range of type.reserved ?? []) {
    lines.push(`${inner}reserved ${typeof range === 'string' ? `"${range}"` : range[0] === range[1] ? `${range[0]}` : `${range[0]} to ${range[1]}`};`)
  }
  lines.push(`${indent}}`)
}

function printService (service: protobuf.Service, indent: string, lines: string[]): void {
  lines.push(`${indent}service ${service.name} {`)
  for (const method of service.methodsArray) {
    const request = `${method.requestStream === true ? 'stream ' : ''}${method.requestType}`
    const response = `${method.responseStream === true ? 'stream ' : ''}${method.responseType}`
    lines.push(`${indent}  rpc ${method.name} (${request}) returns (${response});`)
  }
  lines.push(`${indent}}`)
}

/**
 * Printed options of a declaration: built-in ones from `options`, custom ones (`(ext)…`) from `parsedOptions`, where
 * protobufjs merges `(ext).a = 1, (ext).b = "x"` and repeated assignments into one value per extension; `options`
 * keeps only the last assignment of a repeated sub-field, which would lose e.g. all but one
 * `(confluent.field_meta).tags`. Custom options are printed as one aggregate per extension, so equivalent spellings
 * print equally.
 */
function optionEntries (object: protobuf.ReflectionObject): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const [name, value] of Object.entries(object.options ?? {})) {
    if (name === 'proto3_optional' || name.startsWith('(')) continue
    out.push([name, optionValue(name, value)])
  }
  for (const entry of (object.parsedOptions ?? []) as Array<Record<string, unknown>>) {
    for (const [name, value] of Object.entries(entry)) {
      if (name.startsWith('(')) out.push([name, customValue(value, name.startsWith('(confluent.'))])
    }
  }
  return out
}

function optionValue (name: string, value: unknown): string {
  if (typeof value === 'string') return ENUM_VALUED_OPTIONS.has(name) ? value : JSON.stringify(value)
  if (typeof value === 'object' && value !== null) return JSON.stringify(value)
  return String(value)
}

/**
 * A custom option's value in text format. protobufjs parses `FOO` and `"FOO"` to the same string, so an upper-case
 * identifier is printed bare (custom enum-valued options) — except inside Confluent's `(confluent.*_meta)` options,
 * whose fields (doc, params, tags) are all strings.
 */
function customValue (value: unknown, allStrings: boolean): string {
  if (typeof value === 'string') return !allStrings && /^[A-Z][A-Z0-9_]*$/.test(value) ? value : JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((item) => customValue(item, allStrings)).join(', ')}]`
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).map(([key, inner]) => `${key}: ${customValue(inner, allStrings)}`)
    return fields.length === 0 ? '{}' : `{ ${fields.join(' ')} }`
  }
  return String(value)
}
