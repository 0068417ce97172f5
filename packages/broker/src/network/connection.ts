import type { Socket } from 'node:net'
import {
  API_VERSIONS_KEY, ApiVersionsApi, ErrorCode, ProduceApi, Reader, decodeRequestBody, encodeResponse, isFlexible,
  readRequestHeader, skipHeaderTaggedFields, type RequestHeader
} from '@samsa/protocol'
import { FrameReader } from './frame-reader.js'
import { readChunks } from './read-buffer.js'
import { supportedApiVersions } from '../handlers/18-api-versions.js'
import type { BrokerContext, Handler } from '../handlers/types.js'
import { RAW_TOKEN, Session } from '../security/session.js'
import { rawToken } from '../security/sasl-flow.js'
import { recycleAfterWrite, returnReadBuffer } from '../log/read-buffers.js'
import { UnanswerableRequestError } from '../errors.js'

/**
 * One client connection. Requests are started in arrival order and answered in arrival order (Kafka's
 * guarantee), but a slow request (a Fetch long-poll, a Produce waiting for fsync) does not stop the next ones
 * from starting: pipelined produces share one group-commit fsync.
 *
 * Faults close only this connection: an undecodable frame, an unknown API key, an unsupported version (except
 * ApiVersions, which gets a v0 UNSUPPORTED_VERSION answer with our list), or a handler that throws.
 */
interface Slot { chunks: Buffer[] | null }

const MAX_IN_FLIGHT = 128
const PRODUCE_KEY = ProduceApi.key

export class Connection {
  private readonly frames: FrameReader
  private readonly slots: Slot[] = []
  private closed = false
  private paused = false
  /** Responses completed in one turn of the event loop leave in one write (see respond). */
  private corked = false
  readonly remote: string
  readonly clientHost: string
  /** Principal, listener and SASL state (security/session.ts); a PLAINTEXT anonymous session by default. */
  readonly session: Session

