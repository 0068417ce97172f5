import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, string, struct, uuid } from '../codec/schema.js'

/**
 * ConsumerGroupDescribe (key 69). Version 0 only; flexible (KIP-848). Describes new-protocol consumer groups,
 * with each member's current and target assignment.
 */
// Kafka's shared Assignment struct, used for both the current and the target assignment.
const assignment = struct({
  topicPartitions: array(struct({
    topicId: uuid(),
    topicName: string(),
    partitions: array(int32())
  }))
})

export const ConsumerGroupDescribeApi = defineApi({
  key: 69,
  name: 'ConsumerGroupDescribe',
  valid: '0',
  flexible: '0+',
  request: {
    groupIds: array(string()),
    includeAuthorizedOperations: bool()
  },
  response: {
    throttleTimeMs: int32(),
    groups: array(struct({
      errorCode: int16(),
      errorMessage: string({ nullable: '0+', default: null }),
      groupId: string(),
      groupState: string(),
      groupEpoch: int32(),
      assignmentEpoch: int32(),
      assignorName: string(),
      members: array(struct({
        memberId: string(),
        instanceId: string({ nullable: '0+', default: null }),
        rackId: string({ nullable: '0+', default: null }),
        memberEpoch: int32(),
        clientId: string(),
        clientHost: string(),
        subscribedTopicNames: array(string()),
        subscribedTopicRegex: string({ nullable: '0+', default: null }),
        assignment,
        targetAssignment: assignment
      })),
      authorizedOperations: int32({ default: -2147483648 })
    }))
  }
})
