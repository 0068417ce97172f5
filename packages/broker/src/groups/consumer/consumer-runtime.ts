import { randomBytes } from 'node:crypto'
import type { Logger } from '../../logger.js'
import type { TopicRegistry } from '../../topics/topic-registry.js'
import { describeAssignment, type Assignment } from './assignment.js'
import { assignorNamed, uniformAssignor } from './assignors.js'
import type { ConsumerGroup, MemberTimers } from './consumer-group.js'
import type { ConsumerMember } from './consumer-member.js'
import { memberTopics, subscriptionMetadata } from './subscriptions.js'

/**
 * What drives consumer groups besides heartbeats: Kafka's timers and the target assignment.
 * - session: a member that sends no heartbeat for group.consumer.session.timeout.ms is fenced (removed);
 * - rebalance: a member asked to revoke partitions that has not done so within its rebalance timeout
 *   (max.poll.interval.ms on the client) is fenced, so its partitions can move on;
 * - fencing a member frees its partitions and bumps the group epoch; the next heartbeat of any member computes
 *   the new target assignment (as in Kafka, not eagerly).
 * Every change is persisted (the whole group, see consumer-record.ts) before the heartbeat that caused it is
 * answered; changes made by timers are persisted in the background.
 */
export interface ConsumerSettings {
  sessionTimeoutMs: number
  heartbeatIntervalMs: number
  maxSize: number
  /** Configured assignor names; the first is the default. */
  assignors: readonly string[]
}

export interface ConsumerEnv {
  settings: ConsumerSettings
  logger: Logger
  now: () => number
  topics: TopicRegistry
  /** Writes the group's state; resolves once durable. */
  persist: (group: ConsumerGroup) => Promise<void>
}

export class ConsumerRuntime {
  constructor (readonly env: ConsumerEnv) {}

  get settings (): ConsumerSettings { return this.env.settings }
  get defaultAssignor (): string { return this.env.settings.assignors[0] ?? 'uniform' }

  /** Kafka's member ids: 16 random bytes, URL-safe base64 without padding. */
  newMemberId (): string {
    return randomBytes(16).toString('base64url')
  }

  // ── timers ──

  touchSession (group: ConsumerGroup, memberId: string): void {
    const timers = this.timersOf(group, memberId)
    if (timers.session !== null) clearTimeout(timers.session)
    const timeoutMs = this.settings.sessionTimeoutMs
    timers.session = setTimeout(() => {
      timers.session = null
      if (group.isDead || !group.members.has(memberId)) return
      this.env.logger.info(`group ${group.groupId}: member ${memberId} failed its session timeout of ${timeoutMs} ms; removing it`)
      void this.fenceInBackground(group, memberId)
    }, timeoutMs)
  }

  /** Started when a member enters unrevoked-partitions, stopped when it leaves that state. */
  updateRebalanceTimer (group: ConsumerGroup, member: ConsumerMember): void {
    const timers = this.timersOf(group, member.memberId)
    if (timers.rebalance !== null) clearTimeout(timers.rebalance)
    timers.rebalance = null
    if (member.state !== 'unrevoked-partitions') return
    const { memberId, memberEpoch, rebalanceTimeoutMs } = member
    const timeoutMs = Math.max(rebalanceTimeoutMs, 0)
    timers.rebalance = setTimeout(() => {
      timers.rebalance = null
      if (group.isDead || group.members.get(memberId)?.memberEpoch !== memberEpoch) return
      this.env.logger.info(`group ${group.groupId}: member ${memberId} did not revoke its partitions of epoch ${memberEpoch} within ${timeoutMs} ms; removing it`)
      void this.fenceInBackground(group, memberId)
    }, timeoutMs)
  }

  cancelTimers (group: ConsumerGroup, memberId: string): void {
    const timers = group.timers.get(memberId)
    if (timers === undefined) return
    if (timers.session !== null) clearTimeout(timers.session)
    if (timers.rebalance !== null) clearTimeout(timers.rebalance)
    group.timers.delete(memberId)
  }

  /** After loading a persisted group: sessions start now; members still revoking get their rebalance timeout. */
  restore (group: ConsumerGroup): void {
    for (const member of group.members.values()) {
      this.touchSession(group, member.memberId)
      this.updateRebalanceTimer(group, member)
    }
  }

  // ── membership ──

  /**
   * Removes a member (left, session or rebalance timeout): its partitions are free at once, the group epoch is
   * bumped so the others get a new target assignment on their next heartbeat.
   */
  fence (group: ConsumerGroup, memberId: string): void {
    this.cancelTimers(group, memberId)
    if (group.removeMember(memberId) === undefined) return
    const patterns = new Set([...group.members.values()].map((member) => member.subscribedTopicRegex).filter((pattern) => pattern !== null))
    group.resolvedRegexes = new Map([...group.resolvedRegexes].filter(([pattern]) => patterns.has(pattern)))
    group.metadata = subscriptionMetadata(group.subscribedTopicNames(), this.env.topics)
    this.bumpEpoch(group, `member ${memberId} left`)
  }

  bumpEpoch (group: ConsumerGroup, why: string): void {
    group.groupEpoch += 1
    this.env.logger.info(`group ${group.groupId}: group epoch ${group.groupEpoch} (${why}); ${group.size} member(s)`)
  }

  /** Kafka's TargetAssignmentBuilder: every member's target for the current group epoch, by the preferred assignor. */
  computeTargetAssignment (group: ConsumerGroup): void {
    const started = Date.now()
    const assignorName = group.preferredAssignor()
    const assignor = assignorNamed(assignorName) ?? uniformAssignor
    const partitionCounts = new Map<string, number>()
    const idOf = new Map<string, string>()
    for (const [name, topic] of group.metadata) {
      partitionCounts.set(topic.id, topic.partitions)
      idOf.set(name, topic.id)
    }
    const members = [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      instanceId: member.instanceId,
      subscribedTopicIds: new Set([...memberTopics(member, group.resolvedRegexes)].flatMap((name) => idOf.has(name) ? [idOf.get(name)!] : []))
    }))
    const targets: Map<string, Assignment> = assignor.assign({ members, partitionCounts, previous: group.targetAssignment })
    group.setTargetAssignment(group.groupEpoch, targets)
    const nameOf = new Map([...group.metadata].map(([name, topic]) => [topic.id, name]))
    this.env.logger.info(`group ${group.groupId}: target assignment of epoch ${group.groupEpoch} by ${assignor.name} for ${members.length} member(s) in ${Date.now() - started} ms`)
    for (const [memberId, target] of targets) {
      this.env.logger.debug(`group ${group.groupId}: target of ${memberId}: ${describeAssignment(target, (id) => nameOf.get(id) ?? id)}`)
    }
  }

  async persist (group: ConsumerGroup): Promise<void> {
    await this.env.persist(group)
  }

  private async fenceInBackground (group: ConsumerGroup, memberId: string): Promise<void> {
    this.fence(group, memberId)
    try {
      await this.persist(group)
    } catch (error) {
      this.env.logger.error(`group ${group.groupId}: cannot persist the removal of ${memberId}: ${(error as Error).message}`)
    }
  }

  private timersOf (group: ConsumerGroup, memberId: string): MemberTimers {
    let timers = group.timers.get(memberId)
    if (timers === undefined) group.timers.set(memberId, timers = { session: null, rebalance: null })
    return timers
  }
}
