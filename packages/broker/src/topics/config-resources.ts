import { ErrorCode } from '@samsa/protocol'
import type { BrokerContext } from '../handlers/types.js'
import { ApiError } from './api-error.js'
import { ResourceType } from './config-describe.js'
import type { Topic } from './topic-registry.js'

/**
 * Resolves the resource of a Describe/Alter/IncrementalAlterConfigs entry, with Kafka's errors: a topic that does
 * not exist is UNKNOWN_TOPIC_OR_PARTITION, an illegal topic name INVALID_TOPIC_EXCEPTION, a broker id other than
 * ours INVALID_REQUEST; "" names the cluster-wide broker defaults. Other resource types are INVALID_REQUEST.
 */
export type ConfigResource =
  | { kind: 'topic', topic: Topic }
  | { kind: 'broker', clusterDefault: boolean }

export function resolveConfigResource (broker: BrokerContext, resourceType: number, resourceName: string): ConfigResource {
  if (resourceType === ResourceType.TOPIC) {
    const problem = broker.topics.nameProblem(resourceName)
    if (problem !== null) throw new ApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem)
    const topic = broker.topics.get(resourceName)
    if (topic === undefined) throw new ApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${resourceName}' does not exist.`)
    return { kind: 'topic', topic }
  }
  if (resourceType === ResourceType.BROKER) {
    if (resourceName === '') return { kind: 'broker', clusterDefault: true }
    if (!/^-?\d+$/.test(resourceName)) throw new ApiError(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${resourceName}`)
    if (Number(resourceName) !== broker.nodeId) throw new ApiError(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.nodeId}, but received ${resourceName}`)
    return { kind: 'broker', clusterDefault: false }
  }
  if (resourceType === ResourceType.BROKER_LOGGER) throw new ApiError(ErrorCode.INVALID_REQUEST, 'samsa has no per-logger levels (set SAMSA_LOG_LEVEL instead).')
  throw new ApiError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceType}`)
}

/** Kafka answers each resource of a request at most once; a resource named twice is INVALID_REQUEST. */
export function duplicateResources (resources: ReadonlyArray<{ resourceType: number, resourceName: string }>): Set<string> {
  const seen = new Set<string>()
  const duplicates = new Set<string>()
  for (const { resourceType, resourceName } of resources) {
    const key = `${resourceType}:${resourceName}`
    if (seen.has(key)) duplicates.add(key)
    seen.add(key)
  }
  return duplicates
}

export function resourceKey (resource: { resourceType: number, resourceName: string }): string {
  return `${resource.resourceType}:${resource.resourceName}`
}

export const NO_DYNAMIC_BROKER_CONFIGS = 'samsa has no dynamic broker configs: set the keys in server.properties (or SAMSA_* variables, --set flags) and restart the broker.'
