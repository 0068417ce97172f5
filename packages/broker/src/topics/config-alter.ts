import { ErrorCode } from '@samsa/protocol'
import type { BrokerContext } from '../handlers/types.js'
import { ApiError } from './api-error.js'
import { NO_DYNAMIC_BROKER_CONFIGS, duplicateResources, resolveConfigResource, resourceKey } from './config-resources.js'
import { splitList } from './config-values.js'
import { TOPIC_CONFIGS, checkTopicConfigs, normalizeTopicConfig, normalizeTopicConfigs, topicConfigValue } from './topic-configs.js'

/**
 * The shared core of AlterConfigs (replace a topic's whole override set) and IncrementalAlterConfigs
 * (SET / DELETE / APPEND / SUBTRACT per key). For each resource the new override set is computed and validated
 * completely before anything changes — a resource either gets all of its changes or none — then persisted and
 * applied to the topic's open logs unless validateOnly. Broker resources: samsa has no dynamic configs.
 */
export const AlterOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const

interface Resource { resourceType: number, resourceName: string }
export interface ResourceResult { resourceType: number, resourceName: string, errorCode: number, errorMessage: string | null }

export function alterResources<R extends Resource> (
  broker: BrokerContext,
  resources: readonly R[],
  validateOnly: boolean,
  newOverrides: (resource: R, current: Readonly<Record<string, string>>) => Record<string, string>,
  isEmpty: (resource: R) => boolean
): ResourceResult[] {
  const duplicates = duplicateResources(resources)
  return resources.map((resource) => {
    const base = { resourceType: resource.resourceType, resourceName: resource.resourceName }
    try {
      if (duplicates.has(resourceKey(resource))) throw new ApiError(ErrorCode.INVALID_REQUEST, 'Duplicate resource.')
      const target = resolveConfigResource(broker, resource.resourceType, resource.resourceName)
      if (target.kind === 'broker') {
        if (!isEmpty(resource)) throw new ApiError(ErrorCode.INVALID_CONFIG, NO_DYNAMIC_BROKER_CONFIGS)
      } else {
        const overrides = newOverrides(resource, target.topic.configs)
        checkTopicConfigs(overrides, broker.config)
        if (!validateOnly) broker.topics.setConfigs(target.topic, overrides)
      }
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null }
    } catch (error) {
      if (error instanceof ApiError) return { ...base, errorCode: error.errorCode, errorMessage: error.message }
      throw error
    }
  })
}

/** AlterConfigs: the given entries become the whole override set; null values are dropped, as Kafka does. */
export function replacedOverrides (entries: ReadonlyArray<{ name: string, value: string | null }>, broker: BrokerContext): Record<string, string> {
  return normalizeTopicConfigs(entries.filter((entry) => entry.value !== null), broker.config)
}

/** IncrementalAlterConfigs: applies each operation to a copy of the current overrides. */
export function incrementedOverrides (
  operations: ReadonlyArray<{ name: string, configOperation: number, value: string | null }>,
  current: Readonly<Record<string, string>>,
  broker: BrokerContext
): Record<string, string> {
  const names = new Set<string>()
  for (const { name } of operations) {
    if (names.has(name)) throw new ApiError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys: ${name}`)
    names.add(name)
  }
  const next: Record<string, string> = { ...current }
  for (const { name, configOperation, value } of operations) {
    const spec = TOPIC_CONFIGS[name]
    if (spec === undefined) throw new ApiError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`)
    switch (configOperation) {
      case AlterOp.SET:
        next[name] = normalizeTopicConfig(name, value)
        break
      case AlterOp.DELETE:
        delete next[name]
        break
      case AlterOp.APPEND:
      case AlterOp.SUBTRACT: {
        const verb = configOperation === AlterOp.APPEND ? 'append' : 'subtract'
        if (spec.kind !== 'list') throw new ApiError(ErrorCode.INVALID_CONFIG, `Config value ${verb} is not allowed for config key: ${name}`)
        if (value === null) throw new ApiError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic config: ${name}`)
        const before = splitList(topicConfigValue(name, next, broker.config))
        const given = splitList(value)
        const after = configOperation === AlterOp.APPEND
          ? [...new Set([...before, ...given])]
          : before.filter((item) => !given.includes(item))
        next[name] = normalizeTopicConfig(name, after.join(','))
        break
      }
      default:
        throw new ApiError(ErrorCode.INVALID_REQUEST, `Unknown operation type ${configOperation} for config key: ${name}`)
    }
  }
  return next
}
