/**
 * Protobuf compatibility as Confluent's diff of two files (facts from its public rule list): messages are matched by
 * full name and fields by number. Compatible: message/enum/field added or removed, field renamed, enum constants
 * changed, string↔bytes, types within one wire-compatible group (int32/int64/uint32/uint64/bool/enum,
 * sint32/sint64, fixed32/sfixed32, fixed64/sfixed64), a oneof field moved to top level. Incompatible: package
 * changed, message removed, a field's kind/scalar group/message type changed, repeated↔singular for numbers,
 * required fields added or removed, oneof members removed, several fields moved into a new oneof.
 * The check is symmetric in shape; `original` is the writer's file, `update` the reader's.
 */
import protobuf from 'protobufjs'
import { packageNamespace, type ProtoParsed } from './protobuf.js'
import type { CompatibilityIssue } from './types.js'

const SCALAR_GROUPS: Record<string, string> = {
  int32: 'GENERAL_NUMBER', int64: 'GENERAL_NUMBER', uint32: 'GENERAL_NUMBER', uint64: 'GENERAL_NUMBER', bool: 'GENERAL_NUMBER',
  sint32: 'SIGNED_NUMBER', sint64: 'SIGNED_NUMBER',
  string: 'STRING_OR_BYTES', bytes: 'STRING_OR_BYTES',
  fixed32: 'FIXED32', sfixed32: 'FIXED32',
  fixed64: 'FIXED64', sfixed64: 'FIXED64',
  float: 'FLOAT', double: 'DOUBLE'
}

type Kind = 'SCALAR' | 'MESSAGE' | 'MAP'

export function protobufReaderIssues (original: ProtoParsed, update: ProtoParsed): CompatibilityIssue[] {
  const issues: CompatibilityIssue[] = []
  if (original.package !== update.package) {
    issues.push({ errorType: 'PACKAGE_CHANGED', description: `The package changed from '${original.package}' to '${update.package}'` })
  }
  const updateMessages = new Map(allMessages(packageNamespace(update)).map((t) => [localName(update, t), t]))
  for (const message of allMessages(packageNamespace(original))) {
    const name = localName(original, message)
    const counterpart = updateMessages.get(name)
    if (counterpart === undefined) {
      issues.push({ errorType: 'MESSAGE_REMOVED', description: `The new schema is missing message '${name}' at path '#/${name}'` })
      continue
    }
    compareMessages(issues, original, update, name, resolved(original, message), resolved(update, counterpart))
  }
  return issues
}

function allMessages (ns: protobuf.NamespaceBase): protobuf.Type[] {
  const out: protobuf.Type[] = []
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) out.push(nested, ...allMessages(nested))
  }
  return out
}

function localName (parsed: ProtoParsed, type: protobuf.ReflectionObject): string {
  const full = type.fullName.slice(1)
  return parsed.package !== '' && full.startsWith(parsed.package + '.') ? full.slice(parsed.package.length + 1) : full
}

function resolved (parsed: ProtoParsed, type: protobuf.Type): protobuf.Type {
  return parsed.root.lookupType(type.fullName)
}

function kindOf (field: protobuf.Field): Kind {
  if ((field as unknown as protobuf.MapField).keyType !== undefined) return 'MAP'
  field.resolve()
  return field.resolvedType instanceof protobuf.Type ? 'MESSAGE' : 'SCALAR'
}

function scalarGroup (field: protobuf.Field): string {
  if (field.resolvedType instanceof protobuf.Enum) return 'GENERAL_NUMBER'
  return SCALAR_GROUPS[field.type] ?? field.type
}

