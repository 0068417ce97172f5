import { Reader, Writer } from '@samsa/protocol'

/**
 * The parts of Kafka's embedded "consumer" protocol (ConsumerProtocolSubscription / ConsumerProtocolAssignment,
 * never flexible) that the broker must understand although the classic protocol treats member metadata and
 * assignments as opaque bytes: the subscribed topics (OffsetDelete's GROUP_SUBSCRIBED_TO_TOPIC, offset expiry)
 * and a well-formed empty assignment.
 */
export const CONSUMER_PROTOCOL_TYPE = 'consumer'

/** Topics a member subscribes to, or null when the metadata is not a parseable subscription. */
export function subscribedTopics (metadata: Buffer): string[] | null {
  try {
    const reader = new Reader(metadata)
    const version = reader.int16()
    if (version < 0) return null
    const count = reader.int32()
    if (count < 0 || count > reader.remaining / 2) return null
    const topics: string[] = []
    for (let index = 0; index < count; index++) {
      const topic = reader.string(false)
      if (topic === null) return null
      topics.push(topic)
    }
    return topics
  } catch {
    return null
  }
}

/**
 * ConsumerProtocolAssignment v0 with no partitions and null user data. Sent instead of a zero-length assignment:
 * consumers decode the blob unconditionally, and some fail on zero bytes.
 */
export const EMPTY_CONSUMER_ASSIGNMENT: Buffer = new Writer(10).int16(0).int32(0).bytes(null, false).toBuffer()
