/** Confluent's REST resources on top of Registry; bodies and field names as Confluent answers them. */
import { errors } from '../errors.js'
import { resolvedAvro } from '../formats/avro-resolved.js'
import { SCHEMA_TYPES } from '../formats/index.js'
import { parseVersion, type Registry } from '../registry.js'
import type { SchemaRequest } from '../registry-schemas.js'
import type { VersionEntry } from '../store/state.js'
import { Router, type RouteContext } from './router.js'

const flag = (ctx: RouteContext, name: string): boolean => ctx.query.get(name) === 'true'

function subjectParam (ctx: RouteContext): string {
  const subject = ctx.params.subject as string
  // eslint-disable-next-line no-control-regex
  if (subject === '' || /[\u0000-\u001f]/.test(subject)) throw errors.invalidSubject(subject)
  return subject
}

function idParam (ctx: RouteContext): number {
  const text = ctx.params.id as string
  const id = /^[0-9]+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(id)) throw errors.schemaNotFound()
  return id
}

function schemaBody (ctx: RouteContext): SchemaRequest {
  if (typeof ctx.body !== 'object' || ctx.body === null || Array.isArray(ctx.body)) throw errors.invalidSchema('Empty schema')
  return ctx.body as SchemaRequest
}

/** The schema text to return: as stored, or for `?format=resolved` (AVRO with references) with them inlined. */
type Render = (entry: VersionEntry) => string
const asStored: Render = (entry) => entry.schema

function versionJson (entry: VersionEntry, render: Render = asStored): Record<string, unknown> {
  const out: Record<string, unknown> = { subject: entry.subject, version: entry.version, id: entry.id }
  if (entry.schemaType !== 'AVRO') out.schemaType = entry.schemaType
  if (entry.references.length > 0) out.references = entry.references
  if (entry.metadata !== undefined) out.metadata = entry.metadata
  if (entry.ruleSet !== undefined) out.ruleSet = entry.ruleSet
  out.schema = render(entry)
  if (entry.deleted) out.deleted = true
  return out
}

function schemaJson (entry: VersionEntry, render: Render): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (entry.schemaType !== 'AVRO') out.schemaType = entry.schemaType
  out.schema = render(entry)
  if (entry.references.length > 0) out.references = entry.references
  if (entry.metadata !== undefined) out.metadata = entry.metadata
  if (entry.ruleSet !== undefined) out.ruleSet = entry.ruleSet
  return out
}

const filterOf = (ctx: RouteContext): 'live' | 'all' | 'deletedOnly' => flag(ctx, 'deletedOnly') ? 'deletedOnly' : flag(ctx, 'deleted') ? 'all' : 'live'

