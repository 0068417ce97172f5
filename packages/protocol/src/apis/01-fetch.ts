import { defineApi } from '../codec/api.js'
import { array, int16, int32, int64, int8, records, string, struct, uuid } from '../codec/schema.js'

/**
 * Fetch (key 1). Versions 0–17; flexible from 12.
 * - v1: response adds throttleTimeMs. v2: message format v1 may be returned. v3: adds the request-wide maxBytes;
 *   partitions are served in request order.
 * - v4: isolationLevel, and per partition lastStableOffset + abortedTransactions (message format v2 from here).
 * - v5: logStartOffset in request and response. v6: KAFKA_STORAGE_ERROR possible.
 * - v7: incremental fetch sessions (sessionId, sessionEpoch, forgottenTopicsData; top-level errorCode).
 * - v8–v10: same layout (v9 adds currentLeaderEpoch for fencing; v10 allows zstd). v11: rackId and
 *   preferredReadReplica (KIP-392).
 * - v12: first flexible version; lastFetchedEpoch in the request, divergingEpoch / currentLeader / snapshotId as
 *   tagged fields in the response.
 * - v13: topics addressed by topicId instead of name (KIP-516). v14: may return OFFSET_MOVED_TO_TIERED_STORAGE.
 * - v15: the follower identity moves into the tagged replicaState; the old replicaId is dropped (KIP-903).
 * - v16: response may carry nodeEndpoints (KIP-951). v17: request may carry a replicaDirectoryId (KIP-853).
 */
export const FetchApi = defineApi({
  key: 1,
  name: 'Fetch',
  valid: '0-17',
  flexible: '12+',
  request: {
    clusterId: string({ versions: '12+', nullable: '12+', default: null, taggedVersions: '12+', tag: 0 }),
    replicaId: int32({ versions: '0-14', default: -1 }),
    replicaState: struct({
      replicaId: int32({ versions: '15+', default: -1 }),
      replicaEpoch: int64({ versions: '15+', default: -1 })
    }, { versions: '15+', taggedVersions: '15+', tag: 1 }),
    maxWaitMs: int32(),
    minBytes: int32(),
    maxBytes: int32({ versions: '3+', default: 0x7fffffff }),
    isolationLevel: int8({ versions: '4+', default: 0 }),
    sessionId: int32({ versions: '7+', default: 0 }),
    sessionEpoch: int32({ versions: '7+', default: -1 }),
    topics: array(struct({
      topic: string({ versions: '0-12' }),
      topicId: uuid({ versions: '13+' }),
      partitions: array(struct({
        partition: int32(),
        currentLeaderEpoch: int32({ versions: '9+', default: -1 }),
        fetchOffset: int64(),
        lastFetchedEpoch: int32({ versions: '12+', default: -1 }),
        logStartOffset: int64({ versions: '5+', default: -1 }),
        partitionMaxBytes: int32(),
        replicaDirectoryId: uuid({ versions: '17+', taggedVersions: '17+', tag: 0 })
      }))
    })),
    forgottenTopicsData: array(struct({
      topic: string({ versions: '7-12' }),
      topicId: uuid({ versions: '13+' }),
      partitions: array(int32(), { versions: '7+' })
    }), { versions: '7+' }),
    rackId: string({ versions: '11+', default: '' })
  },
  response: {
    throttleTimeMs: int32({ versions: '1+' }),
    errorCode: int16({ versions: '7+' }),
    sessionId: int32({ versions: '7+', default: 0 }),
    responses: array(struct({
      topic: string({ versions: '0-12' }),
      topicId: uuid({ versions: '13+' }),
      partitions: array(struct({
        partitionIndex: int32(),
        errorCode: int16(),
        highWatermark: int64(),
        lastStableOffset: int64({ versions: '4+', default: -1 }),
        logStartOffset: int64({ versions: '5+', default: -1 }),
        divergingEpoch: struct({
          epoch: int32({ versions: '12+', default: -1 }),
          endOffset: int64({ versions: '12+', default: -1 })
        }, { versions: '12+', taggedVersions: '12+', tag: 0 }),
        currentLeader: struct({
          leaderId: int32({ versions: '12+', default: -1 }),
          leaderEpoch: int32({ versions: '12+', default: -1 })
        }, { versions: '12+', taggedVersions: '12+', tag: 1 }),
        snapshotId: struct({
          endOffset: int64({ default: -1 }),
          epoch: int32({ default: -1 })
        }, { versions: '12+', taggedVersions: '12+', tag: 2 }),
        // Nullable without a declared default: absent means an empty list, as in Kafka.
        abortedTransactions: array(struct({
          producerId: int64({ versions: '4+' }),
          firstOffset: int64({ versions: '4+' })
        }), { versions: '4+', nullable: '4+', default: [] }),
        preferredReadReplica: int32({ versions: '11+', default: -1 }),
        records: records({ nullable: '0+' })
      }))
    })),
    nodeEndpoints: array(struct({
      nodeId: int32({ versions: '16+' }),
      host: string({ versions: '16+' }),
      port: int32({ versions: '16+' }),
      rack: string({ versions: '16+', nullable: '16+', default: null })
    }), { versions: '16+', taggedVersions: '16+', tag: 0 })
  }
})
