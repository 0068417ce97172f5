import { ErrorCode } from '@samsa/protocol'
import type { CommitIdentity, Group, GroupDescription, OffsetExpiry } from '../group.js'
import { CONSUMER_PROTOCOL_TYPE } from '../consumer-protocol.js'
import { EMPTY_ASSIGNMENT, type Assignment } from './assignment.js'
import { isReconciledTo, type ConsumerMember } from './consumer-member.js'
import { memberTopics, type SubscriptionMetadata } from './subscriptions.js'

/**
 * A KIP-848 consumer group (ConsumerGroupHeartbeat): members, epochs, the target assignment and who owns which
 * partition. This module keeps the group's invariants; heartbeat.ts and consumer-runtime.ts drive it.
 *
 * Epochs: the group epoch is bumped whenever membership or subscriptions change; the target assignment is
 * recomputed for it on the next heartbeat (assignment epoch := group epoch); each member then reconciles to it
 * and takes the assignment epoch as its member epoch. State (as Kafka names it):
 *   Empty (no members) · Assigning (group epoch > assignment epoch) · Reconciling (some member not yet at the
 *   target) · Stable · Dead (deleted, converted or unloaded).
 *
 * Invariant: a partition is owned — assigned or pending revocation — by at most one member (`owners`).
 */
export interface MemberTimers { session: NodeJS.Timeout | null, rebalance: NodeJS.Timeout | null }

export class ConsumerGroup implements Group {
  readonly type = 'consumer' as const
  groupEpoch = 0
  assignmentEpoch = 0
  /** Subscribed topics as last resolved; a difference bumps the group epoch. */
  metadata: SubscriptionMetadata = new Map()
  /** Topics each subscribed pattern resolved to. */
  resolvedRegexes: ReadonlyMap<string, ReadonlySet<string>> = new Map()
  readonly timers = new Map<string, MemberTimers>()
  private readonly memberMap = new Map<string, ConsumerMember>()
  private readonly staticIds = new Map<string, string>()
  private readonly targets = new Map<string, Assignment>()
  /** topic id → partition → owning member */
  private readonly owners = new Map<string, Map<number, ConsumerMember>>()
  private dead = false

  constructor (readonly groupId: string, private readonly defaultAssignor: string) {}

  get members (): ReadonlyMap<string, ConsumerMember> { return this.memberMap }
  get size (): number { return this.memberMap.size }
  get stateName (): string {
    if (this.dead) return 'Dead'
    if (this.memberMap.size === 0) return 'Empty'
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning'
    for (const member of this.memberMap.values()) if (!isReconciledTo(member, this.assignmentEpoch)) return 'Reconciling'
    return 'Stable'
  }

  get protocolTypeName (): string { return CONSUMER_PROTOCOL_TYPE }
  get isEmpty (): boolean { return this.memberMap.size === 0 }
  get isDead (): boolean { return this.dead }

  staticMember (instanceId: string): ConsumerMember | undefined {
    const memberId = this.staticIds.get(instanceId)
    return memberId === undefined ? undefined : this.memberMap.get(memberId)
  }

  target (memberId: string): Assignment {
    return this.targets.get(memberId) ?? EMPTY_ASSIGNMENT
  }

  get targetAssignment (): ReadonlyMap<string, Assignment> { return this.targets }

  setTargetAssignment (epoch: number, targets: ReadonlyMap<string, Assignment>): void {
    this.targets.clear()
    for (const [memberId, assignment] of targets) this.targets.set(memberId, assignment)
    this.assignmentEpoch = epoch
  }

  /** The epoch of the member owning the partition, or -1 (Kafka's currentPartitionEpoch). */
  ownerEpoch (topicId: string, partition: number): number {
    return this.owners.get(topicId)?.get(partition)?.memberEpoch ?? -1
  }

  ownerOf (topicId: string, partition: number): string | undefined {
    return this.owners.get(topicId)?.get(partition)?.memberId
  }

  /** Adds or replaces a member; its partitions must not be owned by anybody else. */
  putMember (member: ConsumerMember): void {
    this.checkFree(member)
    const previous = this.memberMap.get(member.memberId)
    if (previous !== undefined) this.releasePartitions(previous)
    this.claimPartitions(member)
    this.memberMap.set(member.memberId, member)
    if (previous !== undefined && previous.instanceId !== null && previous.instanceId !== member.instanceId) this.staticIds.delete(previous.instanceId)
    if (member.instanceId !== null) this.staticIds.set(member.instanceId, member.memberId)
  }

