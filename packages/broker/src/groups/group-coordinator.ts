import { ErrorCode } from '@samsa/protocol'
import type { BrokerConfig } from '../config.js'
import type { Logger } from '../logger.js'
import type { TopicRegistry } from '../topics/topic-registry.js'
import type { TxnOffsetSink } from '../transactions/index.js'
import { StorageError } from '../errors.js'
import type { Group, GroupDescription, GroupType } from './group.js'
import { ClassicGroup } from './classic/classic-group.js'
import { joinError, syncError, type JoinResult, type SyncResult } from './classic/classic-member.js'
import { CLASSIC_GROUP_TYPE, decodeClassicGroup, encodeClassicGroup } from './classic/classic-record.js'
import { joinClassicGroup, type JoinRequest } from './classic/join.js'
import { heartbeatClassicGroup, leaveClassicGroup, syncClassicGroup, type LeavingMember, type SyncRequest } from './classic/membership.js'
import { ClassicRebalance } from './classic/rebalance.js'
import { CommittedOffsets } from './offsets.js'
import { CONSUMER_GROUP_TYPE, ConsumerGroup, ConsumerRuntime, decodeConsumerGroup, describeConsumerGroup, encodeConsumerGroup, heartbeatConsumerGroup, heartbeatError, leaveConsumerGroup, validateHeartbeat, LEAVE_EPOCH, STATIC_LEAVE_EPOCH, type DescribedConsumerGroup, type HeartbeatRequest, type HeartbeatResult } from './consumer/index.js'
import { GroupStore } from './store/group-store.js'
import type { JournalOptions } from './store/journal.js'

/**
 * The group coordinator: sole owner of every consumer group (one map, one group per id whatever its type) and,
 * through its GroupStore, of committed offsets. Handlers call it; it never sees the protocol's byte layout.
 *
 * Everything runs on the event loop, so a group's state changes are atomic; the only waits are for fsyncs, after
 * which a continuation re-checks the group's state and generation (as Kafka does after its log appends).
 */
export interface CoordinatorOptions {
  journal?: JournalOptions
  now?: () => number
}

/** Group types a persisted record may have, and how to bring each back. More types register here. */
type GroupLoader = (groupId: string, body: Buffer) => Group

export class GroupCoordinator {
  readonly offsets: CommittedOffsets
  private readonly groups = new Map<string, Group>()
  private readonly classic: ClassicRebalance
  private readonly consumer: ConsumerRuntime
  private readonly loaders = new Map<string, GroupLoader>()
  private readonly now: () => number
  private expiryTimer: NodeJS.Timeout | null = null
  private state: 'open' | 'closing' | 'closed' = 'open'

  private constructor (private readonly config: BrokerConfig, readonly store: GroupStore, readonly topics: TopicRegistry, private readonly logger: Logger, options: CoordinatorOptions) {
    this.now = options.now ?? Date.now
    this.classic = new ClassicRebalance({
      settings: { initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs },
      logger,
      now: this.now,
      persist: async (group, assignments) => await this.persistClassic(group, assignments)
    })
    this.offsets = new CommittedOffsets({
      get: (groupId) => this.groups.get(groupId),
      createSimple: (groupId) => this.createClassic(groupId),
      remove: (groupId) => this.remove(groupId)
    }, store, topics, config, logger, this.now)
    this.consumer = new ConsumerRuntime({
      settings: {
        sessionTimeoutMs: config.groupConsumerSessionTimeoutMs,
        heartbeatIntervalMs: config.groupConsumerHeartbeatIntervalMs,
        maxSize: config.groupConsumerMaxSize,
        assignors: config.groupConsumerAssignors.split(',')
      },
      logger,
      now: this.now,
      topics,
      persist: async (group) => await this.persistConsumer(group)
    })
    this.loaders.set(CONSUMER_GROUP_TYPE, (groupId, body) => {
      const group = decodeConsumerGroup(groupId, body, this.consumer.defaultAssignor)
      this.consumer.restore(group)
      return group
    })
    this.loaders.set(CLASSIC_GROUP_TYPE, (groupId, body) => {
      const group = decodeClassicGroup(groupId, body, this.classic.hooks)
      for (const member of group.members.values()) this.classic.heartbeat(group, member)
      return group
    })
  }

  static async open (config: BrokerConfig, topics: TopicRegistry, logger: Logger, options: CoordinatorOptions = {}): Promise<GroupCoordinator> {
    const store = await GroupStore.open(config.dataDir, logger, options.journal)
    const coordinator = new GroupCoordinator(config, store, topics, logger, options)
    coordinator.load()
    const interval = config.offsetsRetentionCheckIntervalMs
    if (interval > 0 && interval < 2 ** 31) {
      coordinator.expiryTimer = setInterval(() => coordinator.expireOffsets(), interval)
      coordinator.expiryTimer.unref()
    }
    return coordinator
  }

