import type { TxnOffset } from './metadata.js'

/**
 * What the transaction coordinator needs from the consumer-group coordinator for TxnOffsetCommit. Offsets committed
 * inside a transaction are held (durably, in the transaction journal) by the transaction coordinator and handed to
 * the group's offset store only when the transaction commits; an abort drops them.
 */
export interface TxnOffsetSink {
  /**
   * KIP-447 checks of TxnOffsetCommit v3+ (generationId -1 / memberId '' mean "not given"): UNKNOWN_MEMBER_ID,
   * ILLEGAL_GENERATION, FENCED_INSTANCE_ID, or NONE (0). Kafka creates an unknown group here.
   */
  validateMember: (groupId: string, generationId: number, memberId: string, groupInstanceId: string | null) => number
  /**
   * Makes the offsets visible as committed offsets of the group, durably (as OffsetCommit would). Called when the
   * transaction commits, and again after a crash between the commit decision and its completion: must be idempotent.
   */
  commitOffsets: (groupId: string, offsets: TxnOffset[]) => Promise<void>
}
