import { defineApi } from '../codec/api.js'
import { array, int16, int32, int8, string, struct } from '../codec/schema.js'

/**
 * FindCoordinator (key 10). Versions 0–6; flexible from 3.
 * - v1: keyType (0 = group, 1 = transaction); response adds throttleTimeMs and errorMessage. v2: same layout.
 * - v3: first flexible version.
 * - v4: batched lookups: the request carries coordinatorKeys and the response a coordinators list instead of the
 *   single key / node fields (KIP-699). v5: TRANSACTION_ABORTABLE possible. v6: keyType 2 = share group (KIP-932).
 */
export const FindCoordinatorApi = defineApi({
  key: 10,
  name: 'FindCoordinator',
  valid: '0-6',
  flexible: '3+',
  request: {
    key: string({ versions: '0-3' }),
    keyType: int8({ versions: '1+', default: 0 }),
    coordinatorKeys: array(string(), { versions: '4+' })
  },
  response: {
    throttleTimeMs: int32({ versions: '1+' }),
    errorCode: int16({ versions: '0-3' }),
    errorMessage: string({ versions: '1-3', nullable: '1-3', default: '' }),
    nodeId: int32({ versions: '0-3' }),
    host: string({ versions: '0-3' }),
    port: int32({ versions: '0-3' }),
    coordinators: array(struct({
      key: string({ versions: '4+' }),
      nodeId: int32({ versions: '4+' }),
      host: string({ versions: '4+' }),
      port: int32({ versions: '4+' }),
      errorCode: int16({ versions: '4+' }),
      errorMessage: string({ versions: '4+', nullable: '4+', default: '' })
    }), { versions: '4+' })
  }
})
