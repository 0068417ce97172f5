import { defineApi } from '../codec/api.js'
import { array, int16, string } from '../codec/schema.js'

/**
 * SaslHandshake (key 17). Versions 0–1; never flexible. The response lists the mechanisms the broker enables.
 * - v0: raw SASL tokens follow the handshake outside Kafka framing.
 * - v1: same layout; the tokens are exchanged in SaslAuthenticate (key 36) requests instead. Kafka keeps this API
 *   frozen because clients up to 2.4 negotiate its version incorrectly.
 */
export const SaslHandshakeApi = defineApi({
  key: 17,
  name: 'SaslHandshake',
  valid: '0-1',
  flexible: 'none',
  request: {
    mechanism: string()
  },
  response: {
    errorCode: int16(),
    mechanisms: array(string())
  }
})
