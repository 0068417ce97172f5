import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, int64, string, struct } from '../codec/schema.js'

/**
 * DescribeLogDirs (key 35). Versions 0–4; flexible from 2. A null topic list asks for every partition.
 * - v1: same layout (throttled responses are sent before throttling). v2: first flexible version.
 * - v3: response adds a top-level errorCode. v4: each log dir reports totalBytes and usableBytes (KIP-827).
 */
export const DescribeLogDirsApi = defineApi({
  key: 35,
  name: 'DescribeLogDirs',
  valid: '0-4',
  flexible: '2+',
  request: {
    topics: array(struct({
      topic: string(),
      partitions: array(int32())
    }), { nullable: '0+', default: [] })
  },
  response: {
    throttleTimeMs: int32(),
    errorCode: int16({ versions: '3+' }),
    results: array(struct({
      errorCode: int16(),
      logDir: string(),
      topics: array(struct({
        name: string(),
        partitions: array(struct({
          partitionIndex: int32(),
          partitionSize: int64(),
          offsetLag: int64(),
          isFutureKey: bool()
        }))
      })),
      totalBytes: int64({ versions: '4+', default: -1 }),
      usableBytes: int64({ versions: '4+', default: -1 })
    }))
  }
})