export function registryRoutes (registry: Registry): Router {
  const router = new Router()
  // `format`: AVRO `resolved` inlines referenced types; other values (PROTOBUF `serialized`, `ignore_extensions`) are
  // not supported and return the stored text.
  const render = (ctx: RouteContext): Render => (entry) => ctx.query.get('format') === 'resolved' && entry.schemaType === 'AVRO' && entry.references.length > 0
    ? resolvedAvro(entry.schema, registry.parser.resolveReferences(entry.references).resolved)
    : entry.schema

  router.add('GET', '/', 'read', () => ({ body: {} }))
  router.add('GET', '/contexts', 'read', () => ({ body: ['.'] }))
  router.add('GET', '/schemas/types', 'read', () => ({ body: SCHEMA_TYPES }))

  // ---- subjects
  router.add('GET', '/subjects', 'read', (ctx) => ({ body: registry.subjects(ctx.query.get('subjectPrefix') ?? '', filterOf(ctx)) }))
  router.add('POST', '/subjects/:subject', 'read', (ctx) => {
    const entry = registry.lookup(subjectParam(ctx), schemaBody(ctx), { normalize: flag(ctx, 'normalize'), includeDeleted: flag(ctx, 'deleted') })
    return { body: versionJson(entry) }
  })
  router.add('DELETE', '/subjects/:subject', 'admin', async (ctx) => ({ body: await registry.deleteSubject(subjectParam(ctx), flag(ctx, 'permanent')) }))
  router.add('GET', '/subjects/:subject/versions', 'read', (ctx) => {
    const subject = subjectParam(ctx)
    if (!registry.hasSubject(subject, true)) throw errors.subjectNotFound(subject)
    return { body: registry.state.versionsOf(subject, filterOf(ctx)).map((e) => e.version) }
  })
  router.add('POST', '/subjects/:subject/versions', 'register', async (ctx) => {
    const { id } = await registry.register(subjectParam(ctx), schemaBody(ctx), flag(ctx, 'normalize'))
    return { body: { id } }
  })
  router.add('GET', '/subjects/:subject/versions/:version', 'read', (ctx) => {
    return { body: versionJson(registry.version(subjectParam(ctx), parseVersion(ctx.params.version as string), flag(ctx, 'deleted')), render(ctx)) }
  })
  router.add('GET', '/subjects/:subject/versions/:version/schema', 'read', (ctx) => {
    return { body: render(ctx)(registry.version(subjectParam(ctx), parseVersion(ctx.params.version as string), flag(ctx, 'deleted'))), raw: true }
  })
  router.add('GET', '/subjects/:subject/versions/:version/referencedby', 'read', (ctx) => {
    const entry = registry.version(subjectParam(ctx), parseVersion(ctx.params.version as string), true)
    return { body: [...new Set(registry.state.referencedBy(entry.subject, entry.version, flag(ctx, 'deleted')).map((e) => e.id))].sort((a, b) => a - b) }
  })
  router.add('DELETE', '/subjects/:subject/versions/:version', 'admin', async (ctx) => {
    return { body: await registry.deleteVersion(subjectParam(ctx), parseVersion(ctx.params.version as string), flag(ctx, 'permanent')) }
  })

  // ---- schemas by id
  router.add('GET', '/schemas', 'read', (ctx) => {
    const prefix = ctx.query.get('subjectPrefix') ?? ''
    const out: Array<Record<string, unknown>> = []
    for (const subject of registry.subjects(prefix, flag(ctx, 'deleted') ? 'all' : 'live')) {
      const versions = registry.state.versionsOf(subject, flag(ctx, 'deleted') ? 'all' : 'live')
      for (const entry of flag(ctx, 'latestOnly') ? versions.slice(-1) : versions) out.push(versionJson(entry))
    }
    return { body: out }
  })
  router.add('GET', '/schemas/ids/:id', 'read', (ctx) => {
    const body = schemaJson(registry.schemaById(idParam(ctx)), render(ctx))
    if (flag(ctx, 'fetchMaxId')) body.maxId = registry.state.maxId
    return { body }
  })
  router.add('GET', '/schemas/ids/:id/schema', 'read', (ctx) => ({ body: render(ctx)(registry.schemaById(idParam(ctx))), raw: true }))
  router.add('GET', '/schemas/ids/:id/subjects', 'read', (ctx) => {
    const id = idParam(ctx)
    const users = registry.state.usersOf(id).filter((e) => flag(ctx, 'deleted') || !e.deleted)
    if (registry.state.usersOf(id).length === 0) throw errors.schemaNotFound(id)
    return { body: [...new Set(users.map((e) => e.subject))].sort() }
  })
  router.add('GET', '/schemas/ids/:id/versions', 'read', (ctx) => {
    const id = idParam(ctx)
    if (registry.state.usersOf(id).length === 0) throw errors.schemaNotFound(id)
    return { body: registry.state.usersOf(id).filter((e) => flag(ctx, 'deleted') || !e.deleted).map((e) => ({ subject: e.subject, version: e.version })) }
  })

  // ---- compatibility
  const compatibility = (ctx: RouteContext, spec: ReturnType<typeof parseVersion> | 'all'): { body: unknown } => {
    let messages: string[]
    try {
      messages = registry.checkCompatibility(subjectParam(ctx), spec, schemaBody(ctx), flag(ctx, 'normalize'))
    } catch (error) {
      if (flag(ctx, 'verbose') && (error as { errorCode?: number }).errorCode === 42201) messages = [(error as Error).message]
      else throw error
    }
    return { body: flag(ctx, 'verbose') ? { is_compatible: messages.length === 0, messages } : { is_compatible: messages.length === 0 } }
  }
  router.add('POST', '/compatibility/subjects/:subject/versions/:version', 'register', (ctx) => compatibility(ctx, parseVersion(ctx.params.version as string)))
  router.add('POST', '/compatibility/subjects/:subject/versions', 'register', (ctx) => compatibility(ctx, 'all'))

  // ---- config
  const configJson = (subject: string | null): Record<string, unknown> => {
    const own = registry.state.configs.get(subject)
    const out: Record<string, unknown> = { compatibilityLevel: subject === null ? registry.compatibilityLevel(null) : own?.compatibilityLevel ?? registry.compatibilityLevel(null) }
    if (own?.normalize !== undefined) out.normalize = own.normalize
    return out
  }
  const body = (ctx: RouteContext): Record<string, unknown> => (typeof ctx.body === 'object' && ctx.body !== null ? ctx.body : {}) as Record<string, unknown>
  router.add('GET', '/config', 'read', () => ({ body: configJson(null) }))
  router.add('PUT', '/config', 'admin', async (ctx) => ({ body: await registry.setConfig(null, body(ctx)) }))
  router.add('DELETE', '/config', 'admin', async () => ({ body: await registry.deleteConfig(null) }))
  router.add('GET', '/config/:subject', 'read', (ctx) => {
    const subject = subjectParam(ctx)
    if (!registry.state.configs.has(subject) && !flag(ctx, 'defaultToGlobal')) throw errors.subjectConfigNotSet(subject)
    return { body: configJson(subject) }
  })
  router.add('PUT', '/config/:subject', 'register', async (ctx) => ({ body: await registry.setConfig(subjectParam(ctx), body(ctx)) }))
  router.add('DELETE', '/config/:subject', 'admin', async (ctx) => ({ body: await registry.deleteConfig(subjectParam(ctx)) }))

  // ---- mode
  router.add('GET', '/mode', 'read', () => ({ body: { mode: registry.mode(null) } }))
  router.add('PUT', '/mode', 'admin', async (ctx) => ({ body: await registry.setMode(null, body(ctx).mode, flag(ctx, 'force')) }))
  router.add('DELETE', '/mode', 'admin', async () => ({ body: await registry.deleteMode(null) }))
  router.add('GET', '/mode/:subject', 'read', (ctx) => {
    const subject = subjectParam(ctx)
    if (!registry.state.modes.has(subject) && !flag(ctx, 'defaultToGlobal')) throw errors.subjectModeNotSet(subject)
    return { body: { mode: registry.mode(subject) } }
  })
  router.add('PUT', '/mode/:subject', 'admin', async (ctx) => ({ body: await registry.setMode(subjectParam(ctx), body(ctx).mode, flag(ctx, 'force')) }))
  router.add('DELETE', '/mode/:subject', 'admin', async (ctx) => ({ body: await registry.deleteMode(subjectParam(ctx)) }))

  return router
}
