/** CORS from an allow-list: which origins may call, with which methods and headers. Preflights answer 204. */
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface CorsOptions {
  /** Allowed origins; '*' allows any. Empty = CORS off (no headers are sent). */
  origins: string[]
  methods?: string[]
  headers?: string[]
  maxAgeSeconds?: number
}

const DEFAULT_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD']
const DEFAULT_HEADERS = ['Authorization', 'Content-Type', 'Accept']

/** Adds CORS headers; returns true when the request was a preflight and has been answered. */
export function applyCors (options: CorsOptions | undefined, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin
  if (options === undefined || options.origins.length === 0 || origin === undefined) return false
  const allowed = options.origins.includes('*') || options.origins.includes(origin)
  if (!allowed) {
    if (req.method === 'OPTIONS') {
      res.writeHead(403).end()
      return true
    }
    return false
  }
  res.setHeader('Access-Control-Allow-Origin', options.origins.includes('*') ? '*' : origin)
  res.setHeader('Vary', 'Origin')
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    res.setHeader('Access-Control-Allow-Methods', (options.methods ?? DEFAULT_METHODS).join(','))
    res.setHeader('Access-Control-Allow-Headers', (options.headers ?? DEFAULT_HEADERS).join(','))
    res.setHeader('Access-Control-Max-Age', String(options.maxAgeSeconds ?? 600))
    res.writeHead(204).end()
    return true
  }
  return false
}
