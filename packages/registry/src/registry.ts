/**
 * The registry's operations with Confluent's semantics. Reads answer from the state; every write runs in the
 * store's serial queue against an up-to-date state and is answered only after its records came back from the log.
 */
import { compatibilityMessages, DEFAULT_LEVEL, parseLevel, type CompatibilityLevel } from './compatibility.js'
import { errors } from './errors.js'
import type { ParsedSchema } from './formats/index.js'
import { governanceProblems } from './governance/registration.js'
import { checkRequest, SchemaParser, type SchemaRequest } from './registry-schemas.js'
import { encodeClearSubjectValue, encodeConfigValue, encodeDeleteSubjectValue, encodeKey, encodeModeValue, encodeSchemaValue, type SchemaValue } from './store/records.js'
import type { KafkaStore, StoreRecord } from './store/store.js'
import { contentKey, type VersionEntry } from './store/state.js'

export const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const
export type Mode = typeof MODES[number]
export type VersionSpec = number | 'latest'

export function parseVersion (text: string): VersionSpec {
  if (text === 'latest' || text === '-1') return 'latest'
  if (!/^[0-9]+$/.test(text)) throw errors.invalidVersion(text)
  const n = Number(text)
  if (n < 1 || n > 2 ** 31 - 1) throw errors.invalidVersion(text)
  return n
}

export class Registry {
  readonly parser: SchemaParser

  constructor (readonly store: KafkaStore) {
    this.parser = new SchemaParser(store.state)
  }

  get state (): KafkaStore['state'] { return this.store.state }

  // ---- reads ----------------------------------------------------------------------------------------------------

  subjects (prefix = '', filter: 'live' | 'all' | 'deletedOnly' = 'live'): string[] {
    return [...this.state.subjects.keys()].filter((s) => s.startsWith(prefix) && this.state.versionsOf(s, filter).length > 0).sort()
  }

  hasSubject (subject: string, includeDeleted: boolean): boolean {
    return this.state.versionsOf(subject, includeDeleted ? 'all' : 'live').length > 0
  }

  /** One version; 40401 when the subject has none, 40402 when that version is missing (or deleted, unless asked). */
  version (subject: string, spec: VersionSpec, includeDeleted = false): VersionEntry {
    const versions = this.state.versionsOf(subject, includeDeleted ? 'all' : 'live')
    const entry = spec === 'latest' ? versions.at(-1) : versions.find((e) => e.version === spec)
    if (entry !== undefined) return entry
    if (!this.hasSubject(subject, includeDeleted)) throw errors.subjectNotFound(subject)
    throw errors.versionNotFound(spec === 'latest' ? -1 : spec)
  }

  schemaById (id: number): VersionEntry {
    const entry = this.state.usersOf(id)[0]
    if (entry === undefined) throw errors.schemaNotFound(id)
    return entry
  }

  compatibilityLevel (subject: string | null): CompatibilityLevel {
    const own = subject === null ? undefined : parseLevel(this.state.configs.get(subject)?.compatibilityLevel)
    return own ?? parseLevel(this.state.configs.get(null)?.compatibilityLevel) ?? DEFAULT_LEVEL
  }

  normalizeByConfig (subject: string): boolean {
    return (this.state.configs.get(subject)?.normalize ?? this.state.configs.get(null)?.normalize) === true
  }

  mode (subject: string | null): Mode {
    const own = subject === null ? undefined : this.state.modes.get(subject)
    return (own ?? this.state.modes.get(null) ?? 'READWRITE') as Mode
  }

  private parsedFor (body: SchemaRequest, normalize: boolean): { request: ReturnType<typeof checkRequest>, parsed: ParsedSchema, text: string, references: VersionEntry['references'] } {
    const request = checkRequest(body)
    const { parsed, references } = this.parser.parseRequest(request)
    return { request, parsed, text: normalize ? parsed.normalized() : parsed.canonical, references }
  }

