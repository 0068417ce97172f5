import { IncrementalAlterConfigsApi } from '@samsa/protocol'
import { alterResources, incrementedOverrides } from '../topics/config-alter.js'
import { withConfigAuthorization } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * IncrementalAlterConfigs (44), versions 0–1.
 * Behavior: per TOPIC resource, operations apply in order to a copy of the current overrides: SET (0) validates
 * and sets, DELETE (1) removes the override (back to the broker default), APPEND (2) / SUBTRACT (3) add or remove
 * items of list-typed keys (cleanup.policy, the throttled-replica lists) starting from the effective value;
 * APPEND/SUBTRACT on other keys is INVALID_CONFIG, an unknown key INVALID_CONFIG, an unknown operation or a key
 * given twice INVALID_REQUEST. The result is validated as a whole (e.g. min.compaction.lag.ms ≤
 * max.compaction.lag.ms) before anything changes; then it is persisted and applied to the open logs.
 * validateOnly checks only. BROKER resources: no dynamic broker configs (INVALID_CONFIG unless empty).
 * Version notes: v1 flexible.
 */
export const incrementalAlterConfigsHandler = defineHandler({
  api: IncrementalAlterConfigsApi,
  minVersion: 0,
  maxVersion: 1,
  handle (request, context) {
    const { broker } = context
    // security/: ALTER_CONFIGS on each topic (the broker: on the cluster); refused resources are not touched.
    const responses = withConfigAuthorization(context, 'ALTER_CONFIGS', request.resources, (resources) => alterResources(broker, resources, request.validateOnly,
      (resource, current) => incrementedOverrides(resource.configs, current, broker),
      (resource) => resource.configs.length === 0),
    (resource, errorCode) => ({ resourceType: resource.resourceType, resourceName: resource.resourceName, errorCode, errorMessage: 'Authorization failed.' }))
    return { throttleTimeMs: 0, responses }
  }
})
