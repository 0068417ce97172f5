/**
 * Partition sets of the consumer group protocol (KIP-848), keyed by topic id as on the wire: a member's current
 * assignment, its partitions pending revocation, its target assignment. Values are never mutated once built, so
 * members and groups can share them; the helpers return new maps.
 */
export type Assignment = ReadonlyMap<string, ReadonlySet<number>>

/** The wire form: ConsumerGroupHeartbeat's TopicPartitions (request's owned partitions, response's assignment). */
export interface TopicPartitions { topicId: string, partitions: number[] }

export const EMPTY_ASSIGNMENT: Assignment = new Map()

/** Builds an assignment, leaving out topics without partitions. */
export function assignmentOf (entries: Iterable<readonly [string, Iterable<number>]>): Assignment {
  const result = new Map<string, Set<number>>()
  for (const [topicId, partitions] of entries) {
    const set = result.get(topicId) ?? new Set<number>()
    for (const partition of partitions) set.add(partition)
    if (set.size > 0) result.set(topicId, set)
  }
  return result
}

export function sameAssignment (a: Assignment, b: Assignment): boolean {
  if (a === b) return true
  if (a.size !== b.size) return false
  for (const [topicId, partitions] of a) {
    const other = b.get(topicId)
    if (other === undefined || other.size !== partitions.size) return false
    for (const partition of partitions) if (!other.has(partition)) return false
  }
  return true
}

export function countPartitions (assignment: Assignment): number {
  let count = 0
  for (const partitions of assignment.values()) count += partitions.size
  return count
}

export function hasPartition (assignment: Assignment, topicId: string, partition: number): boolean {
  return assignment.get(topicId)?.has(partition) === true
}

/** Wire form with partitions in ascending order (stable answers, readable logs). */
export function toWire (assignment: Assignment): TopicPartitions[] {
  return [...assignment].map(([topicId, partitions]) => ({ topicId, partitions: [...partitions].sort((a, b) => a - b) }))
}

export function fromWire (list: readonly TopicPartitions[]): Assignment {
  return assignmentOf(list.map((entry) => [entry.topicId, entry.partitions] as const))
}

/** Every partition the member reports owning is in `assignment` (Kafka's isSubset; null owns nothing known). */
export function ownedIsSubset (owned: readonly TopicPartitions[] | null, assignment: Assignment): boolean {
  if (owned === null) return false
  return owned.every((entry) => entry.partitions.every((partition) => hasPartition(assignment, entry.topicId, partition)))
}

/** The member may still own one of `partitions`: it reported one of them, or did not report what it owns. */
export function stillOwnsAny (owned: readonly TopicPartitions[] | null, partitions: Assignment): boolean {
  if (owned === null) return true
  return owned.some((entry) => entry.partitions.some((partition) => hasPartition(partitions, entry.topicId, partition)))
}

/** "topicId-0,1,2; ..." for logs. */
export function describeAssignment (assignment: Assignment, nameOf: (topicId: string) => string = (id) => id): string {
  if (assignment.size === 0) return 'nothing'
  return toWire(assignment).map((entry) => `${nameOf(entry.topicId)}-[${entry.partitions.join(',')}]`).join(' ')
}
