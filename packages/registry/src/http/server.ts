/**
 * The HTTP front: node:http (the API is a few dozen routes with JSON bodies; a framework would add a dependency and
 * its own error shapes, while we need Confluent's exact ones). Per request: CORS, health/metrics, basic auth,
 * content negotiation, route + permission, bounded body read, optional forwarding of writes to the writer
 * instance, then the handler; every failure leaves as `{error_code, message}`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { errors, RegistryError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { Registry } from '../registry.js'
import { permits, type UserStore } from '../security/auth.js'
import { applyCors, type CorsOptions } from '../security/cors.js'
import { Metrics } from './metrics.js'
import { registryRoutes } from './routes.js'
import type { WriterTarget } from '../election/election.js'

export const CONTENT_TYPES = ['application/vnd.schemaregistry.v1+json', 'application/vnd.schemaregistry+json', 'application/json'] as const
const REQUEST_TYPES = new Set([...CONTENT_TYPES, 'application/octet-stream'])

export interface HttpOptions {
  host?: string
  port?: number
  /** Largest request body accepted; larger ones get 413 and nothing is read further or written. */
  maxBodyBytes?: number
  users?: UserStore
  cors?: CorsOptions
  /** When set, this instance is not the writer: writes are forwarded to this base URL (e.g. http://10.0.0.5:8081). */
  forwardWritesTo?: string
  /** When true and no forward URL is set, writes are rejected with 50004 (a read-only follower). */
  readOnlyFollower?: boolean
  /** Elected writer (set by startRegistry unless a static role is configured): where each write goes. */
  writerRoute?: () => Promise<WriterTarget>
  /** Whether this instance is the writer right now (metrics, readiness); default: no static follower role. */
  isWriter?: () => boolean
  /**
   * error_code of an incompatible registration (HTTP 409 either way): 409 as Confluent 7.x answers (default), or
   * 40901 as Confluent's current releases do.
   */
  incompatibleErrorCode?: 409 | 40901
}

/** Marks a request one instance forwarded to another, so a non-writer never forwards it again (no loops). */
const FORWARDED_HEADER = 'x-samsa-forwarded'

export interface RegistryHttpServer { server: Server, url: string, close: () => Promise<void> }

function send (res: ServerResponse, status: number, body: string, contentType: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...extra })
  res.end(body)
}

function sendError (res: ServerResponse, error: RegistryError, contentType: string, extra: Record<string, string> = {}, errorCode = error.errorCode): void {
  send(res, error.status, JSON.stringify({ error_code: errorCode, message: error.message }), contentType, extra)
}

/** The response type for an Accept header, or undefined when none of ours is acceptable (406). */
function negotiate (accept: string | undefined): string | undefined {
  if (accept === undefined || accept.trim() === '') return CONTENT_TYPES[0]
  const wanted = accept.split(',').map((part) => (part.split(';')[0] as string).trim().toLowerCase())
  for (const type of wanted) {
    if (type === '*/*' || type === 'application/*') return CONTENT_TYPES[0]
    if ((CONTENT_TYPES as readonly string[]).includes(type)) return type
  }
  return undefined
}

