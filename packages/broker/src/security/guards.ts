import { ErrorCode } from '@samsa/protocol'
import type { RequestContext } from '../handlers/types.js'
import type { FetchedGroup } from '../groups/offsets.js'
import type { OperationName } from './acl.js'
import { authorize, authorizeAny, authorizeCluster, authorizeFilter } from './authorize.js'

/**
 * Authorization decisions that several request handlers share, so each handler needs one small call. All of them
 * return the "nothing refused" answer after one boolean test when no authorizer (or audit) is configured.
 */

/** The topics of a request the principal may not use; null when every topic is allowed (the fast path). */
export function refusedTopics<T> (context: RequestContext, operation: OperationName, topics: readonly T[], nameOf: (topic: T) => string | null | undefined): Set<T> | null {
  if (!context.broker.security.checks) return null
  let refused: Set<T> | null = null
  for (const topic of topics) {
    const name = nameOf(topic)
    // Unknown topic ids have no name to check: the handler answers UNKNOWN_TOPIC_ID for them as usual.
    if (name !== undefined && name !== null && !authorize(context, operation, 'TOPIC', name)) (refused ??= new Set()).add(topic)
  }
  return refused
}

/** Per-partition replies for refused topics: `{ name, partitions: [{ partitionIndex, errorCode, ...extra }] }`. */
export function refusedTopicReplies<T> (refused: Set<T> | null, nameOf: (topic: T) => Record<string, unknown>, partitionsOf: (topic: T) => readonly number[], errorCode: number, extra: Record<string, unknown> = {}, indexField = 'partitionIndex'): Array<Record<string, unknown>> {
  if (refused === null) return []
  return [...refused].map((topic) => ({ ...nameOf(topic), partitions: partitionsOf(topic).map((index) => ({ [indexField]: index, errorCode, ...extra })) }))
}

/**
 * Metadata for one named topic: TOPIC_AUTHORIZATION_FAILED without DESCRIBE (whether or not it exists, so
 * names do not leak), or when it would be auto-created without CREATE on the cluster or the topic.
 */