  /** Removes a member: its partitions become free and its target goes. Timers are the runtime's business. */
  removeMember (memberId: string): ConsumerMember | undefined {
    const member = this.memberMap.get(memberId)
    if (member === undefined) return undefined
    this.releasePartitions(member)
    this.memberMap.delete(memberId)
    this.targets.delete(memberId)
    if (member.instanceId !== null && this.staticIds.get(member.instanceId) === memberId) this.staticIds.delete(member.instanceId)
    return member
  }

  /** One member's target (a static member rejoining under a new id inherits its predecessor's). */
  setMemberTarget (memberId: string, target: Assignment): void {
    this.targets.set(memberId, target)
  }

  /** Every topic a member subscribes to (by name or pattern). */
  subscribedTopicNames (members: Iterable<ConsumerMember> = this.memberMap.values()): Set<string> {
    const topics = new Set<string>()
    for (const member of members) for (const topic of memberTopics(member, this.resolvedRegexes)) topics.add(topic)
    return topics
  }

  /** The assignor members asked for most often (ties: alphabetical), else the broker's default. */
  preferredAssignor (members: Iterable<ConsumerMember> = this.memberMap.values()): string {
    const votes = new Map<string, number>()
    for (const member of members) if (member.serverAssignor !== null) votes.set(member.serverAssignor, (votes.get(member.serverAssignor) ?? 0) + 1)
    let best: string | null = null
    for (const [name, count] of [...votes].sort(([a], [b]) => a < b ? -1 : 1)) if (best === null || count > votes.get(best)!) best = name
    return best ?? this.defaultAssignor
  }

  // ── Group interface ──

  validateOffsetCommit (commit: CommitIdentity): number {
    if (this.dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    const epoch = commit.generationIdOrMemberEpoch
    // Admin tools and consumers outside group management may commit while nobody is a member.
    if (epoch < 0 && this.memberMap.size === 0) return ErrorCode.NONE
    const member = this.memberMap.get(commit.memberId)
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    const transactional = commit.transactional === true
    // Members of this protocol must use OffsetCommit v9+, which carries member epochs.
    if (!transactional && commit.apiVersion < 9) return ErrorCode.UNSUPPORTED_VERSION
    if (epoch !== member.memberEpoch) return transactional ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.STALE_MEMBER_EPOCH
    return ErrorCode.NONE
  }

  validateOffsetFetch (memberId: string | null, memberEpoch: number): number {
    if (this.dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE
    const member = memberId === null ? undefined : this.memberMap.get(memberId)
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    return memberEpoch === member.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH
  }

  offsetDeletion (): { errorCode: number } | { consumes: (topic: string) => boolean } {
    if (this.dead) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND }
    const topics = this.subscribedTopicNames()
    return { consumes: (topic) => topics.has(topic) }
  }

  /** Kafka: offsets of topics the group subscribes to never expire; others expire from their commit. */
  expiry (): OffsetExpiry {
    return { kind: 'since-commit', consumed: this.subscribedTopicNames() }
  }

  /** DescribeGroups (v0–5) does not describe consumer-protocol groups: Kafka answers Dead, without an error. */
  describe (): GroupDescription {
    return { state: 'Dead', protocolType: '', protocolData: '', members: [] }
  }

  dispose (): void {
    for (const timers of this.timers.values()) {
      if (timers.session !== null) clearTimeout(timers.session)
      if (timers.rebalance !== null) clearTimeout(timers.rebalance)
    }
    this.timers.clear()
    this.dead = true
  }

  get defaultAssignorName (): string { return this.defaultAssignor }

  /** A broken invariant is a bug: refuse the change (the request fails) rather than corrupt the group. */
  private checkFree (member: ConsumerMember): void {
    for (const assignment of [member.assigned, member.pendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        for (const partition of partitions) {
          const owner = this.ownerOf(topicId, partition)
          if (owner !== undefined && owner !== member.memberId) {
            throw new Error(`group ${this.groupId}: partition ${topicId}-${partition} is owned by ${owner}; cannot give it to ${member.memberId}`)
          }
        }
      }
    }
  }

  private claimPartitions (member: ConsumerMember): void {
    for (const assignment of [member.assigned, member.pendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        let byPartition = this.owners.get(topicId)
        if (byPartition === undefined) this.owners.set(topicId, byPartition = new Map())
        for (const partition of partitions) byPartition.set(partition, member)
      }
    }
  }

  private releasePartitions (member: ConsumerMember): void {
    for (const assignment of [member.assigned, member.pendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        const byPartition = this.owners.get(topicId)
        if (byPartition === undefined) continue
        for (const partition of partitions) if (byPartition.get(partition)?.memberId === member.memberId) byPartition.delete(partition)
        if (byPartition.size === 0) this.owners.delete(topicId)
      }
    }
  }
}
