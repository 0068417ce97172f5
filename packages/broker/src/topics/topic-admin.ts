import { ErrorCode } from '@samsa/protocol'
import type { BrokerConfig } from '../config.js'
import { ApiError } from './api-error.js'
import { MAX_PARTITIONS_PER_TOPIC } from './topic-registry.js'

/**
 * Checks shared by CreateTopics and CreatePartitions, with Kafka's errors and messages, plus samsa's single-node
 * rules: explicit replica assignments are refused (there is one broker to assign), and a replication factor above
 * one is recorded unless replication.strict asks for Kafka's refusal.
 */
export const NO_ASSIGNMENTS_MESSAGE = 'samsa is a single broker and does not take explicit replica assignments: give numPartitions and replicationFactor (or -1 for the broker defaults) instead.'

export function resolvePartitions (requested: number, config: BrokerConfig): number {
  const partitions = requested === -1 ? config.numPartitions : requested
  if (partitions <= 0) throw new ApiError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.')
  if (partitions > MAX_PARTITIONS_PER_TOPIC) throw new ApiError(ErrorCode.INVALID_PARTITIONS, `Number of partitions ${partitions} exceeds samsa's limit of ${MAX_PARTITIONS_PER_TOPIC} per topic.`)
  return partitions
}

export function resolveReplicationFactor (requested: number, config: BrokerConfig): number {
  const factor = requested === -1 ? config.defaultReplicationFactor : requested
  if (factor <= 0) throw new ApiError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.')
  if (factor > 1 && config.replicationStrict) {
    throw new ApiError(ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${factor} time(s): The target replication factor of ${factor} cannot be reached because only 1 broker(s) are registered. (replication.strict=true)`)
  }
  return factor
}
