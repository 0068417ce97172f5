import { DescribeConfigsApi, ErrorCode } from '@samsa/protocol'
import { ApiError } from '../topics/api-error.js'
import { ConfigSource, describeBrokerConfigs, describeTopicConfigs, type DescribedConfig } from '../topics/config-describe.js'
import { resolveConfigResource } from '../topics/config-resources.js'
import { configResourceError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * DescribeConfigs (32), versions 0–4.
 * Behavior: TOPIC (2) resources list every Kafka topic config with its effective value: a topic override has
 * source TOPIC_CONFIG (1), a value from server.properties/env/flags STATIC_BROKER_CONFIG (4), anything else
 * DEFAULT_CONFIG (5); never read-only, never sensitive. BROKER (4) resources (our node id, or "" for cluster
 * defaults, which are empty: there are no dynamic configs) list every broker key, read-only. configurationKeys
 * filters by name (unknown names are left out). Unknown topic → UNKNOWN_TOPIC_OR_PARTITION; other resource types
 * and foreign broker ids → INVALID_REQUEST. Entries are sorted by name.
 * Version notes: v0 isDefault (topic: not overridden; broker: not set) instead of a source; v1 includeSynonyms
 * and configSource; v3 includeDocumentation and configType; v4 flexible.
 */
export const describeConfigsHandler = defineHandler({
  api: DescribeConfigsApi,
  minVersion: 0,
  maxVersion: 4,
  handle (request, context) {
    const { broker } = context
    const results = request.resources.map((resource) => {
      const base = { resourceType: resource.resourceType, resourceName: resource.resourceName }
      try {
        const denied = configResourceError(context, 'DESCRIBE_CONFIGS', resource.resourceType, resource.resourceName) // security/
        if (denied !== ErrorCode.NONE) throw new ApiError(denied, 'Authorization failed.')
        const target = resolveConfigResource(broker, resource.resourceType, resource.resourceName)
        let configs: DescribedConfig[]
        if (target.kind === 'topic') configs = describeTopicConfigs(target.topic.configs, broker.config, resource.configurationKeys)
        else configs = target.clusterDefault ? [] : describeBrokerConfigs(broker.config, resource.configurationKeys)
        return {
          ...base,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          configs: configs.map((config) => ({
            name: config.name,
            value: config.value,
            readOnly: config.readOnly,
            isDefault: target.kind === 'topic' ? config.source !== ConfigSource.TOPIC_CONFIG : config.source === ConfigSource.DEFAULT_CONFIG,
            configSource: config.source,
            isSensitive: config.isSensitive,
            synonyms: request.includeSynonyms ? config.synonyms : [],
            configType: config.configType,
            documentation: request.includeDocumentation ? config.documentation : null
          }))
        }
      } catch (error) {
        if (error instanceof ApiError) return { ...base, errorCode: error.errorCode, errorMessage: error.message, configs: [] }
        throw error
      }
    })
    return { throttleTimeMs: 0, results }
  }
})
