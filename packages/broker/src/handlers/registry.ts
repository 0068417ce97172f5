import type { Handler, HandlerRegistry } from './types.js'

/**
 * The explicit list of served APIs. ApiVersions is computed from it, and the version check happens once, before
 * dispatch. A duplicate key, a span outside the API's defined versions, or min > max is a programming error.
 */
export function createHandlerRegistry (handlers: Handler[]): HandlerRegistry {
  const byKey = new Map<number, Handler>()
  for (const handler of handlers) {
    const { api, minVersion, maxVersion } = handler
    if (byKey.has(api.key)) throw new Error(`duplicate handler for API key ${api.key} (${api.name})`)
    if (minVersion > maxVersion) throw new Error(`${api.name}: minVersion ${minVersion} > maxVersion ${maxVersion}`)
    if (minVersion < api.validVersions.min || maxVersion > api.validVersions.max) {
      throw new Error(`${api.name}: served span ${minVersion}-${maxVersion} is outside the defined ${api.validVersions.min}-${api.validVersions.max}`)
    }
    byKey.set(api.key, handler)
  }
  const sorted = [...byKey.values()].sort((a, b) => a.api.key - b.api.key)
  return { get: (apiKey) => byKey.get(apiKey), all: () => sorted }
}
