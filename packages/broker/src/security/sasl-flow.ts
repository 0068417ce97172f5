import { setTimeout as sleep } from 'node:timers/promises'
import type { Security } from './index.js'
import { SaslAuthenticationError, type SaslStep } from './sasl/exchange.js'
import type { Session } from './session.js'

/**
 * The SASL steps shared by SaslHandshake/SaslAuthenticate (v1 framing) and the raw tokens of a v0 handshake.
 * A failure is audited and logged with its reason, the client gets Kafka's generic message after
 * connection.failed.authentication.delay.ms (a brake on password guessing), and the connection closes.
 */
export type HandshakeOutcome = 'ok' | 'unsupported' | 'illegal'

export function handshake (security: Security, session: Session, mechanism: string, version: number): HandshakeOutcome {
  const reauthenticating = session.authenticated && session.saslState === 'authenticated'
  if (session.saslState !== 'handshake' && !reauthenticating) return 'illegal'
  // KIP-368: re-authentication uses handshake v1+ and the mechanism of the first authentication.
  if (reauthenticating && (version === 0 || mechanism !== session.mechanism)) return 'illegal'
  if (!security.mechanisms.includes(mechanism)) {
    security.record({ event: 'authentication', listener: session.listener.name, client: session.host, mechanism, result: 'failure', reason: 'mechanism not enabled' })
    return 'unsupported'
  }
  session.beginExchange(security.createExchange(mechanism), version)
  return 'ok'
}

export type TokenOutcome =
  | { ok: true, step: SaslStep, lifetimeMs: number }
  | { ok: false, message: string }

export async function authenticateToken (security: Security, session: Session, token: Buffer): Promise<TokenOutcome> {
  const exchange = session.exchange
  const wasAuthenticated = session.authenticated
  try {
    if (exchange === undefined) throw new SaslAuthenticationError('Unexpected SASL token', 'token outside an exchange')
    const step = await exchange.step(token)
    if (!step.done) return { ok: true, step, lifetimeMs: 0 }
    const principal = `User:${exchange.username!}`
    if (wasAuthenticated && principal !== session.principal) {
      throw new SaslAuthenticationError(`Cannot change principals during re-authentication from ${session.principal}: ${principal}`, 'principal changed during re-authentication', exchange.username)
    }
    session.complete(principal, security.reauthMs, Date.now())
    security.record({ event: 'authentication', listener: session.listener.name, client: session.host, mechanism: exchange.mechanism, principal, result: 'success', reauthentication: wasAuthenticated })
    return { ok: true, step, lifetimeMs: security.reauthMs }
  } catch (error) {
    if (!(error instanceof SaslAuthenticationError)) throw error
    session.fail()
    security.logger.info(`SASL authentication failed on ${session.listener.name} from ${session.host} (${session.mechanism}${error.username !== undefined ? `, user ${error.username}` : ''}): ${error.reason}`)
    security.record({ event: 'authentication', listener: session.listener.name, client: session.host, mechanism: session.mechanism, user: error.username ?? null, result: 'failure', reason: error.reason })
    if (security.failureDelayMs > 0) await sleep(security.failureDelayMs)
    return { ok: false, message: error.clientMessage }
  }
}

/**
 * One raw token after a v0 handshake (kafka-python): the reply is the server token, size-prefixed, or null when
 * the connection must close (failure: raw framing has no way to say why).
 */
export async function rawToken (security: Security, session: Session, frame: Buffer): Promise<Buffer | null> {
  const outcome = await authenticateToken(security, session, frame)
  if (!outcome.ok) return null
  const size = Buffer.allocUnsafe(4)
  size.writeInt32BE(outcome.step.response.length)
  return Buffer.concat([size, outcome.step.response])
}
