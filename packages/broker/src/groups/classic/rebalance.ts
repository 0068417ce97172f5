import { ErrorCode } from '@samsa/protocol'
import type { Logger } from '../../logger.js'
import { CONSUMER_PROTOCOL_TYPE, EMPTY_CONSUMER_ASSIGNMENT } from '../consumer-protocol.js'
import type { ClassicGroup, ClassicGroupHooks } from './classic-group.js'
import { EMPTY_BYTES, joinError, syncError, type ClassicMember, type SyncResult } from './classic-member.js'

/**
 * Drives classic groups between states with Kafka's timers:
 * - join phase: after the initial delay (empty group: group.initial.rebalance.delay.ms, extended while members
 *   keep arriving, up to the rebalance timeout) or once every member rejoined, at the latest after the longest
 *   rebalance timeout — dynamic members that did not rejoin by then are removed;
 * - sync phase: members that do not send SyncGroup within the rebalance timeout are removed and the group
 *   rebalances again;
 * - sessions: a member that neither heartbeats nor commits within its session timeout is removed (members held in
 *   a join or sync are exempt, except members that joined during this rebalance, whose limit is 5 minutes);
 * - member ids handed out with MEMBER_ID_REQUIRED expire after the session timeout if not used.
 */
export interface ClassicSettings {
  initialRebalanceDelayMs: number
}

export interface ClassicEnv {
  settings: ClassicSettings
  logger: Logger
  now: () => number
  /** Persists the group with these assignments; resolves once durable. */
  persist: (group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>) => Promise<void>
}

