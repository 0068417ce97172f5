import { defineApi } from '../codec/api.js'
import { array, int16, int32, string, struct, uuid } from '../codec/schema.js'

/**
 * ConsumerGroupHeartbeat (key 68). Versions 0–1; flexible from 0 (KIP-848, the new consumer group protocol).
 * Fields left null (or -1) mean "unchanged since the last heartbeat".
 * - v1: subscribedTopicRegex in the request; INVALID_SUBSCRIPTION_REGEX may be returned. (Kafka still marks v1
 *   as unstable in this snapshot.)
 * The response's assignment is a nullable struct: on the wire it is preceded by an int8 (-1 null, 1 present).
 */
export const ConsumerGroupHeartbeatApi = defineApi({
  key: 68,
  name: 'ConsumerGroupHeartbeat',
  valid: '0-1',
  flexible: '0+',
  request: {
    groupId: string(),
    memberId: string(),
    memberEpoch: int32(),
    instanceId: string({ nullable: '0+', default: null }),
    rackId: string({ nullable: '0+', default: null }),
    rebalanceTimeoutMs: int32({ default: -1 }),
    subscribedTopicNames: array(string(), { nullable: '0+', default: null }),
    subscribedTopicRegex: string({ versions: '1+', nullable: '1+', default: null }),
    serverAssignor: string({ nullable: '0+', default: null }),
    topicPartitions: array(struct({
      topicId: uuid(),
      partitions: array(int32())
    }), { nullable: '0+', default: null })
  },
  response: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    errorMessage: string({ nullable: '0+', default: null }),
    memberId: string({ nullable: '0+', default: null }),
    memberEpoch: int32(),
    heartbeatIntervalMs: int32(),
    assignment: struct({
      topicPartitions: array(struct({
        topicId: uuid(),
        partitions: array(int32())
      }))
    }, { nullable: '0+', default: null })
  }
})