export function metadataTopicError (context: RequestContext, name: string, exists: boolean, autoCreate: boolean): number {
  if (!context.broker.security.checks) return ErrorCode.NONE
  if (!authorize(context, 'DESCRIBE', 'TOPIC', name)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED
  if (!exists && autoCreate && !mayCreateTopic(context, name)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED
  return ErrorCode.NONE
}

/**
 * CREATE on the topic or on the cluster (Kafka accepts either). The topic is asked first so the audit trail names
 * it; a refusal is recorded once, against the topic.
 */
export function mayCreateTopic (context: RequestContext, name: string): boolean {
  if (!context.broker.security.checks) return true
  if (authorizeFilter(context, 'CREATE', 'TOPIC', name) || authorizeFilter(context, 'CREATE', 'CLUSTER', 'kafka-cluster')) return true
  return authorize(context, 'CREATE', 'TOPIC', name)
}

/** For listings: whether the principal may see this topic (no denial audit). */
export function mayDescribeTopic (context: RequestContext, name: string): boolean {
  return authorizeFilter(context, 'DESCRIBE', 'TOPIC', name)
}

/** For group listings: everything with DESCRIBE on the cluster, else the groups the principal may DESCRIBE. */
export function groupLister (context: RequestContext): (groupId: string) => boolean {
  if (!context.broker.security.checks || authorizeFilter(context, 'DESCRIBE', 'CLUSTER', 'kafka-cluster')) return () => true
  return (groupId) => authorizeFilter(context, 'DESCRIBE', 'GROUP', groupId)
}

/** An empty group id or transactional id is left to the handler's own validation (INVALID_GROUP_ID, INVALID_REQUEST). */
export function groupError (context: RequestContext, operation: OperationName, groupId: string): number {
  if (groupId === '') return ErrorCode.NONE
  return authorize(context, operation, 'GROUP', groupId) ? ErrorCode.NONE : ErrorCode.GROUP_AUTHORIZATION_FAILED
}

export function transactionalIdError (context: RequestContext, operation: OperationName, transactionalId: string | null): number {
  if (transactionalId === null || transactionalId === '') return ErrorCode.NONE
  return authorize(context, operation, 'TRANSACTIONAL_ID', transactionalId) ? ErrorCode.NONE : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
}

export function clusterError (context: RequestContext, operation: OperationName): number {
  return authorizeCluster(context, operation) ? ErrorCode.NONE : ErrorCode.CLUSTER_AUTHORIZATION_FAILED
}

/**
 * InitProducerId: WRITE on the transactional id, or for an idempotent producer IDEMPOTENT_WRITE on the cluster or
 * WRITE on at least one topic (Kafka ≥ 2.8, KIP-679).
 */
export function initProducerIdError (context: RequestContext, transactionalId: string | null): number {
  if (transactionalId !== null) return transactionalIdError(context, 'WRITE', transactionalId)
  if (!context.broker.security.checks) return ErrorCode.NONE
  if (authorizeFilter(context, 'IDEMPOTENT_WRITE', 'CLUSTER', 'kafka-cluster') || authorizeAny(context, 'WRITE', 'TOPIC')) return ErrorCode.NONE
  return clusterError(context, 'IDEMPOTENT_WRITE')
}

/** Config resources: topics need `operation` on the topic, the broker (and its loggers) on the cluster. */
export function configResourceError (context: RequestContext, operation: OperationName, resourceType: number, resourceName: string): number {
  if (!context.broker.security.checks) return ErrorCode.NONE
  if (resourceType === TOPIC_RESOURCE) return authorize(context, operation, 'TOPIC', resourceName) ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED
  return clusterError(context, operation)
}
const TOPIC_RESOURCE = 2

/**
 * Runs an alter-configs style operation on the resources the principal may change and answers the others with
 * their authorization error, keeping the request's order.
 */
export function withConfigAuthorization<R extends { resourceType: number, resourceName: string }, T> (context: RequestContext, operation: OperationName, resources: readonly R[], run: (allowed: R[]) => T[], refusedReply: (resource: R, errorCode: number) => T): T[] {
  if (!context.broker.security.checks) return run([...resources])
  const errors = resources.map((resource) => configResourceError(context, operation, resource.resourceType, resource.resourceName))
  const results = run(resources.filter((_resource, index) => errors[index] === ErrorCode.NONE))
  let next = 0
  return resources.map((resource, index) => errors[index] === ErrorCode.NONE ? results[next++]! : refusedReply(resource, errors[index]!))
}

/**
 * OffsetFetch: nothing without DESCRIBE on the group; topics without DESCRIBE are TOPIC_AUTHORIZATION_FAILED when
 * asked for by name, and left out of an "all topics" answer.
 */
export function guardOffsetFetch (context: RequestContext, groupId: string, requested: readonly unknown[] | null, fetched: FetchedGroup): FetchedGroup {
  if (!context.broker.security.checks) return fetched
  const denied = groupError(context, 'DESCRIBE', groupId)
  if (denied !== ErrorCode.NONE) return { errorCode: denied, topics: [] }
  const topics = fetched.topics.flatMap((topic) => {
    if (requested === null) return authorizeFilter(context, 'DESCRIBE', 'TOPIC', topic.name) ? [topic] : []
    if (authorize(context, 'DESCRIBE', 'TOPIC', topic.name)) return [topic]
    return [{ name: topic.name, partitions: topic.partitions.map((partition) => ({ ...partition, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) }]
  })
  return { ...fetched, topics }
}

/** Partition errors for every partition of the given topics (a refused group or topic in offset requests). */
export function partitionErrors<T extends { name: string, partitions: ReadonlyArray<{ partitionIndex: number }> }> (topics: Iterable<T>, errorCode: number): Array<{ name: string, partitions: Array<{ partitionIndex: number, errorCode: number }> }> {
  return [...topics].map((topic) => ({ name: topic.name, partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode })) }))
}

/**
 * AddPartitionsToTxn: without WRITE on the transactional id every partition fails with
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED; otherwise partitions of topics without WRITE fail with
 * TOPIC_AUTHORIZATION_FAILED and the others with OPERATION_NOT_ATTEMPTED (nothing is added). Null: all allowed.
 */
export function addPartitionsRefusal (context: RequestContext, transactionalId: string, topics: ReadonlyArray<{ name: string, partitions: number[] }>): Array<{ name: string, resultsByPartition: Array<{ partitionIndex: number, partitionErrorCode: number }> }> | null {
  if (!context.broker.security.checks) return null
  const txnDenied = transactionalIdError(context, 'WRITE', transactionalId)
  let codeOf: (name: string) => number
  if (txnDenied !== ErrorCode.NONE) {
    codeOf = () => txnDenied
  } else {
    const refused = refusedTopics(context, 'WRITE', topics, (topic) => topic.name)
    if (refused === null) return null
    const names = new Set([...refused].map((topic) => topic.name))
    codeOf = (name) => names.has(name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED
  }
  return topics.map((topic) => ({ name: topic.name, resultsByPartition: topic.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: codeOf(topic.name) })) }))
}
