/** A tiny path router: patterns like `/subjects/:subject/versions/:version`, segments URL-decoded. */
export interface RouteContext {
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
  /** The authenticated principal's role, when auth is on. */
  role?: string
}

export type RouteResult = { status?: number, body: unknown, raw?: boolean }
export type Handler = (ctx: RouteContext) => RouteResult | Promise<RouteResult>

export type Permission = 'read' | 'register' | 'admin'

interface Route { method: string, parts: string[], handler: Handler, permission: Permission }

export class Router {
  private readonly routes: Route[] = []

  add (method: string, pattern: string, permission: Permission, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter((p) => p !== ''), handler, permission })
    return this
  }

  /** The matching route, 'method' when the path exists with another method, or undefined. */
  match (method: string, path: string): { route: Route, params: Record<string, string> } | 'method' | undefined {
    const segments = path.split('/').filter((p) => p !== '')
    let pathMatched = false
    for (const route of this.routes) {
      if (route.parts.length !== segments.length) continue
      const params: Record<string, string> = {}
      let ok = true
      for (let i = 0; i < segments.length; i++) {
        const part = route.parts[i] as string
        const segment = segments[i] as string
        if (part.startsWith(':')) {
          try {
            params[part.slice(1)] = decodeURIComponent(segment)
          } catch {
            ok = false
            break
          }
        } else if (part !== segment) {
          ok = false
          break
        }
      }
      if (!ok) continue
      if (route.method === method) return { route, params }
      pathMatched = true
    }
    return pathMatched ? 'method' : undefined
  }
}
