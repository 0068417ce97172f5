import { ErrorCode } from '@samsa/protocol'
import type { CommitIdentity, Group, GroupDescription, OffsetExpiry } from '../group.js'
import { CONSUMER_PROTOCOL_TYPE, subscribedTopics } from '../consumer-protocol.js'
import { EMPTY_BYTES, joinError, syncError, type ClassicMember, type JoinResult, type MemberProtocol } from './classic-member.js'

/**
 * A classic (JoinGroup/SyncGroup) group: its members, generation, chosen protocol and named state. This module
 * keeps the group's invariants (member counts, static-member index, leader); the rebalance logic that moves it
 * between states lives in rebalance.ts, which this group calls back for liveness signals.
 *
 *   Empty ──join──► PreparingRebalance ──all joined / timeout──► CompletingRebalance ──leader sync──► Stable
 *     ▲                    ▲   │                                          │                            │
 *     └──last member gone──┘   └──────────── rejoin, leave, expiry ◄──────┴────────────────────────────┘
 *   Dead: deleted or expired; no transition out.
 */
export type ClassicState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

const VALID_PREVIOUS: Record<ClassicState, readonly ClassicState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead']
}

/** What a group needs from the rebalance driver. */
export interface ClassicGroupHooks {
  /** A member showed it is alive (heartbeat, commit): restart its session timer. */
  touch: (group: ClassicGroup, member: ClassicMember) => void
  /** Stops every timer of the group. */
  stopTimers: (group: ClassicGroup) => void
}

export class ClassicGroup implements Group {
  readonly type = 'classic' as const
  stateTimestamp: number | null = null
  generationId = 0
  protocolType: string | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  readonly members = new Map<string, ClassicMember>()
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their expiry timers. */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>()
  /** Members that have not sent SyncGroup for the current generation. */
  readonly pendingSyncMembers = new Set<string>()
  /** Set when a member joins during the first rebalance, which extends the initial delay. */
  newMemberAdded = false
  /** Topics of the "consumer" protocol members' subscriptions; null when unknown. */
  subscribedTopics: ReadonlySet<string> | null = null
  joinTimer: NodeJS.Timeout | null = null
  /** The pending join phase may complete early once everyone joined (false during the initial delay). */
  joinCompletesEarly = false
  syncTimer: NodeJS.Timeout | null = null
  /** Changed only through transitionTo (and restoreStable at start-up). */
  private current: ClassicState = 'Empty'
  private readonly staticMembers = new Map<string, string>()
  private readonly protocolVotes = new Map<string, number>()
  private awaitingJoin = 0

  constructor (readonly groupId: string, private readonly hooks: ClassicGroupHooks, now: number) {
    this.stateTimestamp = now
  }

  get state (): ClassicState { return this.current }
  get stateName (): string { return this.current }
  get protocolTypeName (): string { return this.protocolType ?? '' }
  get isEmpty (): boolean { return this.state === 'Empty' }
  get isDead (): boolean { return this.state === 'Dead' }
  get size (): number { return this.members.size }
  get numAwaitingJoin (): number { return this.awaitingJoin }

  is (state: ClassicState): boolean { return this.state === state }

  transitionTo (state: ClassicState, now: number): void {
    if (!VALID_PREVIOUS[state].includes(this.current)) throw new Error(`group ${this.groupId}: invalid transition ${this.current} → ${state}`)
    this.current = state
    this.stateTimestamp = now
  }

  /** Start-up only: a group persisted with members resumes in its generation, Stable. */
  restoreStable (): void {
    this.current = 'Stable'
  }

  isLeader (memberId: string): boolean { return this.leaderId === memberId }
  staticMemberId (groupInstanceId: string | null): string | undefined {
    return groupInstanceId === null ? undefined : this.staticMembers.get(groupInstanceId)
  }

  /** A static identity now held by another member id: the sender is a zombie instance. */
  isStaticMemberFenced (groupInstanceId: string | null, memberId: string): boolean {
    const current = this.staticMemberId(groupInstanceId)
    return current !== undefined && current !== memberId
  }

