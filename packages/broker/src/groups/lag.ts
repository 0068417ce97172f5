import type { GroupCoordinator } from './group-coordinator.js'

/**
 * Consumer lag of a group, per partition it committed: log end offset − committed offset (never negative; a
 * partition whose topic is gone reports logEndOffset -1 and lag null). For the observability work (metrics,
 * an admin endpoint); cheap: one map walk, no I/O.
 */
export interface PartitionLag {
  topic: string
  partition: number
  committedOffset: number
  logEndOffset: number
  lag: number | null
}

export function lag (coordinator: GroupCoordinator, groupId: string): PartitionLag[] {
  return coordinator.store.all(groupId).map(({ topic, partition, value }) => {
    const log = coordinator.topics.get(topic)?.partitions[partition]
    if (log === undefined) return { topic, partition, committedOffset: value.offset, logEndOffset: -1, lag: null }
    return { topic, partition, committedOffset: value.offset, logEndOffset: log.logEndOffset, lag: Math.max(0, log.logEndOffset - Math.max(value.offset, 0)) }
  }).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
}