  constructor (private readonly socket: Socket, private readonly broker: BrokerContext, private readonly onClose: (connection: Connection) => void, session?: Session) {
    this.session = session ?? new Session({ name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT' }, socket.remoteAddress)
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    this.clientHost = `/${socket.remoteAddress ?? ''}`
    this.frames = new FrameReader(broker.config.socketRequestMaxBytes, (frame, transient) => this.handleFrame(frame, transient), (size) => {
      this.fault(`invalid request size ${size} (socket.request.max.bytes=${broker.config.socketRequestMaxBytes})`)
    })
    socket.setNoDelay(true)
    // connections.max.idle.ms: Node re-arms the timer on every read and write. A connection waiting for an answer
    // (a long-poll Fetch, a JoinGroup) is not idle; it is looked at again after its next activity. (A listener of
    // its own: the callback form of setTimeout is a once-listener, gone after the first skipped timeout.)
    socket.setTimeout(Math.min(broker.config.connectionsMaxIdleMs, 2 ** 31 - 1))
    socket.on('timeout', () => {
      if (this.slots.length > 0 || this.closed) return
      broker.logger.debug(`closing connection ${this.remote}: idle for connections.max.idle.ms=${broker.config.connectionsMaxIdleMs}`)
      this.close()
    })
    readChunks(socket, (chunk, owned) => this.frames.push(chunk, owned))
    socket.on('error', (error) => broker.logger.debug(`connection ${this.remote}: ${error.message}`))
    socket.on('close', () => {
      this.closed = true
      this.onClose(this)
    })
  }

  close (): void {
    this.closed = true
    this.socket.destroy()
  }

  private fault (reason: string): void {
    if (this.closed) return
    this.broker.logger.warn(`closing connection ${this.remote}: ${reason}`)
    this.close()
  }

  private handleFrame (frame: Buffer, transient: boolean): void {
    if (this.closed) return
    // A view of the reused read buffer: only Produce is done with its frame before the handler first yields
    // (see below); every other request may keep parts of it (metadata, tokens), so it gets a copy.
    if (transient && (this.session.gated || frame.readInt16BE(0) !== PRODUCE_KEY)) frame = Buffer.from(frame)
    if (this.session.gated) { // SASL listener before authentication, or a session that must re-authenticate
      const verdict = this.session.screen(frame, Date.now())
      if (verdict === RAW_TOKEN) return this.rawSaslToken(frame)
      if (verdict !== null) return this.fault(verdict)
    }
    let header: RequestHeader
    const reader = new Reader(frame)
    try {
      header = readRequestHeader(reader)
    } catch (error) {
      this.fault(`malformed request header: ${(error as Error).message}`)
      return
    }
    const handler = this.broker.handlers.get(header.apiKey)
    if (handler === undefined) {
      this.fault(`unsupported API key ${header.apiKey} (correlation id ${header.correlationId})`)
      return
    }
    const version = header.apiVersion
    if (version < handler.minVersion || version > handler.maxVersion) {
      if (header.apiKey === API_VERSIONS_KEY) {
        // Answer in v0 so any client can read it, then let it retry with a version from the list.
        this.respond(this.reserve(), encodeResponse(ApiVersionsApi, 0, header.correlationId, supportedApiVersions(this.broker.handlers, ErrorCode.UNSUPPORTED_VERSION)))
        return
      }
      this.fault(`${handler.api.name} v${version} is not supported (supported: ${handler.minVersion}-${handler.maxVersion})`)
      return
    }
    let request: unknown
    try {
      if (isFlexible(handler.api, version)) skipHeaderTaggedFields(reader)
      request = decodeRequestBody(handler.api, version, reader)
    } catch (error) {
      this.fault(`malformed ${handler.api.name} v${version} request: ${(error as Error).message}`)
      return
    }
    this.dispatch(handler, header, version, request)
    // Produce stores (or copies) its records before its handler first yields: a frame from the slab pool can go back.
    if (header.apiKey === PRODUCE_KEY) returnReadBuffer(frame)
  }

  private dispatch (handler: Handler, header: RequestHeader, version: number, request: unknown): void {
    const slot = this.reserve()
    const finish = (reply: unknown): void => {
      if (reply === null) {
        this.respond(slot, [])
        return
      }
      this.respond(slot, encodeResponse(handler.api, version, header.correlationId, reply as Record<string, unknown>))
      if (this.session.closeAfterReply) this.endAfterWrites()
    }
    const failed = (error: unknown): void => {
      if (error instanceof UnanswerableRequestError) return this.fault(`invalid ${handler.api.name} v${version} request: ${error.message}`)
      this.broker.logger.error(`${handler.api.name} v${version} from ${this.remote} failed: ${(error as Error).stack ?? String(error)}`)
      this.fault(`internal error in ${handler.api.name}`)
    }
    try {
      const result = handler.handle(request as never, { header, version, broker: this.broker, clientHost: this.clientHost, session: this.session })
      // finish can throw too (a reply the encoder refuses): that must close this connection, not reach the
      // process as an unhandled rejection.
      if (result instanceof Promise) result.then(finish).catch(failed)
      else finish(result)
    } catch (error) {
      failed(error)
    }
  }

  /** A raw SASL token after a v0 handshake: answered with a raw size-prefixed token, or the connection closes. */
  private rawSaslToken (frame: Buffer): void {
    const slot = this.reserve()
    rawToken(this.broker.security, this.session, frame).then((reply) => {
      if (reply === null) this.close()
      else this.respond(slot, [reply])
    }, (error: unknown) => {
      this.broker.logger.error(`SASL token from ${this.remote} failed: ${(error as Error).stack ?? String(error)}`)
      this.fault('internal error in SASL authentication')
    })
  }

  /** Sends what is queued, then closes (a refused SASL handshake or authentication). */
  private endAfterWrites (): void {
    this.closed = true
    this.socket.end()
    this.socket.setTimeout(5_000, () => this.socket.destroy())
  }

  private reserve (): Slot {
    const slot: Slot = { chunks: null }
    this.slots.push(slot)
    if (this.slots.length >= MAX_IN_FLIGHT && !this.paused) {
      this.paused = true
      this.socket.pause()
    }
    return slot
  }

  /** Completes a slot and writes every completed response at the head of the queue, in order. */
  private respond (slot: Slot, chunks: Buffer[]): void {
    slot.chunks = chunks
    if (this.closed) return
    while (this.slots.length > 0 && this.slots[0]!.chunks !== null) {
      const head = this.slots.shift()!
      if (!this.corked && head.chunks!.length > 0) {
        // Uncorked once the current batch of callbacks is done: every Produce released by the same group-commit
        // round is answered with one writev instead of one syscall each.
        this.socket.cork()
        this.corked = true
        process.nextTick(() => {
          this.corked = false
          this.socket.uncork()
        })
      }
      const chunks = head.chunks!
      const recycle = recycleAfterWrite(chunks) // Fetch's read buffers return to their pool once written
      for (let i = 0; i < chunks.length; i++) this.socket.write(chunks[i]!, i === chunks.length - 1 ? recycle : undefined)
    }
    if (this.paused && this.slots.length < MAX_IN_FLIGHT / 2) {
      this.paused = false
      this.socket.resume()
    }
  }
}
