import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, string, struct, uuid } from '../codec/schema.js'

/**
 * Metadata (key 3). Versions 0–12; flexible from 9.
 * - v0: an empty topic list means "all topics". From v1 an empty list means "no topics" and null means "all".
 * - v1: response adds broker rack, controllerId and isInternal. v2: clusterId. v3: throttleTimeMs. v4:
 *   allowAutoTopicCreation. v5: offlineReplicas per partition. v6: same layout. v7: leaderEpoch per partition.
 * - v8: authorized operations may be requested for the cluster and for topics.
 * - v9: first flexible version. v10: topicId in request and response (requesting by id only works from v12).
 * - v11: cluster authorized operations move to DescribeCluster (KIP-700). v12: topics may be asked by id, so
 *   response topic names may be null.
 */
export const MetadataApi = defineApi({
  key: 3,
  name: 'Metadata',
  valid: '0-12',
  flexible: '9+',
  request: {
    topics: array(struct({
      topicId: uuid({ versions: '10+' }),
      name: string({ nullable: '10+', default: '' })
    }), { nullable: '1+', default: [] }),
    allowAutoTopicCreation: bool({ versions: '4+', default: true }),
    includeClusterAuthorizedOperations: bool({ versions: '8-10' }),
    includeTopicAuthorizedOperations: bool({ versions: '8+' })
  },
  response: {
    throttleTimeMs: int32({ versions: '3+' }),
    brokers: array(struct({
      nodeId: int32(),
      host: string(),
      port: int32(),
      rack: string({ versions: '1+', nullable: '1+', default: null })
    })),
    clusterId: string({ versions: '2+', nullable: '2+', default: null }),
    controllerId: int32({ versions: '1+', default: -1 }),
    topics: array(struct({
      errorCode: int16(),
      name: string({ nullable: '12+', default: '' }),
      topicId: uuid({ versions: '10+' }),
      isInternal: bool({ versions: '1+', default: false }),
      partitions: array(struct({
        errorCode: int16(),
        partitionIndex: int32(),
        leaderId: int32(),
        leaderEpoch: int32({ versions: '7+', default: -1 }),
        replicaNodes: array(int32()),
        isrNodes: array(int32()),
        offlineReplicas: array(int32(), { versions: '5+' })
      })),
      topicAuthorizedOperations: int32({ versions: '8+', default: -2147483648 })
    })),
    clusterAuthorizedOperations: int32({ versions: '8-10', default: -2147483648 })
  }
})
