import { defineApi } from '../codec/api.js'
import { array, int16, int32, int64, records, string, struct } from '../codec/schema.js'

/**
 * Produce (key 0). Versions 0–11; flexible from 9.
 * - v1, v2: request unchanged; the response gains throttleTimeMs (v1) and logAppendTimeMs (v2).
 * - v3: adds transactionalId; from here on clients may send message format v2 (RecordBatch).
 * - v4–v6: same layout (v4 lets the broker answer KAFKA_STORAGE_ERROR; v5 response adds logStartOffset).
 * - v7: zstd compression allowed. v8: response lists per-batch record errors and an error message.
 * - v9: first flexible version. v10: response may carry the partition's current leader and the endpoints of the
 *   nodes it names, both as tagged fields (KIP-951). v11: TRANSACTION_ABORTABLE may be returned.
 */
export const ProduceApi = defineApi({
  key: 0,
  name: 'Produce',
  valid: '0-11',
  flexible: '9+',
  request: {
    transactionalId: string({ versions: '3+', nullable: '3+', default: null }),
    acks: int16(),
    timeoutMs: int32(),
    topicData: array(struct({
      name: string(),
      partitionData: array(struct({
        index: int32(),
        records: records({ nullable: '0+' })
      }))
    }))
  },
  response: {
    responses: array(struct({
      name: string(),
      partitionResponses: array(struct({
        index: int32(),
        errorCode: int16(),
        baseOffset: int64(),
        logAppendTimeMs: int64({ versions: '2+', default: -1 }),
        logStartOffset: int64({ versions: '5+', default: -1 }),
        recordErrors: array(struct({
          batchIndex: int32({ versions: '8+' }),
          batchIndexErrorMessage: string({ versions: '8+', nullable: '8+', default: null })
        }), { versions: '8+' }),
        errorMessage: string({ versions: '8+', nullable: '8+', default: null }),
        currentLeader: struct({
          leaderId: int32({ versions: '10+', default: -1 }),
          leaderEpoch: int32({ versions: '10+', default: -1 })
        }, { versions: '10+', taggedVersions: '10+', tag: 0 })
      }))
    })),
    throttleTimeMs: int32({ versions: '1+', default: 0 }),
    nodeEndpoints: array(struct({
      nodeId: int32({ versions: '10+' }),
      host: string({ versions: '10+' }),
      port: int32({ versions: '10+' }),
      rack: string({ versions: '10+', nullable: '10+', default: null })
    }), { versions: '10+', taggedVersions: '10+', tag: 0 })
  }
})
