import { connect as connectTcp, isIP, type Socket } from 'node:net'
import { connect as connectTls, type ConnectionOptions } from 'node:tls'
import { decodeResponse, encodeRequest, type ApiDefinition, type DeepPartial, type RequestOf, type ResponseOf } from '../codec/api.js'

/**
 * A minimal Kafka client connection: size-prefixed frames in both directions, one correlation id per request,
 * responses matched in the order the requests were sent (Kafka answers a connection's requests in order). For
 * tools and tests that speak the protocol directly (admin commands, raw protocol assertions), not a full client:
 * no metadata, no retries, no reconnects.
 */

export interface SocketOptions {
  host: string
  port: number
  /** Connect over TLS with these options (spread last, so they may override host and servername); plain TCP when absent. */
  tls?: ConnectionOptions
  /** How long the TCP connect plus the TLS handshake may take; 15 s by default. */
  connectTimeoutMs?: number
}

export interface KafkaConnectionOptions {
  /** The client id of every request header. */
  clientId?: string | null
  /** The largest response frame accepted; a larger (or negative) size closes the connection. 100 MiB by default. */
  maxFrameBytes?: number
}

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000
const DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024

/** A connected TCP or TLS socket (after the TLS handshake); rejects on a connect error or time-out. */
export async function connectSocket (options: SocketOptions): Promise<Socket> {
  const { host, port, tls } = options
  return await new Promise<Socket>((resolve, reject) => {
    const connected = (): void => {
      socket.setTimeout(0)
      resolve(socket)
    }
    // A server name is sent for SNI and checked against the certificate; an IP address is not a valid SNI name.
    const socket: Socket = tls === undefined
      ? connectTcp({ host, port }, connected)
      : connectTls({ host, port, servername: isIP(host) === 0 ? host : undefined, ...tls }, connected)
    socket.once('error', reject)
    socket.setTimeout(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, () => socket.destroy(new Error('timed out')))
  })
}

export class KafkaConnection {
  /** Settles when the socket has closed, for whatever reason. */
  readonly closed: Promise<void>
  private readonly clientId: string | null
  private readonly maxFrameBytes: number
  private readonly chunks: Buffer[] = []
  private bufferedBytes = 0
  /** The size of the frame being read, once its 4-byte prefix has arrived; -1 before that. */
  private frameSize = -1
  private readonly frames: Buffer[] = []
  private readonly waiting: Array<(frame: Buffer | null) => void> = []
  private correlationId = 0
  private failure: Error | undefined
  private ended = false

  /** Takes over an already connected socket; see KafkaConnection.open to connect one. */
  constructor (private readonly socket: Socket, options: KafkaConnectionOptions = {}) {
    this.clientId = options.clientId === undefined ? 'samsa' : options.clientId
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
    let resolveClosed!: () => void
    this.closed = new Promise((resolve) => { resolveClosed = resolve })
    const onClose = (): void => {
      if (this.ended) return
      this.ended = true
      for (const waiter of this.waiting.splice(0)) waiter(null)
      resolveClosed()
    }
    socket.once('close', onClose)
    socket.on('error', (error: Error) => { this.failure ??= error })
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    if (socket.closed) onClose() // closed before it was handed over: 'close' will not come again
  }

  static async open (options: SocketOptions & KafkaConnectionOptions): Promise<KafkaConnection> {
    return new KafkaConnection(await connectSocket(options), options)
  }

  get isClosed (): boolean {
    return this.ended
  }

  /** Writes bytes as they are (a request encoded elsewhere, or deliberately malformed input). */
  write (bytes: Buffer | Buffer[]): void {
    for (const chunk of Array.isArray(bytes) ? bytes : [bytes]) this.socket.write(chunk)
  }

  /** Writes one frame: the payload behind its 4-byte size (e.g. a SASL token after a v0 SaslHandshake). */
  writeFrame (payload: Buffer): void {
    const frame = Buffer.allocUnsafe(4 + payload.length)
    frame.writeInt32BE(payload.length, 0)
    payload.copy(frame, 4)
    this.write(frame)
  }

  /** Sends a request without waiting for its response; returns its correlation id. */
  send<A extends ApiDefinition> (api: A, version: number, body: DeepPartial<RequestOf<A>>): number {
    const correlationId = ++this.correlationId
    this.write(encodeRequest(api, version, correlationId, this.clientId, body))
    return correlationId
  }

  /** The next response frame (without its size), or null once the connection has closed and none is left. */
  nextFrame (): Promise<Buffer | null> {
    return this.takeFrame()
  }

  /** Sends a request and decodes its response; rejects if the connection closes first or the response is not its own. */
  async request<A extends ApiDefinition> (api: A, version: number, body: DeepPartial<RequestOf<A>>): Promise<ResponseOf<A>> {
    if (this.ended) throw this.closedError(api)
    const correlationId = this.send(api, version, body)
    const frame = await this.takeFrame()
    if (frame === null) throw this.closedError(api)
    const decoded = decodeResponse(api, version, frame)
    if (decoded.correlationId !== correlationId) throw new Error(`${api.name} response has correlation id ${decoded.correlationId}, expected ${correlationId}`)
    return decoded.body
  }

  close (): void {
    this.socket.destroy()
  }

  /** The socket's error if it failed, else a plain "closed" error. */
  protected closedError (api?: ApiDefinition): Error {
    return this.failure ?? new Error(`the connection closed${api === undefined ? '' : ` before the ${api.name} response`}`)
  }

  // Called synchronously by request() right after send(), so concurrent requests queue their waiters in send order.
  private takeFrame (): Promise<Buffer | null> {
    const ready = this.frames.shift()
    if (ready !== undefined) return Promise.resolve(ready)
    if (this.ended) return Promise.resolve(null)
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  private receive (chunk: Buffer): void {
    this.chunks.push(chunk)
    this.bufferedBytes += chunk.length
    for (;;) {
      if (this.frameSize < 0) {
        if (this.bufferedBytes < 4) return
        const size = this.take(4).readInt32BE(0)
        if (size < 0 || size > this.maxFrameBytes) {
          this.socket.destroy(new Error(`response frame size ${size} is outside 0..${this.maxFrameBytes}`))
          return
        }
        this.frameSize = size
      }
      if (this.bufferedBytes < this.frameSize) return
      const frame = this.take(this.frameSize)
      this.frameSize = -1
      const waiter = this.waiting.shift()
      if (waiter !== undefined) waiter(frame)
      else this.frames.push(frame)
    }
  }

  /** Removes the first n buffered bytes; copies only when they span chunks. */
  private take (n: number): Buffer {
    this.bufferedBytes -= n
    const first = this.chunks[0]
    if (first === undefined || first.length >= n) {
      if (first === undefined || n === 0) return Buffer.alloc(0)
      if (first.length === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
      return first.subarray(0, n)
    }
    const out = Buffer.allocUnsafe(n)
    let filled = 0
    while (filled < n) {
      const chunk = this.chunks[0]!
      const part = Math.min(chunk.length, n - filled)
      chunk.copy(out, filled, 0, part)
      filled += part
      if (part === chunk.length) this.chunks.shift()
      else this.chunks[0] = chunk.subarray(part)
    }
    return out
  }
}
