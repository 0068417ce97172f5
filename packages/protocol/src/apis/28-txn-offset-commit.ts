import { defineApi } from '../codec/api.js'
import { array, int16, int32, int64, string, struct } from '../codec/schema.js'

/**
 * TxnOffsetCommit (key 28). Versions 0–4; flexible from 3. Commits consumer offsets inside a transaction.
 * - v1: same layout. v2: committedLeaderEpoch per partition.
 * - v3: first flexible version; generationId, memberId and groupInstanceId let the coordinator fence zombie
 *   members (KIP-447). v4: TRANSACTION_ABORTABLE possible.
 */
export const TxnOffsetCommitApi = defineApi({
  key: 28,
  name: 'TxnOffsetCommit',
  valid: '0-4',
  flexible: '3+',
  request: {
    transactionalId: string(),
    groupId: string(),
    producerId: int64(),
    producerEpoch: int16(),
    generationId: int32({ versions: '3+', default: -1 }),
    memberId: string({ versions: '3+', default: '' }),
    groupInstanceId: string({ versions: '3+', nullable: '3+', default: null }),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        committedOffset: int64(),
        committedLeaderEpoch: int32({ versions: '2+', default: -1 }),
        committedMetadata: string({ nullable: '0+', default: '' })
      }))
    }))
  },
  response: {
    throttleTimeMs: int32(),
    topics: array(struct({
      name: string(),
      partitions: array(struct({
        partitionIndex: int32(),
        errorCode: int16()
      }))
    }))
  }
})
