import { connect as connectTcp, type Socket } from 'node:net'
import { connect as connectTls, type ConnectionOptions } from 'node:tls'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ErrorCode, SaslAuthenticateApi, SaslHandshakeApi, decodeResponse, encodeRequest,
  type ApiDefinition, type DeepPartial, type RequestOf, type ResponseOf
} from '@samsa/protocol'
import { createDevCertificates, newCredential, saslClient, type DevCertificateFiles, type ScramMechanism } from '../../src/index.js'
import { startBroker, type TestBroker } from '../helpers.js'

/**
 * Test helpers for the security suite: a raw Kafka client over TCP or TLS (RawClient's twin, which the shared
 * helpers only offer over TCP), SASL logins through it, users, and development certificates.
 */
export class SecureClient {
  private buffered = Buffer.alloc(0)
  private readonly waiting: Array<(frame: Buffer) => void> = []
  private readonly frames: Buffer[] = []
  private correlationId = 0
  readonly closed: Promise<void>
  isClosed = false

  private constructor (readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => { this.isClosed = true; resolve() }))
    socket.on('error', () => {})
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0)
        const frame = this.buffered.subarray(4, 4 + size)
        this.buffered = this.buffered.subarray(4 + size)
        const waiter = this.waiting.shift()
        if (waiter !== undefined) waiter(frame)
        else this.frames.push(frame)
      }
    })
  }

  static connect (port: number, tls?: ConnectionOptions): Promise<SecureClient> {
    return new Promise((resolve, reject) => {
      const socket: Socket = tls === undefined
        ? connectTcp({ port, host: '127.0.0.1' }, () => resolve(new SecureClient(socket)))
        : connectTls({ port, host: '127.0.0.1', servername: 'localhost', ...tls }, () => resolve(new SecureClient(socket)))
      socket.once('error', reject)
    })
  }

  write (bytes: Buffer | Buffer[]): void {
    for (const chunk of Array.isArray(bytes) ? bytes : [bytes]) this.socket.write(chunk)
  }

  /** A raw SASL token (after a v0 handshake): size-prefixed bytes without a Kafka header. */
  writeRaw (token: Buffer): void {
    const size = Buffer.alloc(4)
    size.writeInt32BE(token.length)
    this.write(Buffer.concat([size, token]))
  }

  /** The next frame, or null if the connection closes first. */
  nextFrame (): Promise<Buffer | null> {
    const ready = this.frames.shift()
    if (ready !== undefined) return Promise.resolve(ready)
    if (this.isClosed) return Promise.resolve(null)
    return new Promise((resolve) => {
      this.waiting.push(resolve)
      void this.closed.then(() => resolve(null))
    })
  }

  send<A extends ApiDefinition> (api: A, version: number, body: DeepPartial<RequestOf<A>>): number {
    const correlationId = ++this.correlationId
    this.write(encodeRequest(api, version, correlationId, 'samsa-security-test', body))
    return correlationId
  }

  async request<A extends ApiDefinition> (api: A, version: number, body: DeepPartial<RequestOf<A>>): Promise<ResponseOf<A>> {
    const correlationId = this.send(api, version, body)
    const frame = await this.nextFrame()
    if (frame === null) throw new Error(`connection closed before the ${api.name} response`)
    const decoded = decodeResponse(api, version, frame)
    if (decoded.correlationId !== correlationId) throw new Error(`correlation id ${decoded.correlationId} != ${correlationId}`)
    return decoded.body
  }

  close (): void {
    this.socket.destroy()
  }
}

/** SaslHandshake v1 + SaslAuthenticate (v2 by default). Returns the last SaslAuthenticate response. */
export async function saslLogin (client: SecureClient, mechanism: string, user: string, password: string, authenticateVersion = 2): Promise<ResponseOf<typeof SaslAuthenticateApi>> {
  const handshake = await client.request(SaslHandshakeApi, 1, { mechanism })
  if (handshake.errorCode !== ErrorCode.NONE) throw new Error(`handshake failed with ${handshake.errorCode}`)
  const sasl = saslClient(mechanism, user, password)
  let token: Buffer | null = sasl.first()
  for (;;) {
    const response = await client.request(SaslAuthenticateApi, authenticateVersion, { authBytes: token })
    if (response.errorCode !== ErrorCode.NONE) return response
    token = sasl.next(response.authBytes)
    if (token === null) return response
  }
}

/** Stores SCRAM-SHA-256 and -512 credentials for a user in a running in-process broker. */
export function addUser (server: TestBroker, user: string, password: string, mechanisms: ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512']): void {
  const credentials = server.broker.context.security.credentials
  for (const mechanism of mechanisms) credentials.upsert(user, mechanism, newCredential(mechanism, password, 4096))
  credentials.save()
}

export function listenerPort (server: TestBroker, name: string): number {
  const listener = server.broker.listeners.find((entry) => entry.name === name)
  if (listener === undefined) throw new Error(`no listener ${name}`)
  return listener.port
}

/** A broker with PLAINTEXT (first) plus the given extra listeners on free ports. */
export async function startSecureBroker (extraListeners: string[], overrides: Record<string, string> = {}): Promise<TestBroker> {
  const listeners = ['PLAINTEXT://127.0.0.1:0', ...extraListeners.map((name) => `${name}://127.0.0.1:0`)].join(',')
  return await startBroker({ listeners, 'connection.failed.authentication.delay.ms': '0', ...overrides })
}

let certificates: DevCertificateFiles | undefined
/** One set of development certificates per test process (clients alice and bob). */
export function devCertificates (): DevCertificateFiles {
  if (certificates === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-certs-'))
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    certificates = createDevCertificates({ dir, clients: ['alice', 'bob'] })
  }
  return certificates
}

/** A temporary directory removed when the test process exits. */
export function scratchDir (prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}
