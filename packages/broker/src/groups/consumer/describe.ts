import type { TopicRegistry } from '../../topics/topic-registry.js'
import { toWire, type Assignment } from './assignment.js'
import type { ConsumerGroup } from './consumer-group.js'

/**
 * ConsumerGroupDescribe's view of a group: epochs, the assignor in use, and per member its subscription, current
 * assignment and target assignment, with topic names (topics that no longer exist are left out, as in Kafka).
 */
export interface DescribedPartitions { topicId: string, topicName: string, partitions: number[] }

export interface DescribedConsumerGroup {
  groupState: string
  groupEpoch: number
  assignmentEpoch: number
  assignorName: string
  members: Array<{
    memberId: string
    instanceId: string | null
    rackId: string | null
    memberEpoch: number
    clientId: string
    clientHost: string
    subscribedTopicNames: string[]
    subscribedTopicRegex: string | null
    assignment: { topicPartitions: DescribedPartitions[] }
    targetAssignment: { topicPartitions: DescribedPartitions[] }
  }>
}

export function describeConsumerGroup (group: ConsumerGroup, topics: TopicRegistry): DescribedConsumerGroup {
  const named = (assignment: Assignment): { topicPartitions: DescribedPartitions[] } => ({
    topicPartitions: toWire(assignment).flatMap(({ topicId, partitions }) => {
      const topic = topics.getById(topicId)
      return topic === undefined ? [] : [{ topicId, topicName: topic.name, partitions }]
    })
  })
  return {
    groupState: group.stateName,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignorName: group.preferredAssignor(),
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      instanceId: member.instanceId,
      rackId: member.rackId,
      memberEpoch: member.memberEpoch,
      clientId: member.clientId,
      clientHost: member.clientHost,
      subscribedTopicNames: [...member.subscribedTopicNames],
      subscribedTopicRegex: member.subscribedTopicRegex,
      assignment: named(member.assigned),
      targetAssignment: named(group.target(member.memberId))
    }))
  }
}