  add (member: ClassicMember, joinWaiter: ClassicMember['joinWaiter']): void {
    if (this.members.size === 0) this.protocolType = member.protocolType
    this.leaderId ??= member.memberId
    this.members.set(member.memberId, member)
    const pending = this.pendingMembers.get(member.memberId)
    if (pending !== undefined) clearTimeout(pending)
    this.pendingMembers.delete(member.memberId)
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId)
    this.countVotes(member.protocols, 1)
    member.joinWaiter = joinWaiter
    if (joinWaiter !== null) this.awaitingJoin += 1
  }

  /** Removes a member or a pending member id. Does not answer its held requests. */
  remove (memberId: string): void {
    const pending = this.pendingMembers.get(memberId)
    if (pending !== undefined) {
      clearTimeout(pending)
      this.pendingMembers.delete(memberId)
    }
    const member = this.members.get(memberId)
    if (member === undefined) return
    this.members.delete(memberId)
    this.countVotes(member.protocols, -1)
    if (member.isAwaitingJoin) this.awaitingJoin -= 1
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) this.staticMembers.delete(member.groupInstanceId)
    this.pendingSyncMembers.delete(memberId)
    if (member.heartbeatTimer !== null) clearTimeout(member.heartbeatTimer)
    member.heartbeatTimer = null
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null
  }

  /** A known member joins again: new protocols and timeouts, and (with a waiter) it now awaits the join phase. */
  updateMember (member: ClassicMember, protocols: MemberProtocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number, joinWaiter: ClassicMember['joinWaiter']): void {
    this.countVotes(member.protocols, -1)
    member.protocols = protocols
    this.countVotes(protocols, 1)
    member.rebalanceTimeoutMs = rebalanceTimeoutMs
    member.sessionTimeoutMs = sessionTimeoutMs
    // A second JoinGroup while one is held (another connection, or pipelined): the older one is answered so it
    // cannot hang; REBALANCE_IN_PROGRESS makes its sender simply join again.
    if (joinWaiter !== null) this.answerJoin(member, joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS))
    if (joinWaiter !== null && !member.isAwaitingJoin) this.awaitingJoin += 1
    else if (joinWaiter === null && member.isAwaitingJoin) this.awaitingJoin -= 1
    member.joinWaiter = joinWaiter
  }

  /** Answers the member's held JoinGroup (if any), keeping the count of members awaiting the join phase. */
  answerJoin (member: ClassicMember, result: JoinResult): boolean {
    if (!member.isAwaitingJoin) return false
    this.awaitingJoin -= 1
    return member.answerJoin(result)
  }

  /** A static member came back with a new member id: the old id is fenced, the identity keeps its assignment. */
  replaceStaticMember (groupInstanceId: string, oldMemberId: string, newMemberId: string): ClassicMember {
    const member = this.members.get(oldMemberId)
    if (member === undefined) throw new Error(`static member ${groupInstanceId} (${oldMemberId}) is not in group ${this.groupId}`)
    if (member.isAwaitingJoin) this.awaitingJoin -= 1
    member.answerJoin(joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID))
    member.answerSync(syncError(ErrorCode.FENCED_INSTANCE_ID))
    this.members.delete(oldMemberId)
    member.memberId = newMemberId
    this.members.set(newMemberId, member)
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId)
    this.staticMembers.set(groupInstanceId, newMemberId)
    return member
  }

  /** Kafka's rule: an empty group accepts any non-empty type and protocol list; otherwise the type must match
   *  and at least one of the protocols must be supported by every current member. */
  supportsProtocols (protocolType: string, names: string[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && names.length > 0
    return this.protocolType === protocolType && names.some((name) => this.protocolVotes.get(name) === this.members.size)
  }

  /** Every member has joined the current rebalance, and no member id handed out is still expected. */
  get hasAllMembersJoined (): boolean {
    return this.awaitingJoin === this.members.size && this.pendingMembers.size === 0
  }

  /** The protocol every member supports that most members prefer; ties go to the earliest member's choice. */
  selectProtocol (): string {
    const candidates = new Set([...this.protocolVotes].filter(([, count]) => count === this.members.size).map(([name]) => name))
    const votes = new Map<string, number>()
    for (const member of this.members.values()) {
      const choice = member.vote(candidates)
      votes.set(choice, (votes.get(choice) ?? 0) + 1)
    }
    let best = ''
    let most = -1
    for (const [name, count] of votes) {
      if (count > most) {
        best = name
        most = count
      }
    }
    return best
  }

  /** If the leader did not rejoin, any member that did becomes leader. False when nobody rejoined. */
  maybeElectNewJoinedLeader (): boolean {
    if (this.leaderId === null) return false
    if (this.members.get(this.leaderId)?.isAwaitingJoin === true) return true
    for (const member of this.members.values()) {
      if (member.isAwaitingJoin) {
        this.leaderId = member.memberId
        return true
      }
    }
    return false
  }

  initNextGeneration (now: number): void {
    this.generationId += 1
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol()
      this.transitionTo('CompletingRebalance', now)
    } else {
      this.protocolName = null
      this.transitionTo('Empty', now)
    }
    this.subscribedTopics = this.computeSubscribedTopics()
    this.pendingSyncMembers.clear()
  }

  /** For the leader's JoinGroup response: each member's metadata for the chosen protocol. */
  currentMemberMetadata (): Array<{ memberId: string, groupInstanceId: string | null, metadata: Buffer }> {
    return [...this.members.values()].map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, metadata: member.metadataFor(this.protocolName) }))
  }

  /** The longest rebalance timeout of the members: how long a join phase may wait. */
  get rebalanceTimeoutMs (): number {
    let longest = 0
    for (const member of this.members.values()) longest = Math.max(longest, member.rebalanceTimeoutMs)
    return longest
  }

  computeSubscribedTopics (): ReadonlySet<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null
    if (this.members.size === 0) return new Set()
    if (this.protocolName === null) return null
    const topics = new Set<string>()
    for (const member of this.members.values()) {
      const subscribed = subscribedTopics(member.metadataFor(this.protocolName))
      if (subscribed === null) return null
      for (const topic of subscribed) topics.add(topic)
    }
    return topics
  }

  // ── Group interface ──

  validateOffsetCommit (commit: CommitIdentity): number {
    if (this.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    const { memberId, groupInstanceId, generationIdOrMemberEpoch: generationId } = commit
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      if (this.isStaticMemberFenced(groupInstanceId, memberId)) return ErrorCode.FENCED_INSTANCE_ID
      const member = this.members.get(memberId)
      if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
      if (generationId !== this.generationId) return ErrorCode.ILLEGAL_GENERATION
      if (commit.transactional === true) return ErrorCode.NONE
      // The member's id and generation are current, but it has not received its assignment yet.
      if (this.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS
      this.hooks.touch(this, member)
      return ErrorCode.NONE
    }
    // A commit from outside the group management (simple consumer, admin tool): only while nobody is a member.
    return this.is('Empty') || commit.transactional === true ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID
  }

  validateOffsetFetch (): number {
    return this.is('Dead') ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.NONE
  }

  offsetDeletion (): { errorCode: number } | { consumes: (topic: string) => boolean } {
    if (this.is('Dead')) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND }
    if (this.is('Empty')) return { consumes: () => false }
    if (this.protocolType === CONSUMER_PROTOCOL_TYPE) {
      const topics = this.subscribedTopics
      return { consumes: (topic) => topics === null || topics.has(topic) }
    }
    return { errorCode: ErrorCode.NON_EMPTY_GROUP }
  }

  expiry (): OffsetExpiry {
    if (this.protocolType === null) return { kind: 'since-empty', since: null }
    if (this.is('Empty')) return { kind: 'since-empty', since: this.stateTimestamp }
    if (this.protocolType === CONSUMER_PROTOCOL_TYPE && this.subscribedTopics !== null && this.is('Stable')) return { kind: 'since-commit', consumed: this.subscribedTopics }
    return { kind: 'none' }
  }

  describe (): GroupDescription {
    const stable = this.is('Stable')
    return {
      state: this.state,
      protocolType: this.protocolType ?? '',
      protocolData: stable ? this.protocolName ?? '' : '',
      members: [...this.members.values()].map((member) => ({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        metadata: stable ? member.metadataFor(this.protocolName) : EMPTY_BYTES,
        assignment: stable ? member.assignment : EMPTY_BYTES
      }))
    }
  }

  dispose (): void {
    this.hooks.stopTimers(this)
    for (const member of this.members.values()) {
      member.answerJoin(joinError(member.memberId, ErrorCode.NOT_COORDINATOR))
      member.answerSync(syncError(ErrorCode.NOT_COORDINATOR))
    }
    if (this.state !== 'Dead') this.transitionTo('Dead', Date.now())
  }

  private countVotes (protocols: MemberProtocol[], delta: number): void {
    for (const name of new Set(protocols.map((protocol) => protocol.name))) {
      const count = (this.protocolVotes.get(name) ?? 0) + delta
      if (count === 0) this.protocolVotes.delete(name)
      else this.protocolVotes.set(name, count)
    }
  }
}