function compareMessages (issues: CompatibilityIssue[], original: ProtoParsed, update: ProtoParsed, name: string, o: protobuf.Type, u: protobuf.Type): void {
  const path = `#/${name}`
  for (const field of o.fieldsArray) {
    const counterpart = u.fieldsById[field.id]
    if (counterpart === undefined) {
      if (field.rule === 'required') issues.push({ errorType: 'REQUIRED_FIELD_REMOVED', description: `Required field ${field.id} was removed at path '${path}/${field.id}'` })
      continue
    }
    const at = `${path}/${field.id}`
    if ((field.rule === 'required') !== (counterpart.rule === 'required')) {
      issues.push({ errorType: counterpart.rule === 'required' ? 'REQUIRED_FIELD_ADDED' : 'REQUIRED_FIELD_REMOVED', description: `The required label of field ${field.id} changed at path '${at}'` })
    }
    const ok = kindOf(field)
    const uk = kindOf(counterpart)
    if (ok !== uk) {
      issues.push({ errorType: 'FIELD_KIND_CHANGED', description: `The kind of field ${field.id} changed from ${ok} to ${uk} at path '${at}'` })
      continue
    }
    if (ok === 'SCALAR') {
      const og = scalarGroup(field)
      const ug = scalarGroup(counterpart)
      if (og !== ug) issues.push({ errorType: 'FIELD_SCALAR_KIND_CHANGED', description: `The type of field ${field.id} changed from ${field.type} to ${counterpart.type} at path '${at}'` })
      else if (field.repeated !== counterpart.repeated && og !== 'STRING_OR_BYTES') issues.push({ errorType: 'FIELD_NUMERIC_LABEL_CHANGED', description: `Field ${field.id} changed between repeated and singular at path '${at}'` })
    } else if (ok === 'MESSAGE') {
      const on = localName(original, field.resolvedType as protobuf.Type)
      const un = localName(update, counterpart.resolvedType as protobuf.Type)
      if (on !== un) issues.push({ errorType: 'FIELD_NAMED_TYPE_CHANGED', description: `The message type of field ${field.id} changed from ${on} to ${un} at path '${at}'` })
    } else {
      const om = field as unknown as protobuf.MapField
      const um = counterpart as unknown as protobuf.MapField
      if (SCALAR_GROUPS[om.keyType] !== SCALAR_GROUPS[um.keyType] || (SCALAR_GROUPS[field.type] ?? field.type) !== (SCALAR_GROUPS[counterpart.type] ?? counterpart.type)) {
        issues.push({ errorType: 'FIELD_KIND_CHANGED', description: `The map types of field ${field.id} changed at path '${at}'` })
      }
    }
  }
  for (const field of u.fieldsArray) {
    if (o.fieldsById[field.id] === undefined && field.rule === 'required') {
      issues.push({ errorType: 'REQUIRED_FIELD_ADDED', description: `Required field ${field.id} was added at path '${path}/${field.id}'` })
    }
  }
  compareOneofs(issues, path, o, u)
}

function realOneofs (type: protobuf.Type): protobuf.OneOf[] {
  return type.oneofsArray.filter((oneof) => !(oneof.name.startsWith('_') && oneof.fieldsArray.length === 1 && oneof.fieldsArray[0]?.options?.proto3_optional === true))
}

function compareOneofs (issues: CompatibilityIssue[], path: string, o: protobuf.Type, u: protobuf.Type): void {
  const outsideOneof = (type: protobuf.Type, id: number): boolean => {
    const field = type.fieldsById[id]
    return field !== undefined && (field.partOf === null || field.partOf === undefined || !realOneofs(type).includes(field.partOf))
  }
  const originalOneofs = new Map(realOneofs(o).map((oneof) => [oneof.name, oneof]))
  for (const oneof of realOneofs(o)) {
    const counterpart = realOneofs(u).find((candidate) => candidate.name === oneof.name)
    for (const field of oneof.fieldsArray) {
      const stillThere = counterpart?.fieldsArray.some((f) => f.id === field.id) === true
      if (stillThere) continue
      if (outsideOneof(u, field.id)) continue // ONEOF_FIELD_MOVED_TO_TOP_LEVEL: compatible
      if (u.fieldsById[field.id] === undefined && counterpart === undefined) continue // whole oneof removed
      issues.push({ errorType: 'ONEOF_FIELD_REMOVED', description: `Field ${field.id} was removed from oneof '${oneof.name}' at path '${path}/${oneof.name}'` })
    }
  }
  for (const oneof of realOneofs(u)) {
    const moved = oneof.fieldsArray.filter((field) => outsideOneof(o, field.id))
    if (moved.length === 0) continue
    if (originalOneofs.has(oneof.name)) issues.push({ errorType: 'FIELD_MOVED_TO_EXISTING_ONEOF', description: `Fields moved into existing oneof '${oneof.name}' at path '${path}/${oneof.name}'` })
    else if (moved.length > 1) issues.push({ errorType: 'MULTIPLE_FIELDS_MOVED_TO_ONEOF', description: `Several fields moved into new oneof '${oneof.name}' at path '${path}/${oneof.name}'` })
  }
}
