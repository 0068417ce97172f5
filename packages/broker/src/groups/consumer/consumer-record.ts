import { fromWire, toWire, type TopicPartitions } from './assignment.js'
import { ConsumerGroup } from './consumer-group.js'
import type { ConsumerMember, MemberState } from './consumer-member.js'

/**
 * The persisted form of a consumer group (the journal's "group" record body, type "consumer"): what Kafka keeps
 * in its ConsumerGroupMetadata / PartitionMetadata / MemberMetadata / TargetAssignment / CurrentMemberAssignment
 * records, written whole (JSON) after every change — joins, reconciliation steps, leaves — rather than as deltas.
 * Subscription metadata and resolved patterns are kept so that a restart does not look like a topic change (which
 * would bump the epoch and rebalance). After a restart members carry on in their epochs; sessions start anew.
 */
interface StoredMember {
  memberId: string
  instanceId: string | null
  rackId: string | null
  rebalanceTimeoutMs: number
  clientId: string
  clientHost: string
  subscribedTopicNames: string[]
  subscribedTopicRegex: string | null
  serverAssignor: string | null
  memberEpoch: number
  previousMemberEpoch: number
  state: MemberState
  assigned: TopicPartitions[]
  pendingRevocation: TopicPartitions[]
}

interface StoredConsumerGroup {
  version: 1
  groupEpoch: number
  assignmentEpoch: number
  metadata: Array<[name: string, id: string, partitions: number]>
  regexes: Array<[pattern: string, topics: string[]]>
  members: StoredMember[]
  targets: Array<[memberId: string, target: TopicPartitions[]]>
}

export const CONSUMER_GROUP_TYPE = 'consumer'

export function encodeConsumerGroup (group: ConsumerGroup): Buffer {
  const stored: StoredConsumerGroup = {
    version: 1,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    metadata: [...group.metadata].map(([name, topic]) => [name, topic.id, topic.partitions]),
    regexes: [...group.resolvedRegexes].map(([pattern, topics]) => [pattern, [...topics]]),
    members: [...group.members.values()].map((member) => ({ ...member, subscribedTopicNames: [...member.subscribedTopicNames], assigned: toWire(member.assigned), pendingRevocation: toWire(member.pendingRevocation) })),
    targets: [...group.targetAssignment].map(([memberId, target]) => [memberId, toWire(target)])
  }
  return Buffer.from(JSON.stringify(stored), 'utf8')
}

export function decodeConsumerGroup (groupId: string, body: Buffer, defaultAssignor: string): ConsumerGroup {
  const stored = JSON.parse(body.toString('utf8')) as StoredConsumerGroup
  if (stored.version !== 1) throw new Error(`group ${groupId}: unknown consumer group record version ${String(stored.version)}`)
  const group = new ConsumerGroup(groupId, defaultAssignor)
  group.groupEpoch = stored.groupEpoch
  group.metadata = new Map(stored.metadata.map(([name, id, partitions]) => [name, { id, partitions }]))
  group.resolvedRegexes = new Map(stored.regexes.map(([pattern, topics]) => [pattern, new Set(topics)]))
  for (const entry of stored.members) {
    const member: ConsumerMember = { ...entry, assigned: fromWire(entry.assigned), pendingRevocation: fromWire(entry.pendingRevocation) }
    group.putMember(member)
  }
  group.setTargetAssignment(stored.assignmentEpoch, new Map(stored.targets.map(([memberId, target]) => [memberId, fromWire(target)])))
  return group
}
