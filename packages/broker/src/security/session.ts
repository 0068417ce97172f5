import { usesSasl, type SecurityProtocol } from './listeners.js'
import type { SaslExchange } from './sasl/exchange.js'

/**
 * The security state of one connection: the listener it arrived on, who the client is (its principal), and where
 * it stands in the SASL exchange. The connection consults `gated` (one boolean) before each frame; only SASL
 * listeners before authentication, and sessions with a lifetime (KIP-368), have it set.
 *
 *   handshake ──SaslHandshake v1──► authenticate ──SaslAuthenticate…──► authenticated
 *       └──────SaslHandshake v0──► raw tokens ─────────────────────────────┘
 * Before authentication only ApiVersions and SaslHandshake (then SaslAuthenticate) are accepted; anything else
 * closes the connection, as in Kafka. An authenticated session with a lifetime re-authenticates by running the
 * exchange again (handshake v1 + SaslAuthenticate); after expiry any other request closes the connection.
 */
export const ANONYMOUS = 'User:ANONYMOUS'
export type SaslState = 'handshake' | 'authenticate' | 'raw' | 'authenticated' | 'failed'

const SASL_HANDSHAKE = 17
const API_VERSIONS = 18
const SASL_AUTHENTICATE = 36
/** Returned by screen(): the frame is a raw SASL token (after a v0 handshake), not a Kafka request. */
export const RAW_TOKEN = 'raw'

export interface ListenerInfo {
  readonly name: string
  readonly securityProtocol: SecurityProtocol
}

export class Session {
  principal: string
  /** The client's address as ACL host filters name it ("127.0.0.1", "::1"). */
  readonly host: string
  gated: boolean
  saslState: SaslState
  /** Mechanism of the current or last exchange. */
  mechanism = ''
  exchange: SaslExchange | undefined
  /** Whether this connection has completed an authentication (re-authentications keep the principal). */
  authenticated = false
  /** SaslAuthenticate version of the exchange in progress (0 for raw tokens); clients below v1 cannot re-authenticate. */
  authenticateVersion = 0
  /** Epoch ms after which only a re-authentication is accepted (0 = never). */
  expiresAt = 0
  /** Set by a handler: close the connection once its reply is written. */
  closeAfterReply = false

  constructor (readonly listener: ListenerInfo, remoteAddress: string | undefined, principal = ANONYMOUS, readonly maxUnauthenticatedFrame = Number.MAX_SAFE_INTEGER) {
    this.principal = principal
    this.host = normalizeHost(remoteAddress ?? '')
    this.gated = usesSasl(listener.securityProtocol)
    this.saslState = this.gated ? 'handshake' : 'authenticated'
    this.authenticated = !this.gated
  }

  /** Why this frame must close the connection, RAW_TOKEN for a raw SASL token, or null to process it. */
  screen (frame: Buffer, now: number): string | null {
    if (this.saslState === 'raw') return frame.length > this.maxUnauthenticatedFrame ? 'SASL token larger than sasl.server.max.receive.size' : RAW_TOKEN
    const apiKey = frame.readInt16BE(0)
    if (!this.authenticated) {
      if (frame.length > this.maxUnauthenticatedFrame) return `request of ${frame.length} bytes before SASL authentication exceeds sasl.server.max.receive.size`
      const expected = this.saslState === 'authenticate' ? apiKey === SASL_AUTHENTICATE : this.saslState === 'handshake' && (apiKey === SASL_HANDSHAKE || apiKey === API_VERSIONS)
      return expected ? null : `unexpected request (API key ${apiKey}) in SASL state ${this.saslState}`
    }
    if (this.expiresAt !== 0 && now > this.expiresAt && apiKey !== SASL_HANDSHAKE && apiKey !== SASL_AUTHENTICATE) {
      return 'SASL session expired without re-authentication (connections.max.reauth.ms)'
    }
    return null
  }

  beginExchange (exchange: SaslExchange, handshakeVersion: number): void {
    this.exchange = exchange
    this.mechanism = exchange.mechanism
    this.saslState = handshakeVersion === 0 ? 'raw' : 'authenticate'
    this.authenticateVersion = 0
  }

  /** Completes an exchange: the principal is set, and the session expires after lifetimeMs (0 = never). */
  complete (principal: string, lifetimeMs: number, now: number): void {
    this.principal = principal
    this.authenticated = true
    this.saslState = 'authenticated'
    this.exchange = undefined
    this.expiresAt = lifetimeMs > 0 ? now + lifetimeMs : 0
    this.gated = this.expiresAt !== 0
  }

  fail (): void {
    this.saslState = 'failed'
    this.exchange = undefined
    this.closeAfterReply = true
  }
}

/** "::ffff:127.0.0.1" → "127.0.0.1": ACLs name IPv4 clients by their IPv4 address. */
export function normalizeHost (address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address
}