  /** The hook the transaction coordinator uses for TxnOffsetCommit (validation) and EndTxn (commit). */
  readonly txnOffsetSink: TxnOffsetSink = {
    validateMember: (groupId, generationId, memberId, groupInstanceId) => {
      const group = this.groups.get(groupId) ?? this.createClassic(groupId)
      return group.validateOffsetCommit({ memberId, groupInstanceId, generationIdOrMemberEpoch: generationId, apiVersion: -1, transactional: true })
    },
    commitOffsets: async (groupId, offsets) => await this.offsets.commitTransactional(groupId, offsets)
  }

  get (groupId: string): Group | undefined {
    return this.groups.get(groupId)
  }

  all (): Group[] {
    return [...this.groups.values()]
  }

  // ── classic protocol ──

  async joinGroup (groupId: string, request: JoinRequest): Promise<JoinResult> {
    if (groupId === '') return joinError(request.memberId, ErrorCode.INVALID_GROUP_ID)
    if (this.state !== 'open') return joinError(request.memberId, ErrorCode.NOT_COORDINATOR)
    if (request.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || request.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return joinError(request.memberId, ErrorCode.INVALID_SESSION_TIMEOUT)
    }
    let group = this.groups.get(groupId)
    if (group === undefined) {
      // A member id for a group we do not know: the member must start over.
      if (request.memberId !== '') return joinError(request.memberId, ErrorCode.UNKNOWN_MEMBER_ID)
      group = this.createClassic(groupId)
    }
    if (group instanceof ConsumerGroup) {
      // Kafka converts an empty consumer-protocol group into a classic one (its offsets stay). Joining a group
      // with consumer-protocol members is refused: samsa does not run mixed-protocol groups (docs/differences.md).
      if (!group.isEmpty) return joinError(request.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
      if (request.memberId !== '') return joinError(request.memberId, ErrorCode.UNKNOWN_MEMBER_ID)
      group = this.replaceWithClassic(group)
    }
    if (!(group instanceof ClassicGroup)) return joinError(request.memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    return await joinClassicGroup(this.classic, group, request, this.config.groupMaxSize)
  }

  async syncGroup (groupId: string, request: SyncRequest): Promise<SyncResult> {
    const found = this.classicGroup(groupId)
    if (typeof found === 'number') return syncError(found)
    return await syncClassicGroup(this.classic, found, request)
  }

  heartbeat (groupId: string, request: { memberId: string, groupInstanceId: string | null, generationId: number }): number {
    const found = this.classicGroup(groupId)
    return typeof found === 'number' ? found : heartbeatClassicGroup(this.classic, found, request)
  }

  /** A group-level error code, and per-member codes when the group was found. */
  leaveGroup (groupId: string, members: LeavingMember[]): { errorCode: number, members: number[] } {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] }
    const group = this.groups.get(groupId)
    if (group === undefined) return { errorCode: ErrorCode.NONE, members: members.map(() => ErrorCode.UNKNOWN_MEMBER_ID) }
    if (!(group instanceof ClassicGroup)) return { errorCode: ErrorCode.NONE, members: members.map(() => ErrorCode.UNKNOWN_MEMBER_ID) }
    if (group.isDead) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] }
    return { errorCode: ErrorCode.NONE, members: leaveClassicGroup(this.classic, group, members) }
  }

  // ── consumer protocol (KIP-848) ──

  /** ConsumerGroupHeartbeat: join (epoch 0), heartbeat, leave (-1) or leave for a while (static, -2). */
  async consumerGroupHeartbeat (request: HeartbeatRequest): Promise<HeartbeatResult> {
    if (this.state !== 'open') return heartbeatError(ErrorCode.NOT_COORDINATOR)
    const invalid = validateHeartbeat(request, this.consumer.settings.assignors)
    if (invalid !== null) return invalid
    let group = this.groups.get(request.groupId)
    if (request.memberEpoch === 0) {
      if (group === undefined) group = this.createConsumer(request.groupId)
      // An empty classic group (or one that only holds offsets) becomes a consumer group, as in Kafka.
      else if (group instanceof ClassicGroup && group.isEmpty) group = this.replaceWithConsumer(group)
    }
    if (group === undefined || group.isDead) return heartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${request.groupId} not found.`)
    if (!(group instanceof ConsumerGroup)) return heartbeatError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${request.groupId} is not a consumer group.`)
    if (request.memberEpoch === LEAVE_EPOCH || request.memberEpoch === STATIC_LEAVE_EPOCH) return await leaveConsumerGroup(this.consumer, group, request)
    return await heartbeatConsumerGroup(this.consumer, group, request)
  }

  /** ConsumerGroupDescribe: GROUP_ID_NOT_FOUND for unknown groups and groups of the classic protocol. */
  consumerGroupDescribe (groupId: string): { errorCode: number, errorMessage: string | null, group: DescribedConsumerGroup | null } {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, errorMessage: null, group: null }
    const group = this.groups.get(groupId)
    if (group === undefined || group.isDead) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.`, group: null }
    if (!(group instanceof ConsumerGroup)) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a consumer group.`, group: null }
    return { errorCode: ErrorCode.NONE, errorMessage: null, group: describeConsumerGroup(group, this.topics) }
  }

  // ── administration ──

  /** DescribeGroups: an unknown group is described as Dead with no error, as Kafka does up to v5. */
  describe (groupId: string): GroupDescription {
    const group = this.groups.get(groupId)
    if (group === undefined) return { state: 'Dead', protocolType: '', protocolData: '', members: [] }
    return group.describe()
  }

  /** ListGroups; filters are case-insensitive and empty filters match everything. */
  list (states: string[], types: string[]): Array<{ groupId: string, protocolType: string, state: string, type: GroupType }> {
    const wantedStates = new Set(states.map((state) => state.toLowerCase()))
    const wantedTypes = new Set(types.map((type) => type.toLowerCase()))
    return this.all()
      .filter((group) => !group.isDead)
      .filter((group) => wantedStates.size === 0 || wantedStates.has(group.stateName.toLowerCase()))
      .filter((group) => wantedTypes.size === 0 || wantedTypes.has(group.type))
      .map((group) => ({ groupId: group.groupId, protocolType: group.protocolTypeName, state: group.stateName, type: group.type }))
  }

  /** DeleteGroups: only groups without members; their offsets go with them. */
  async deleteGroups (groupIds: string[]): Promise<number[]> {
    const results = groupIds.map((groupId) => {
      const group = this.groups.get(groupId)
      if (group === undefined || group.isDead) return ErrorCode.GROUP_ID_NOT_FOUND
      if (!group.isEmpty) return ErrorCode.NON_EMPTY_GROUP
      this.remove(groupId)
      return ErrorCode.NONE
    })
    await Promise.all(groupIds.map(async (groupId) => await this.store.durable(groupId).catch(() => {})))
    return results
  }

  /** Runs offset expiry now (also run every offsets.retention.check.interval.ms). */
  expireOffsets (): number {
    if (this.state !== 'open') return 0
    return this.offsets.expire(this.groups.values())
  }

  async close (): Promise<void> {
    if (this.state !== 'open') return
    this.state = 'closing'
    if (this.expiryTimer !== null) clearInterval(this.expiryTimer)
    for (const group of this.groups.values()) group.dispose()
    this.groups.clear()
    await this.store.close()
    this.state = 'closed'
  }

  // ── internals ──

  private classicGroup (groupId: string): ClassicGroup | number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID
    const group = this.groups.get(groupId)
    if (group === undefined || !(group instanceof ClassicGroup)) return ErrorCode.UNKNOWN_MEMBER_ID
    return group
  }

  private createClassic (groupId: string): ClassicGroup {
    const group = new ClassicGroup(groupId, this.classic.hooks, this.now())
    this.groups.set(groupId, group)
    return group
  }

  private createConsumer (groupId: string): ConsumerGroup {
    const group = new ConsumerGroup(groupId, this.consumer.defaultAssignor)
    this.groups.set(groupId, group)
    return group
  }

  /** An empty group changes protocol: the old one is released; committed offsets (stored by group id) stay. */
  private replaceWithConsumer (old: ClassicGroup): ConsumerGroup {
    old.dispose()
    this.logger.info(`group ${old.groupId}: empty classic group converted to a consumer group`)
    return this.createConsumer(old.groupId)
  }

  private replaceWithClassic (old: ConsumerGroup): ClassicGroup {
    old.dispose()
    this.logger.info(`group ${old.groupId}: empty consumer group converted to a classic group`)
    const group = this.createClassic(old.groupId)
    // The journal must not bring the consumer group back after a restart.
    this.store.putGroup(group.groupId, CLASSIC_GROUP_TYPE, encodeClassicGroup(group, new Map()))
    return group
  }

  private async persistConsumer (group: ConsumerGroup): Promise<void> {
    if (this.state !== 'open' || this.groups.get(group.groupId) !== group) throw new Error('group is no longer hosted here')
    await this.store.waitDurable(this.store.putGroup(group.groupId, CONSUMER_GROUP_TYPE, encodeConsumerGroup(group)))
  }

  /** Deletes a group for good: pending requests answered, timers stopped, metadata and offsets tombstoned. */
  private remove (groupId: string): void {
    const group = this.groups.get(groupId)
    if (group === undefined) return
    group.dispose()
    this.groups.delete(groupId)
    this.store.deleteGroup(groupId)
  }

  private async persistClassic (group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>): Promise<void> {
    if (this.state !== 'open' || this.groups.get(group.groupId) !== group) throw new Error('group is no longer hosted here')
    await this.store.waitDurable(this.store.putGroup(group.groupId, CLASSIC_GROUP_TYPE, encodeClassicGroup(group, assignments)))
  }

  private load (): void {
    for (const { groupId, groupType, body } of this.store.persistedGroups()) {
      const loader = this.loaders.get(groupType)
      if (loader === undefined) throw new StorageError(`group ${groupId} has type "${groupType}", which this broker cannot load`)
      this.groups.set(groupId, loader(groupId, body))
    }
    for (const groupId of this.store.groupsWithOffsets()) {
      if (!this.groups.has(groupId)) this.createClassic(groupId)
    }
    if (this.groups.size > 0) this.logger.info(`group coordinator: loaded ${this.groups.size} group(s)`)
  }
}