  /** POST /subjects/{s}: the version of `subject` holding this schema. */
  lookup (subject: string, body: SchemaRequest, options: { normalize: boolean, includeDeleted: boolean }): VersionEntry {
    if (!this.hasSubject(subject, options.includeDeleted)) throw errors.subjectNotFound(subject)
    const normalize = options.normalize || this.normalizeByConfig(subject)
    const { request, parsed, text, references } = this.parsedFor(body, normalize)
    const wanted = contentKey({ schemaType: request.schemaType, schema: text, references })
    for (const entry of this.state.versionsOf(subject, options.includeDeleted ? 'all' : 'live').reverse()) {
      if (contentKey({ schemaType: entry.schemaType, schema: entry.schema, references: entry.references }) === wanted) return entry
      const stored = normalize ? this.parser.parseStored(entry).normalized() : undefined
      if (stored !== undefined && stored === parsed.normalized() && entry.schemaType === request.schemaType) return entry
    }
    throw errors.schemaNotFound()
  }

  /** Compatibility messages of a candidate against one version or all live versions (empty = compatible). */
  checkCompatibility (subject: string, spec: VersionSpec | 'all', body: SchemaRequest, normalize: boolean): string[] {
    let previous: VersionEntry[]
    if (spec === 'all') previous = this.state.versionsOf(subject)
    else {
      const versions = this.state.versionsOf(subject)
      const entry = spec === 'latest' ? versions.at(-1) : versions.find((e) => e.version === spec)
      if (entry === undefined && spec !== 'latest') throw errors.versionNotFound(spec)
      previous = entry === undefined ? [] : [entry]
    }
    const { parsed } = this.parsedFor(body, normalize || this.normalizeByConfig(subject))
    return compatibilityMessages(this.compatibilityLevel(subject), parsed, previous.map((e) => ({ version: e.version, schema: this.parser.parseStored(e), text: e.schema })))
  }

  // ---- writes ---------------------------------------------------------------------------------------------------

  private assertWritable (subject: string | null): void {
    const mode = this.mode(subject)
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') throw errors.notPermitted(`Subject ${subject ?? ''} in context . is in read-only mode`)
  }