async function readBody (req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0')
  if (declared > limit) throw new RegistryError('SAMSA_REGISTRY_BODY_TOO_LARGE', `Request body of ${declared} bytes exceeds the limit of ${limit} bytes`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new RegistryError('SAMSA_REGISTRY_BODY_TOO_LARGE', `Request body exceeds the limit of ${limit} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** Writes change the log; lookups and compatibility checks are POSTs that only read. */
function isWrite (method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD') return false
  if (method === 'POST') return /^\/subjects\/[^/]+\/versions\/?$/.test(path)
  return true
}

export async function startHttpServer (registry: Registry, options: HttpOptions, logger: Logger): Promise<RegistryHttpServer> {
  const router = registryRoutes(registry)
  const metrics = new Metrics()
  const limit = options.maxBodyBytes ?? 16 * 1024 * 1024
  const isWriter = (): boolean => options.forwardWritesTo === undefined && options.readOnlyFollower !== true && (options.isWriter?.() ?? true)

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint()
    const method = req.method ?? 'GET'
    const url = new URL(req.url ?? '/', 'http://registry')
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname
    let routeLabel = 'unmatched'
    const contentType = negotiate(req.headers.accept) ?? CONTENT_TYPES[0]
    res.on('finish', () => metrics.observe(method, routeLabel, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9))
    try {
      if (applyCors(options.cors, req, res)) return
      if (method === 'GET' && (path === '/health' || path === '/health/live')) return send(res, 200, '{"status":"UP"}', 'application/json')
      if (method === 'GET' && path === '/health/ready') {
        const ready = registry.store.healthy
        return send(res, ready ? 200 : 503, JSON.stringify({ status: ready ? 'UP' : 'DOWN', offset: String(registry.store.appliedOffset), writer: isWriter() }), 'application/json')
      }
      if (method === 'GET' && path === '/metrics') return send(res, 200, metrics.render(registry, isWriter()), 'text/plain; version=0.0.4')

      let roles: string[] | undefined
      if (options.users !== undefined) {
        const principal = options.users.authenticate(req.headers.authorization)
        if (principal === undefined) {
          return sendError(res, new RegistryError('SAMSA_REGISTRY_UNAUTHORIZED', 'Unauthorized'), contentType, { 'WWW-Authenticate': 'Basic realm="samsa-registry"' })
        }
        roles = principal.roles
      }
      if (negotiate(req.headers.accept) === undefined) throw new RegistryError('SAMSA_REGISTRY_NOT_ACCEPTABLE', 'HTTP 406 Not Acceptable')
      const match = router.match(method, path)
      if (match === undefined) throw new RegistryError('SAMSA_REGISTRY_NOT_FOUND', 'HTTP 404 Not Found')
      if (match === 'method') throw new RegistryError('SAMSA_REGISTRY_METHOD_NOT_ALLOWED', 'HTTP 405 Method Not Allowed')
      routeLabel = '/' + match.route.parts.join('/')
      if (roles !== undefined && !permits(roles as never, match.route.permission)) {
        throw new RegistryError('SAMSA_REGISTRY_FORBIDDEN', `User is not permitted to ${method} ${routeLabel} (needs the ${match.route.permission} permission)`)
      }

      let body: unknown
      if (method === 'POST' || method === 'PUT') {
        const raw = await readBody(req, limit)
        const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
        if (type !== '' && !REQUEST_TYPES.has(type)) throw new RegistryError('SAMSA_REGISTRY_UNSUPPORTED_MEDIA_TYPE', 'HTTP 415 Unsupported Media Type')
        if (raw.length > 0) {
          try {
            body = JSON.parse(raw.toString('utf8'))
          } catch (error) {
            throw new RegistryError('SAMSA_REGISTRY_BAD_REQUEST', `Malformed JSON: ${(error as Error).message}`)
          }
        }
      } else {
        req.resume()
      }

      if (isWrite(method, path)) {
        const target = await writeTarget(options)
        if (!target.self) {
          if (req.headers[FORWARDED_HEADER] !== undefined) throw errors.notWriter('This registry instance received a forwarded write but is not the writer (the writer just changed); retry')
          const status = await forward(target.url, req, url, body, res)
          // Read-your-writes through a follower: answer after this instance has read the writer's records.
          if (status < 300) await registry.store.catchUp().catch(() => {})
          return
        }
      }

      const result = await match.route.handler({ params: match.params, query: url.searchParams, body })
      const text = result.raw === true ? String(result.body) : JSON.stringify(result.body)
      send(res, result.status ?? 200, text, contentType)
    } catch (error) {
      if (RegistryError.is(error)) {
        if (error.status >= 500) logger.warn(`${method} ${path}: ${error.message}`)
        if (error.code === 'SAMSA_REGISTRY_BODY_TOO_LARGE') res.setHeader('Connection', 'close')
        const errorCode = error.code === 'SAMSA_REGISTRY_INCOMPATIBLE_SCHEMA' ? options.incompatibleErrorCode ?? error.errorCode : error.errorCode
        return sendError(res, error, contentType, {}, errorCode)
      }
      logger.error(`${method} ${path}: ${(error as Error).stack ?? String(error)}`)
      sendError(res, new RegistryError('SAMSA_REGISTRY_INTERNAL', `Internal error: ${(error as Error).message}`), contentType)
    }
  }

  const server = createServer((req, res) => { void handle(req, res) })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 8081, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  return {
    server,
    url: `http://${address.address}:${address.port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

async function writeTarget (options: HttpOptions): Promise<WriterTarget> {
  if (options.forwardWritesTo !== undefined) return { self: false, url: options.forwardWritesTo }
  if (options.readOnlyFollower === true) throw errors.notWriter('This registry instance is a read-only follower; send writes to the writer instance')
  return options.writerRoute === undefined ? { self: true } : await options.writerRoute()
}

/** Sends a write to the writer instance and relays its answer unchanged (status, body, content type); returns the status. */
async function forward (base: string, req: IncomingMessage, url: URL, body: unknown, res: ServerResponse): Promise<number> {
  const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPES[0], Accept: req.headers.accept ?? CONTENT_TYPES[0], [FORWARDED_HEADER]: '1' }
  if (req.headers.authorization !== undefined) headers.Authorization = req.headers.authorization
  let answer: Response
  try {
    answer = await fetch(new URL(url.pathname + url.search, base), { method: req.method ?? 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (error) {
    throw new RegistryError('SAMSA_REGISTRY_FORWARDING_FAILED', `Error while forwarding the request to the writer at ${base}: ${(error as Error).message}`)
  }
  const text = await answer.text()
  send(res, answer.status, text, answer.headers.get('content-type') ?? CONTENT_TYPES[0])
  return answer.status
}
