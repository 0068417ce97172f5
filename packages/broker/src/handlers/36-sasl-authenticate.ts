import { ErrorCode, SaslAuthenticateApi } from '@samsa/protocol'
import { authenticateToken } from '../security/sasl-flow.js'
import { defineHandler } from './types.js'

/**
 * SaslAuthenticate (36), versions 0–2 (v2 flexible).
 * Behavior: carries one token of the exchange chosen by SaslHandshake v1 (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).
 * Wrong credentials or a malformed token: SASL_AUTHENTICATION_FAILED with Kafka's generic message, sent after
 * connection.failed.authentication.delay.ms, then the connection closes. A SaslAuthenticate without a preceding
 * handshake gets ILLEGAL_SASL_STATE and the connection closes.
 * Version notes: v1+ returns sessionLifetimeMs = connections.max.reauth.ms once authenticated (0 = no
 * re-authentication needed); clients re-authenticate before it elapses (KIP-368). A v0 client cannot, so its
 * connection is closed at expiry instead — as Kafka does.
 */
export const saslAuthenticateHandler = defineHandler({
  api: SaslAuthenticateApi,
  minVersion: 0,
  maxVersion: 2,
  async handle (request, { broker, session }) {
    if (session === undefined || session.exchange === undefined || session.saslState !== 'authenticate') {
      if (session !== undefined && !session.authenticated) session.fail() // mid-exchange confusion ends the connection
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'Unexpected SaslAuthenticate request: no SASL handshake in progress', authBytes: EMPTY, sessionLifetimeMs: 0 }
    }
    const outcome = await authenticateToken(broker.security, session, request.authBytes)
    if (!outcome.ok) return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: outcome.message, authBytes: EMPTY, sessionLifetimeMs: 0 }
    return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: outcome.step.response, sessionLifetimeMs: outcome.step.done ? outcome.lifetimeMs : 0 }
  }
})

const EMPTY = Buffer.alloc(0)