  /** POST /subjects/{s}/versions. Resolves to the schema's id (and version). */
  register (subject: string, body: SchemaRequest, normalizeParam: boolean): Promise<{ id: number, version: number }> {
    return this.store.write(() => {
      this.assertWritable(subject)
      const mode = this.mode(subject)
      const { request, text, references, parsed } = this.parsedFor(body, normalizeParam || this.normalizeByConfig(subject))
      if (request.id !== undefined && mode !== 'IMPORT') throw errors.notPermitted(`Subject ${subject} in context . is not in import mode`)
      if (request.id === undefined && mode !== 'READWRITE') throw errors.notPermitted(`Subject ${subject} in context . is not in read-write mode`)
      const all = this.state.versionsOf(subject, 'all')
      const live = all.filter((e) => !e.deleted)
      // Like Confluent (7.4+): a registration without metadata / ruleSet keeps the latest version's, so a producer
      // unaware of the data contract cannot register the schema again without its governance tags.
      const latest = mode === 'IMPORT' ? undefined : live.at(-1)
      const metadata = request.metadata ?? latest?.metadata
      const ruleSet = request.ruleSet ?? latest?.ruleSet
      if (mode !== 'IMPORT') {
        const problems = governanceProblems(parsed, metadata)
        if (problems.length > 0) throw errors.invalidSchema(`Schema does not satisfy the governance rules: ${problems.join('; ')}`)
      }
      const candidate = { schemaType: request.schemaType, schema: text, references, metadata, ruleSet }
      const existingId = this.state.idForContent(contentKey(candidate))
      if (existingId !== undefined && request.id !== undefined && existingId !== request.id) throw errors.idDoesNotMatch()
      if (request.version === undefined) {
        const same = live.find((e) => e.id === existingId || (request.id === undefined && contentKey(e) === contentKey(candidate)))
        if (same !== undefined) return { records: [], result: () => ({ id: same.id, version: same.version }) }
      }
      if (mode !== 'IMPORT') {
        const messages = compatibilityMessages(this.compatibilityLevel(subject), parsed, live.map((e) => ({ version: e.version, schema: this.parser.parseStored(e), text: e.schema })))
        if (messages.length > 0) throw errors.incompatible(subject, messages)
      }
      const nextVersion = Math.max(0, ...all.map((e) => e.version)) + 1
      let version = nextVersion
      if (request.version !== undefined) {
        if (mode !== 'IMPORT' && request.version !== nextVersion) throw errors.invalidSchema('Version is not one more than previous version')
        version = request.version
      }
      let id = existingId ?? request.id
      if (id === undefined) {
        id = this.state.maxId + 1
      } else if (existingId === undefined && this.state.usersOf(id).length > 0) {
        throw errors.idDoesNotMatch()
      }
      const value: SchemaValue = { subject, version, id, schemaType: request.schemaType, references, schema: text, deleted: false }
      if (metadata !== undefined) value.metadata = metadata
      if (ruleSet !== undefined) value.ruleSet = ruleSet
      const records: StoreRecord[] = []
      // A soft-deleted earlier version with the same id is superseded: tombstone it (Confluent does the same).
      for (const old of all) {
        if (old.deleted && old.id === id && old.version < version && this.state.referencedBy(subject, old.version, true).length === 0) {
          records.push({ key: encodeKey({ keytype: 'SCHEMA', subject, version: old.version }), value: null })
        }
      }
      records.push({ key: encodeKey({ keytype: 'SCHEMA', subject, version }), value: encodeSchemaValue(value) })
      const assigned = id
      return { records, result: () => ({ id: assigned, version }) }
    })
  }

  /** DELETE /subjects/{s}: soft (DELETE_SUBJECT record) or, after that, permanent (tombstones). */
  deleteSubject (subject: string, permanent: boolean): Promise<number[]> {
    return this.store.write(() => {
      this.assertWritable(subject)
      const all = this.state.versionsOf(subject, 'all')
      if (all.length === 0) throw errors.subjectNotFound(subject)
      const live = all.filter((e) => !e.deleted)
      for (const entry of permanent ? all : live) {
        if (this.state.referencedBy(subject, entry.version, permanent).some((r) => r.subject !== subject)) throw errors.referenceExists(`{subject=${subject},version=${entry.version}}`)
      }
      if (!permanent) {
        if (live.length === 0) throw errors.subjectSoftDeleted(subject)
        const latest = (all.at(-1) as VersionEntry).version
        return {
          records: [{ key: encodeKey({ keytype: 'DELETE_SUBJECT', subject }), value: encodeDeleteSubjectValue(subject, latest) }],
          result: () => live.map((e) => e.version)
        }
      }
      if (live.length > 0) throw errors.subjectNotSoftDeleted(subject)
      const records: StoreRecord[] = [...all].reverse().map((e) => ({ key: encodeKey({ keytype: 'SCHEMA', subject, version: e.version }), value: null }))
      if (this.state.modes.has(subject)) records.push({ key: encodeKey({ keytype: 'MODE', subject }), value: null })
      if (this.state.configs.has(subject)) records.push({ key: encodeKey({ keytype: 'CONFIG', subject }), value: null })
      return { records, result: () => all.map((e) => e.version) }
    })
  }

