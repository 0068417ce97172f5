import { ErrorCode, SaslHandshakeApi } from '@samsa/protocol'
import { handshake } from '../security/sasl-flow.js'
import { defineHandler } from './types.js'

/**
 * SaslHandshake (17), versions 0–1.
 * Behavior: on a SASL_PLAINTEXT/SASL_SSL listener, selects the mechanism and answers with the enabled ones
 * (sasl.enabled.mechanisms). v0: the client then sends raw size-prefixed SASL tokens (no Kafka header; kafka-python
 * works this way); v1: tokens travel in SaslAuthenticate requests. A mechanism that is not enabled gets
 * UNSUPPORTED_SASL_MECHANISM and the connection closes, as in Kafka. A handshake out of sequence (a second one, or
 * on a listener without SASL) gets ILLEGAL_SASL_STATE. An authenticated session re-authenticates (KIP-368) with a v1
 * handshake naming its original mechanism.
 */
export const saslHandshakeHandler = defineHandler({
  api: SaslHandshakeApi,
  minVersion: 0,
  maxVersion: 1,
  handle (request, { broker, session, version }) {
    const mechanisms = [...broker.security.mechanisms]
    if (session === undefined || session.listener.securityProtocol === 'PLAINTEXT' || session.listener.securityProtocol === 'SSL') {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms }
    }
    const outcome = handshake(broker.security, session, request.mechanism, version)
    if (outcome === 'ok') return { errorCode: ErrorCode.NONE, mechanisms }
    session.fail()
    return { errorCode: outcome === 'unsupported' ? ErrorCode.UNSUPPORTED_SASL_MECHANISM : ErrorCode.ILLEGAL_SASL_STATE, mechanisms }
  }
})
