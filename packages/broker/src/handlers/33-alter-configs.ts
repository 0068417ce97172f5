import { AlterConfigsApi } from '@samsa/protocol'
import { alterResources, replacedOverrides } from '../topics/config-alter.js'
import { withConfigAuthorization } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * AlterConfigs (33), versions 0–2.
 * Behavior: for a TOPIC resource the given entries replace the topic's whole override set (keys left out return to
 * their broker defaults; null values are dropped, as Kafka does). Every entry is validated first — an unknown key
 * or invalid value is INVALID_CONFIG naming the key, and nothing of that resource changes. The new set is written
 * to topics.json and applied to the open partition logs (retention, segment, compaction settings) immediately.
 * validateOnly checks without applying. BROKER resources: samsa has no dynamic broker configs, so a non-empty
 * change is INVALID_CONFIG with a message saying to use server.properties; an empty one succeeds. A resource named
 * twice is INVALID_REQUEST. Version notes: v2 flexible; no layout changes.
 */
export const alterConfigsHandler = defineHandler({
  api: AlterConfigsApi,
  minVersion: 0,
  maxVersion: 2,
  handle (request, context) {
    const { broker } = context
    // security/: ALTER_CONFIGS on each topic (the broker: on the cluster); refused resources are not touched.
    const responses = withConfigAuthorization(context, 'ALTER_CONFIGS', request.resources, (resources) => alterResources(broker, resources, request.validateOnly,
      (resource) => replacedOverrides(resource.configs, broker),
      (resource) => resource.configs.length === 0),
    (resource, errorCode) => ({ resourceType: resource.resourceType, resourceName: resource.resourceName, errorCode, errorMessage: 'Authorization failed.' }))
    return { throttleTimeMs: 0, responses }
  }
})