/** How long a member that joined during a rebalance may wait in it before its session counts (Kafka's 5 min). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000

export class ClassicRebalance {
  readonly hooks: ClassicGroupHooks = {
    touch: (group, member) => this.heartbeat(group, member),
    stopTimers: (group) => this.stopTimers(group)
  }

  constructor (readonly env: ClassicEnv) {}

  // ── liveness ──

  /** Restarts the member's session timer (Kafka's completeAndScheduleNextHeartbeatExpiration). */
  heartbeat (group: ClassicGroup, member: ClassicMember, timeoutMs = member.sessionTimeoutMs): void {
    if (member.heartbeatTimer !== null) clearTimeout(member.heartbeatTimer)
    member.heartbeatTimer = setTimeout(() => {
      member.heartbeatTimer = null
      if (group.isDead || group.members.get(member.memberId) !== member) return
      // Members held in a join or sync have done their part; new members may still time out while held.
      if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) return
      this.env.logger.info(`group ${group.groupId}: member ${member.memberId} failed its session timeout of ${timeoutMs} ms; removing it`)
      this.removeMember(group, member, 'session timeout')
    }, timeoutMs)
  }

  addPendingMember (group: ClassicGroup, memberId: string, sessionTimeoutMs: number): void {
    group.pendingMembers.set(memberId, setTimeout(() => {
      if (!group.pendingMembers.has(memberId)) return
      this.env.logger.debug(`group ${group.groupId}: pending member ${memberId} did not join within ${sessionTimeoutMs} ms`)
      this.removePendingMember(group, memberId)
    }, sessionTimeoutMs))
  }

  removePendingMember (group: ClassicGroup, memberId: string): void {
    group.remove(memberId)
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group)
  }

  /** Removes a member (left, expired, evicted) and moves the group on. */
  removeMember (group: ClassicGroup, member: ClassicMember, reason: string): void {
    group.answerJoin(member, joinError(member.memberId, ErrorCode.UNKNOWN_MEMBER_ID))
    member.answerSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    group.remove(member.memberId)
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.maybePrepareRebalance(group, `removing member ${member.memberId} (${reason})`)
        break
      case 'PreparingRebalance':
        this.tryCompleteJoin(group)
        break
      default:
    }
  }

  // ── join phase ──

  maybePrepareRebalance (group: ClassicGroup, reason: string): void {
    if (group.is('Stable') || group.is('CompletingRebalance') || group.is('Empty')) this.prepareRebalance(group, reason)
  }

  prepareRebalance (group: ClassicGroup, reason: string): void {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS)
    this.clearSyncTimer(group)
    const initial = group.is('Empty')
    const timeoutMs = group.rebalanceTimeoutMs
    group.transitionTo('PreparingRebalance', this.env.now())
    this.env.logger.info(`group ${group.groupId}: preparing to rebalance in generation ${group.generationId} (${reason})`)
    if (initial) {
      const delay = this.env.settings.initialRebalanceDelayMs
      this.scheduleInitialJoin(group, delay, Math.max(timeoutMs - delay, 0))
    } else {
      this.scheduleJoin(group, timeoutMs)
      this.tryCompleteJoin(group)
    }
  }

  /** Completes the join phase now if it may complete early and every member has rejoined. */
  tryCompleteJoin (group: ClassicGroup): void {
    if (!group.is('PreparingRebalance') || !group.joinCompletesEarly || !group.hasAllMembersJoined) return
    this.clearJoinTimer(group)
    this.completeJoin(group)
  }

  private scheduleInitialJoin (group: ClassicGroup, delayMs: number, remainingMs: number): void {
    this.clearJoinTimer(group)
    group.joinCompletesEarly = false
    group.joinTimer = setTimeout(() => {
      group.joinTimer = null
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false
        const next = Math.min(this.env.settings.initialRebalanceDelayMs, remainingMs)
        this.scheduleInitialJoin(group, next, Math.max(remainingMs - delayMs, 0))
      } else {
        this.completeJoin(group)
      }
    }, delayMs)
  }

  private scheduleJoin (group: ClassicGroup, timeoutMs: number): void {
    this.clearJoinTimer(group)
    group.joinCompletesEarly = true
    group.joinTimer = setTimeout(() => {
      group.joinTimer = null
      this.completeJoin(group)
    }, timeoutMs)
  }

  /** End of the join phase: drop dynamic members that did not rejoin, open the next generation, answer joins. */
  private completeJoin (group: ClassicGroup): void {
    if (!group.is('PreparingRebalance')) return
    for (const member of [...group.members.values()]) {
      if (!member.isAwaitingJoin && !member.isStatic) {
        this.env.logger.info(`group ${group.groupId}: removing member ${member.memberId}, which did not rejoin within the rebalance timeout`)
        member.answerSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
        group.remove(member.memberId)
      }
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Only static members that did not rejoin are left: wait for them (or for their sessions to expire).
      this.env.logger.warn(`group ${group.groupId}: no member rejoined; waiting another rebalance timeout`)
      this.scheduleJoin(group, group.rebalanceTimeoutMs)
      return
    }
    group.initNextGeneration(this.env.now())
    if (group.is('Empty')) {
      this.env.logger.info(`group ${group.groupId}: generation ${group.generationId} is empty`)
      this.env.persist(group, new Map()).catch((error: Error) => this.env.logger.error(`group ${group.groupId}: cannot persist: ${error.message}`))
      return
    }
    this.env.logger.info(`group ${group.groupId}: generation ${group.generationId} with ${group.size} member(s), protocol ${group.protocolName ?? ''}`)
    const leaderView = group.currentMemberMetadata()
    for (const member of group.members.values()) {
      const isLeader = group.isLeader(member.memberId)
      group.answerJoin(member, {
        errorCode: ErrorCode.NONE,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leaderId: group.leaderId ?? '',
        memberId: member.memberId,
        skipAssignment: false,
        members: isLeader ? leaderView : []
      })
      this.heartbeat(group, member)
      member.isNew = false
      group.pendingSyncMembers.add(member.memberId)
    }
    this.schedulePendingSync(group)
  }

  // ── sync phase ──

  private schedulePendingSync (group: ClassicGroup): void {
    this.clearSyncTimer(group)
    const generation = group.generationId
    group.syncTimer = setTimeout(() => {
      group.syncTimer = null
      if (generation !== group.generationId || !(group.is('CompletingRebalance') || group.is('Stable'))) return
      if (group.pendingSyncMembers.size === 0) return
      const late = [...group.pendingSyncMembers]
      this.env.logger.info(`group ${group.groupId}: removing ${late.join(', ')}, which did not sync within the rebalance timeout`)
      for (const memberId of late) group.remove(memberId)
      this.prepareRebalance(group, 'members did not sync')
    }, group.rebalanceTimeoutMs)
  }

  /** The member sent SyncGroup for the current generation. */
  syncReceived (group: ClassicGroup, memberId: string): void {
    if (group.pendingSyncMembers.delete(memberId) && group.pendingSyncMembers.size === 0) this.clearSyncTimer(group)
  }

  /** The leader's assignment is stored: answer every held SyncGroup and become Stable. */
  completeSync (group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>): void {
    for (const member of group.members.values()) member.assignment = assignments.get(member.memberId) ?? EMPTY_BYTES
    this.propagateAssignment(group, ErrorCode.NONE)
    group.transitionTo('Stable', this.env.now())
  }

  resetAndPropagateAssignmentError (group: ClassicGroup, errorCode: number): void {
    for (const member of group.members.values()) member.assignment = EMPTY_BYTES
    this.propagateAssignment(group, errorCode)
  }

  private propagateAssignment (group: ClassicGroup, errorCode: number): void {
    for (const member of group.members.values()) {
      const answered = member.answerSync(errorCode === ErrorCode.NONE ? this.syncSuccess(group, member) : syncError(errorCode))
      // Sessions restart once the assignment is out: expiries while held were skipped.
      if (answered) this.heartbeat(group, member)
    }
  }

  /** A successful SyncGroup answer; a "consumer" member with no assignment gets a well-formed empty one. */
  syncSuccess (group: ClassicGroup, member: ClassicMember): SyncResult {
    const assignment = member.assignment.length === 0 && group.protocolType === CONSUMER_PROTOCOL_TYPE ? EMPTY_CONSUMER_ASSIGNMENT : member.assignment
    return { errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment }
  }

  // ── timers ──

  stopTimers (group: ClassicGroup): void {
    this.clearJoinTimer(group)
    this.clearSyncTimer(group)
    for (const timer of group.pendingMembers.values()) clearTimeout(timer)
    group.pendingMembers.clear()
    for (const member of group.members.values()) {
      if (member.heartbeatTimer !== null) clearTimeout(member.heartbeatTimer)
      member.heartbeatTimer = null
    }
  }

  private clearJoinTimer (group: ClassicGroup): void {
    if (group.joinTimer !== null) clearTimeout(group.joinTimer)
    group.joinTimer = null
  }

  private clearSyncTimer (group: ClassicGroup): void {
    if (group.syncTimer !== null) clearTimeout(group.syncTimer)
    group.syncTimer = null
  }
}
