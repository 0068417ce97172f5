import { defineApi } from '../codec/api.js'
import { bytes, int16, int64, string } from '../codec/schema.js'

/**
 * SaslAuthenticate (key 36). Versions 0–2; flexible from 2. Carries one SASL token each way.
 * - v1: response adds sessionLifetimeMs (0 = no re-authentication required; KIP-368).
 * - v2: first flexible version.
 */
export const SaslAuthenticateApi = defineApi({
  key: 36,
  name: 'SaslAuthenticate',
  valid: '0-2',
  flexible: '2+',
  request: {
    authBytes: bytes()
  },
  response: {
    errorCode: int16(),
    errorMessage: string({ nullable: '0+', default: '' }),
    authBytes: bytes(),
    sessionLifetimeMs: int64({ versions: '1+', default: 0 })
  }
})
