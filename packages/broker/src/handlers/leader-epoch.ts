import { ErrorCode } from '@samsa/protocol'

/** A single node never changes leader: every partition stays at leader epoch 0. */
export const LEADER_EPOCH = 0

/**
 * Checks a client's currentLeaderEpoch (KIP-320): -1 means "not given"; an older epoch is fenced, a newer one is
 * unknown to us. With one node both only happen for a client that talked to another cluster.
 */
export function checkLeaderEpoch (currentLeaderEpoch: number): number {
  if (currentLeaderEpoch === -1 || currentLeaderEpoch === LEADER_EPOCH) return ErrorCode.NONE
  return currentLeaderEpoch < LEADER_EPOCH ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH
}