  /** DELETE /subjects/{s}/versions/{v}: soft rewrites the version with deleted=true; permanent writes a tombstone. */
  deleteVersion (subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.store.write(() => {
      this.assertWritable(subject)
      const entry = this.version(subject, spec, spec !== 'latest')
      if (!permanent && entry.deleted) throw errors.versionSoftDeleted(subject, entry.version)
      if (permanent && !entry.deleted) throw errors.versionNotSoftDeleted(subject, entry.version)
      if (this.state.referencedBy(subject, entry.version, permanent).length > 0) throw errors.referenceExists(`{subject=${subject},version=${entry.version}}`)
      const key = encodeKey({ keytype: 'SCHEMA', subject, version: entry.version })
      const value = permanent ? null : encodeSchemaValue({ ...entry, deleted: true })
      return { records: [{ key, value }], result: () => entry.version }
    })
  }

  setConfig (subject: string | null, body: { compatibility?: unknown, compatibilityLevel?: unknown, normalize?: unknown }): Promise<{ compatibility?: string, normalize?: boolean }> {
    return this.store.write(() => {
      this.assertWritable(subject)
      const raw = body.compatibility ?? body.compatibilityLevel
      const level = raw === undefined || raw === null ? undefined : parseLevel(raw)
      if ((raw !== undefined && raw !== null && level === undefined) || (level === undefined && typeof body.normalize !== 'boolean')) throw errors.invalidCompatibility()
      const previous = this.state.configs.get(subject) ?? {}
      const next = { compatibilityLevel: level ?? previous.compatibilityLevel, normalize: typeof body.normalize === 'boolean' ? body.normalize : previous.normalize }
      const result: { compatibility?: string, normalize?: boolean } = {}
      if (level !== undefined) result.compatibility = level
      if (typeof body.normalize === 'boolean') result.normalize = body.normalize
      return { records: [{ key: encodeKey({ keytype: 'CONFIG', subject }), value: encodeConfigValue(subject, next) }], result: () => result }
    })
  }

  deleteConfig (subject: string | null): Promise<{ compatibilityLevel: string }> {
    return this.store.write(() => {
      this.assertWritable(subject)
      const previous = this.state.configs.get(subject)
      if (subject !== null && previous === undefined) throw errors.subjectNotFound(subject)
      const level = previous?.compatibilityLevel ?? DEFAULT_LEVEL
      const records = previous === undefined ? [] : [{ key: encodeKey({ keytype: 'CONFIG', subject }), value: null }]
      return { records, result: () => ({ compatibilityLevel: level }) }
    })
  }

  setMode (subject: string | null, rawMode: unknown, force: boolean): Promise<{ mode: Mode }> {
    return this.store.write(() => {
      const mode = typeof rawMode === 'string' ? rawMode.toUpperCase() : undefined
      if (mode === undefined || !(MODES as readonly string[]).includes(mode)) throw errors.invalidMode()
      if (mode === 'IMPORT' && this.mode(subject) !== 'IMPORT' && !force) {
        const existing = subject === null ? this.subjects('', 'live') : this.subjects('', 'live').filter((s) => s === subject)
        if (existing.length > 0) throw errors.notPermitted('Cannot import since found existing subjects')
      }
      const records: StoreRecord[] = []
      if (mode === 'IMPORT' && subject !== null && this.mode(subject) !== 'IMPORT' && this.hasSubject(subject, true) && force !== true) {
        records.push({ key: encodeKey({ keytype: 'CLEAR_SUBJECT', subject }), value: encodeClearSubjectValue(subject) })
      }
      records.push({ key: encodeKey({ keytype: 'MODE', subject }), value: encodeModeValue(subject, mode) })
      return { records, result: () => ({ mode: mode as Mode }) }
    })
  }

  deleteMode (subject: string | null): Promise<{ mode: Mode }> {
    return this.store.write(() => {
      const previous = this.state.modes.get(subject)
      if (subject !== null && previous === undefined) throw errors.subjectNotFound(subject)
      const records = previous === undefined ? [] : [{ key: encodeKey({ keytype: 'MODE', subject }), value: null }]
      return { records, result: () => ({ mode: (previous ?? 'READWRITE') as Mode }) }
    })
  }
}
