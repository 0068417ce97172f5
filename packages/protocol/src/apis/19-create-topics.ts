import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, int8, string, struct, uuid } from '../codec/schema.js'

/**
 * CreateTopics (key 19). Versions 0–7; flexible from 5.
 * - v1: validateOnly; response adds a per-topic errorMessage. v2: response adds throttleTimeMs. v3: same layout.
 * - v4: numPartitions / replicationFactor may be -1 (broker defaults) even without manual assignments (KIP-464).
 * - v5: first flexible version; the response echoes partitions, replication factor and the resulting configs
 *   (KIP-525), with topicConfigErrorCode as a tagged field.
 * - v6: THROTTLING_QUOTA_EXCEEDED possible (KIP-599). v7: response returns the new topic's id.
 */
export const CreateTopicsApi = defineApi({
  key: 19,
  name: 'CreateTopics',
  valid: '0-7',
  flexible: '5+',
  request: {
    topics: array(struct({
      name: string(),
      numPartitions: int32(),
      replicationFactor: int16(),
      assignments: array(struct({
        partitionIndex: int32(),
        brokerIds: array(int32())
      })),
      configs: array(struct({
        name: string(),
        value: string({ nullable: '0+', default: '' })
      }))
    })),
    timeoutMs: int32({ default: 60000 }),
    validateOnly: bool({ versions: '1+', default: false })
  },
  response: {
    throttleTimeMs: int32({ versions: '2+' }),
    topics: array(struct({
      name: string(),
      topicId: uuid({ versions: '7+' }),
      errorCode: int16(),
      errorMessage: string({ versions: '1+', nullable: '0+', default: '' }),
      topicConfigErrorCode: int16({ versions: '5+', taggedVersions: '5+', tag: 0 }),
      numPartitions: int32({ versions: '5+', default: -1 }),
      replicationFactor: int16({ versions: '5+', default: -1 }),
      configs: array(struct({
        name: string({ versions: '5+' }),
        value: string({ versions: '5+', nullable: '5+', default: '' }),
        readOnly: bool({ versions: '5+' }),
        configSource: int8({ versions: '5+', default: -1 }),
        isSensitive: bool({ versions: '5+' })
      }), { versions: '5+', nullable: '5+', default: [] })
    }))
  }
})
