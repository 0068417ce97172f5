/**
 * The registry's in-memory view, built only by applying `_schemas` records in log order (replay on start and live
 * tailing share this one path, so every instance that read the same log agrees on subjects, versions and ids).
 */
import type { SchemaReference } from '../formats/types.js'
import { decodeJson, decodeKey, decodeSchemaValue, type ConfigValue, type DeleteSubjectValue, type ModeValue, type SchemaMetadata, type SchemaValue } from './records.js'

export type VersionEntry = SchemaValue

/** The content that decides schema identity: equal content ⇒ one id, across subjects. */
export function contentKey (entry: { schemaType: string, schema: string, references: SchemaReference[], metadata?: SchemaMetadata, ruleSet?: unknown }): string {
  return JSON.stringify([entry.schemaType, entry.schema, entry.references.map((r) => [r.name, r.subject, r.version]), entry.metadata ?? null, entry.ruleSet ?? null])
}

export class RegistryState {
  /** subject → version → entry (soft-deleted entries included, flagged). */
  readonly subjects = new Map<string, Map<number, VersionEntry>>()
  /** id → every (subject, version) that uses it. */
  private readonly byId = new Map<number, Set<VersionEntry>>()
  private readonly idByContent = new Map<string, number>()
  /** null key = global. */
  readonly configs = new Map<string | null, ConfigValue>()
  readonly modes = new Map<string | null, string>()
  maxId = 0
  recordsApplied = 0
  recordsSkipped = 0

  /** Applies one record; unknown key types (CONTEXT, ASSOC… from newer Confluent versions) are counted and skipped. */
  apply (keyBytes: Buffer | null, valueBytes: Buffer | null): void {
    if (keyBytes === null) { this.recordsSkipped++; return }
    const key = decodeKey(keyBytes)
    if (key === undefined) { this.recordsSkipped++; return }
    this.recordsApplied++
    switch (key.keytype) {
      case 'SCHEMA':
        if (valueBytes === null) this.removeVersion(key.subject, key.version)
        else this.putVersion(decodeSchemaValue(valueBytes))
        return
      case 'CONFIG':
        if (valueBytes === null) this.configs.delete(key.subject)
        else this.configs.set(key.subject, decodeJson<ConfigValue>(valueBytes))
        return
      case 'MODE':
        if (valueBytes === null) this.modes.delete(key.subject)
        else this.modes.set(key.subject, decodeJson<ModeValue>(valueBytes).mode)
        return
      case 'DELETE_SUBJECT': {
        if (valueBytes === null || key.subject === null) return
        const { version } = decodeJson<DeleteSubjectValue>(valueBytes)
        for (const entry of this.subjects.get(key.subject)?.values() ?? []) {
          if (entry.version <= version) entry.deleted = true
        }
        return
      }
      case 'CLEAR_SUBJECT':
        if (valueBytes === null || key.subject === null) return
        for (const [name, versions] of this.subjects) {
          if (!name.startsWith(key.subject)) continue
          for (const entry of [...versions.values()]) if (entry.deleted) this.removeVersion(name, entry.version)
        }
        return
      case 'NOOP':
    }
  }

  private putVersion (value: SchemaValue): void {
    this.removeVersion(value.subject, value.version)
    let versions = this.subjects.get(value.subject)
    if (versions === undefined) {
      versions = new Map()
      this.subjects.set(value.subject, versions)
    }
    versions.set(value.version, value)
    let users = this.byId.get(value.id)
    if (users === undefined) {
      users = new Set()
      this.byId.set(value.id, users)
    }
    users.add(value)
    const content = contentKey(value)
    if (!this.idByContent.has(content)) this.idByContent.set(content, value.id)
    if (value.id > this.maxId) this.maxId = value.id
  }

  private removeVersion (subject: string, version: number): void {
    const versions = this.subjects.get(subject)
    const entry = versions?.get(version)
    if (versions === undefined || entry === undefined) return
    versions.delete(version)
    if (versions.size === 0) this.subjects.delete(subject)
    const users = this.byId.get(entry.id)
    users?.delete(entry)
    if (users !== undefined && users.size === 0) {
      this.byId.delete(entry.id)
      const content = contentKey(entry)
      if (this.idByContent.get(content) === entry.id) this.idByContent.delete(content)
    }
  }

  idForContent (content: string): number | undefined {
    return this.idByContent.get(content)
  }

  /** Entries using an id, oldest registration first. */
  usersOf (id: number): VersionEntry[] {
    return [...this.byId.get(id) ?? []].sort((a, b) => a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1)
  }

  ids (): number[] {
    return [...this.byId.keys()].sort((a, b) => a - b)
  }

  versionsOf (subject: string, filter: 'live' | 'all' | 'deletedOnly' = 'live'): VersionEntry[] {
    const all = [...this.subjects.get(subject)?.values() ?? []].sort((a, b) => a.version - b.version)
    if (filter === 'all') return all
    return all.filter((e) => filter === 'live' ? !e.deleted : e.deleted)
  }

  /** Entries (live ones) whose references point at subject/version. */
  referencedBy (subject: string, version: number, includeDeleted = false): VersionEntry[] {
    const out: VersionEntry[] = []
    for (const versions of this.subjects.values()) {
      for (const entry of versions.values()) {
        if (entry.deleted && !includeDeleted) continue
        if (entry.references.some((ref) => ref.subject === subject && ref.version === version)) out.push(entry)
      }
    }
    return out
  }
}
