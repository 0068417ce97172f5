/**
 * One SASL exchange on one connection, mechanism-independent: the connection (SaslAuthenticate v1+ or the raw
 * tokens that follow a v0 handshake) feeds client tokens in and sends the returned server tokens back.
 */
export interface SaslStep {
  /** Server token to send back (empty when the mechanism has nothing to say). */
  response: Buffer
  /** True once the client is authenticated; `username` is then set. */
  done: boolean
}

export interface SaslExchange {
  readonly mechanism: string
  readonly username: string | undefined
  /** Rejects with SaslAuthenticationError when the token is malformed or the credentials are wrong. */
  step: (token: Buffer) => Promise<SaslStep>
}

/**
 * A failed authentication. `clientMessage` is what the client sees (Kafka's wording, never whether the user
 * exists); `reason` is for the broker log and the audit log only.
 */
export class SaslAuthenticationError extends Error {
  constructor (readonly clientMessage: string, readonly reason: string, readonly username?: string) {
    super(clientMessage)
  }
}

export const EMPTY_TOKEN = Buffer.alloc(0)
