/**
 * KIP-848 consumer groups (ConsumerGroupHeartbeat / ConsumerGroupDescribe): the group and its members
 * (consumer-group.ts, consumer-member.ts), reconciliation (reconcile.ts), server-side assignors (assignors.ts),
 * the heartbeat (heartbeat.ts), timers and target assignments (consumer-runtime.ts), persistence
 * (consumer-record.ts). The group coordinator owns the groups and calls in here.
 */
export { ConsumerGroup } from './consumer-group.js'
export { ConsumerRuntime, type ConsumerSettings } from './consumer-runtime.js'
export { heartbeatConsumerGroup, leaveConsumerGroup, validateHeartbeat, heartbeatError, type HeartbeatRequest, type HeartbeatResult } from './heartbeat.js'
export { describeConsumerGroup, type DescribedConsumerGroup } from './describe.js'
export { CONSUMER_GROUP_TYPE, decodeConsumerGroup, encodeConsumerGroup } from './consumer-record.js'
export { INVALID_REGULAR_EXPRESSION } from './subscriptions.js'
export { LEAVE_EPOCH, STATIC_LEAVE_EPOCH } from './consumer-member.js'
export type { TopicPartitions } from './assignment.js'
