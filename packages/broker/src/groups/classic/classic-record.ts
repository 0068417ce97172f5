import { ClassicGroup, type ClassicGroupHooks } from './classic-group.js'
import { ClassicMember } from './classic-member.js'

/**
 * The persisted form of a classic group (the journal's "group" record body), written like Kafka's
 * GroupMetadataValue when a generation gets its assignment, when the group becomes empty and when a static member
 * takes over its identity. Only the chosen protocol's metadata is kept per member. JSON: written once per
 * rebalance, never on a hot path, and readable when debugging a data directory.
 *
 * After a restart a group with members comes back Stable in its generation, so members keep heartbeating and
 * committing without a rebalance; members that are gone are removed when their session timeout passes.
 */
interface StoredMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  metadata: string
  assignment: string
}

interface StoredClassicGroup {
  version: 1
  protocolType: string | null
  generationId: number
  protocolName: string | null
  leaderId: string | null
  stateTimestamp: number | null
  members: StoredMember[]
}

export const CLASSIC_GROUP_TYPE = 'classic'

export function encodeClassicGroup (group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>): Buffer {
  const stored: StoredClassicGroup = {
    version: 1,
    protocolType: group.protocolType,
    generationId: group.generationId,
    protocolName: group.protocolName,
    leaderId: group.leaderId,
    stateTimestamp: group.stateTimestamp,
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      sessionTimeoutMs: member.sessionTimeoutMs,
      metadata: member.metadataFor(group.protocolName).toString('base64'),
      assignment: (assignments.get(member.memberId) ?? member.assignment).toString('base64')
    }))
  }
  return Buffer.from(JSON.stringify(stored), 'utf8')
}

/** Rebuilds a group from its persisted form: Stable with its members, or Empty. */
export function decodeClassicGroup (groupId: string, body: Buffer, hooks: ClassicGroupHooks): ClassicGroup {
  const stored = JSON.parse(body.toString('utf8')) as StoredClassicGroup
  if (stored.version !== 1) throw new Error(`group ${groupId}: unknown classic group record version ${String(stored.version)}`)
  const group = new ClassicGroup(groupId, hooks, stored.stateTimestamp ?? Date.now())
  group.stateTimestamp = stored.stateTimestamp
  group.protocolType = stored.protocolType
  group.generationId = stored.generationId
  group.protocolName = stored.protocolName
  for (const entry of stored.members) {
    const member = new ClassicMember({
      memberId: entry.memberId,
      groupInstanceId: entry.groupInstanceId,
      clientId: entry.clientId,
      clientHost: entry.clientHost,
      rebalanceTimeoutMs: entry.rebalanceTimeoutMs,
      sessionTimeoutMs: entry.sessionTimeoutMs,
      protocolType: stored.protocolType ?? '',
      protocols: [{ name: stored.protocolName ?? '', metadata: Buffer.from(entry.metadata, 'base64') }]
    })
    member.assignment = Buffer.from(entry.assignment, 'base64')
    group.add(member, null)
  }
  if (group.size > 0) {
    group.leaderId = stored.leaderId !== null && group.members.has(stored.leaderId) ? stored.leaderId : group.members.keys().next().value ?? null
    group.restoreStable()
  }
  group.protocolType = stored.protocolType
  group.subscribedTopics = group.computeSubscribedTopics()
  return group
}
