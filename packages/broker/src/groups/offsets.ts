import { ErrorCode } from '@samsa/protocol'
import type { Logger } from '../logger.js'
import type { TopicRegistry } from '../topics/topic-registry.js'
import type { CommitIdentity, Group } from './group.js'
import type { GroupStore } from './store/group-store.js'
import type { CommittedOffset } from './store/records.js'

/**
 * OffsetCommit, OffsetFetch, OffsetDelete and offset expiry. The group validates who commits (generation or
 * member epoch); this module validates what is committed and owns the answer's durability: an OffsetCommit is
 * answered after the fdatasync that covers it (shared by every commit in flight: group commit), and an
 * OffsetFetch after every earlier write of that group is durable.
 */
export interface GroupDirectory {
  get: (groupId: string) => Group | undefined
  /** A group with no members and no protocol, for commits from outside group management. */
  createSimple: (groupId: string) => Group
  remove: (groupId: string) => void
}

export interface OffsetSettings {
  offsetMetadataMaxBytes: number
  offsetsRetentionMs: number
}

export interface CommitPartition { partitionIndex: number, committedOffset: number, committedLeaderEpoch: number, committedMetadata: string | null, commitTimestamp: number }
export interface CommitTopic { name: string, partitions: CommitPartition[] }
export interface TopicPartitionErrors { name: string, partitions: Array<{ partitionIndex: number, errorCode: number }> }
export interface FetchedPartition { partitionIndex: number, committedOffset: number, committedLeaderEpoch: number, metadata: string, errorCode: number }
export interface FetchedGroup { errorCode: number, topics: Array<{ name: string, partitions: FetchedPartition[] }> }

const NO_OFFSET: Omit<FetchedPartition, 'partitionIndex'> = { committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE }

export class CommittedOffsets {
  constructor (private readonly groups: GroupDirectory, private readonly store: GroupStore, private readonly topics: TopicRegistry, private readonly settings: OffsetSettings, private readonly logger: Logger, private readonly now: () => number) {}

