import { ApiVersionsApi, ErrorCode } from '@samsa/protocol'
import { defineHandler, type HandlerRegistry, type Reply } from './types.js'

/**
 * ApiVersions (18), versions 0–4.
 * Behavior: lists exactly the APIs and version spans the registry serves. A request in a version we do not
 * serve never reaches this handler: the connection answers it with a v0 response carrying UNSUPPORTED_VERSION and
 * this same list (see unsupportedApiVersionsReply), so clients retry with a version both sides know.
 */
export const apiVersionsHandler = defineHandler({
  api: ApiVersionsApi,
  minVersion: 0,
  maxVersion: 4,
  handle (_request, context) {
    return supportedApiVersions(context.broker.handlers, ErrorCode.NONE)
  }
})

export function supportedApiVersions (handlers: HandlerRegistry, errorCode: number): Reply<typeof ApiVersionsApi> {
  return {
    errorCode,
    apiKeys: handlers.all().map((handler) => ({ apiKey: handler.api.key, minVersion: handler.minVersion, maxVersion: handler.maxVersion })),
    throttleTimeMs: 0
  }
}