  async commit (groupId: string, identity: CommitIdentity, topics: CommitTopic[], retentionTimeMs: number): Promise<TopicPartitionErrors[]> {
    const now = this.now()
    let groupError: number = ErrorCode.NONE
    // As in Kafka, the group is consulted only when some partition exists (unknown ones are answered first).
    if (topics.some((topic) => topic.partitions.some((partition) => this.exists(topic.name, partition.partitionIndex)))) {
      let group = this.groups.get(groupId)
      // No group: fine for a commit from outside group management, otherwise a member of a generation we lost
      // (from v9 Kafka says GROUP_ID_NOT_FOUND, which both protocols understand).
      if (group === undefined && identity.generationIdOrMemberEpoch < 0) group = this.groups.createSimple(groupId)
      const lost = identity.apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION
      groupError = group === undefined ? lost : group.validateOffsetCommit(identity)
    }
    let written = false
    const results = topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => {
        const answer = (errorCode: number): { partitionIndex: number, errorCode: number } => ({ partitionIndex: partition.partitionIndex, errorCode })
        if (!this.exists(topic.name, partition.partitionIndex)) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        if (groupError !== ErrorCode.NONE) return answer(groupError)
        const metadata = partition.committedMetadata ?? ''
        if (Buffer.byteLength(metadata) > this.settings.offsetMetadataMaxBytes) return answer(ErrorCode.OFFSET_METADATA_TOO_LARGE)
        const value: CommittedOffset = {
          offset: partition.committedOffset,
          leaderEpoch: partition.committedLeaderEpoch,
          metadata,
          commitTimestamp: partition.commitTimestamp >= 0 ? partition.commitTimestamp : now,
          expireTimestamp: retentionTimeMs >= 0 ? now + retentionTimeMs : -1
        }
        this.store.commit(groupId, topic.name, partition.partitionIndex, value)
        written = true
        return answer(ErrorCode.NONE)
      })
    }))
    if (!written) return results
    try {
      await this.store.durable(groupId)
    } catch (error) {
      this.logger.error(`group ${groupId}: offset commit not durable: ${(error as Error).message}`)
      for (const topic of results) {
        for (const partition of topic.partitions) if (partition.errorCode === ErrorCode.NONE) partition.errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE
      }
    }
    return results
  }

  /** Offsets of a committed transaction (TxnOffsetCommit): stored like an OffsetCommit, idempotently. */
  async commitTransactional (groupId: string, offsets: Array<{ topic: string, partition: number, offset: number, leaderEpoch: number, metadata: string | null }>): Promise<void> {
    if (this.groups.get(groupId) === undefined) this.groups.createSimple(groupId)
    const now = this.now()
    for (const entry of offsets) {
      this.store.commit(groupId, entry.topic, entry.partition, { offset: entry.offset, leaderEpoch: entry.leaderEpoch, metadata: entry.metadata ?? '', commitTimestamp: now, expireTimestamp: -1 })
    }
    await this.store.durable(groupId)
  }

  /**
   * Committed offsets of the given partitions (-1 and empty metadata where none), or of every partition the
   * group committed when `topics` is null.
   */
  async fetch (groupId: string, topics: Array<{ name: string, partitionIndexes: number[] }> | null, member: { memberId: string | null, memberEpoch: number } = { memberId: null, memberEpoch: -1 }): Promise<FetchedGroup> {
    const group = this.groups.get(groupId)
    if (group !== undefined) {
      const errorCode = group.validateOffsetFetch(member.memberId, member.memberEpoch)
      if (errorCode !== ErrorCode.NONE) return { errorCode, topics: [] }
    }
    const read = (topic: string, partitionIndex: number): FetchedPartition => {
      const value = this.store.get(groupId, topic, partitionIndex)
      if (value === undefined) return { partitionIndex, ...NO_OFFSET }
      return { partitionIndex, committedOffset: value.offset, committedLeaderEpoch: value.leaderEpoch, metadata: value.metadata, errorCode: ErrorCode.NONE }
    }
    let result: FetchedGroup
    if (topics === null) {
      const byTopic = new Map<string, FetchedPartition[]>()
      for (const { topic, partition } of this.store.all(groupId)) {
        let partitions = byTopic.get(topic)
        if (partitions === undefined) byTopic.set(topic, partitions = [])
        partitions.push(read(topic, partition))
      }
      result = { errorCode: ErrorCode.NONE, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) }
    } else {
      result = { errorCode: ErrorCode.NONE, topics: topics.map((topic) => ({ name: topic.name, partitions: topic.partitionIndexes.map((index) => read(topic.name, index)) })) }
    }
    try {
      await this.store.durable(groupId)
    } catch {
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] }
    }
    return result
  }

  /** OffsetDelete: removes offsets of partitions the group does not consume. */
  async delete (groupId: string, topics: Array<{ name: string, partitions: number[] }>): Promise<{ errorCode: number, topics: TopicPartitionErrors[] }> {
    const group = this.groups.get(groupId)
    if (group === undefined) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] }
    const decision = group.offsetDeletion()
    if ('errorCode' in decision) return { errorCode: decision.errorCode, topics: [] }
    const results = topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partitionIndex) => {
        if (!this.exists(topic.name, partitionIndex)) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
        if (decision.consumes(topic.name)) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }
        if (this.store.get(groupId, topic.name, partitionIndex) !== undefined) this.store.deleteOffset(groupId, topic.name, partitionIndex)
        return { partitionIndex, errorCode: ErrorCode.NONE }
      })
    }))
    await this.store.durable(groupId).catch(() => {})
    return { errorCode: ErrorCode.NONE, topics: results }
  }

  /**
   * offsets.retention.minutes: drops expired offsets, then removes empty groups left without offsets (Kafka's
   * cleanup). An empty group's offsets count from when it became empty or from their commit, whichever is later.
   */
  expire (allGroups: Iterable<Group>): number {
    const retention = this.settings.offsetsRetentionMs
    const now = this.now()
    let removed = 0
    for (const group of [...allGroups]) {
      const policy = group.expiry()
      if (policy.kind !== 'none' && retention >= 0) {
        for (const { topic, partition, value } of this.store.all(group.groupId)) {
          if (policy.kind === 'since-commit' && policy.consumed.has(topic)) continue
          const base = policy.kind === 'since-empty' && policy.since !== null ? Math.max(policy.since, value.commitTimestamp) : value.commitTimestamp
          const expired = value.expireTimestamp >= 0 ? now >= value.expireTimestamp : now - base >= retention
          if (!expired) continue
          this.store.deleteOffset(group.groupId, topic, partition)
          removed += 1
        }
      }
      if (group.isEmpty && !this.store.hasOffsets(group.groupId)) {
        this.logger.info(`group ${group.groupId}: empty and without offsets; removing it`)
        this.groups.remove(group.groupId)
      }
    }
    return removed
  }

  private exists (topic: string, partition: number): boolean {
    return this.topics.get(topic)?.partitions[partition] !== undefined
  }
}
