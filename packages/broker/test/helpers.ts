import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeResponse, type DeepPartial, encodeRequest, type ApiDefinition, type RequestOf, type ResponseOf } from '@samsa/protocol'
import { Broker, loadConfig, silentLogger } from '../src/index.js'

export interface TestBroker {
  broker: Broker
  port: number
  dataDir: string
  stop: (options?: { keepData?: boolean }) => Promise<void>
}

/** Starts an in-process broker on a free port with a fresh data directory (or the given one). */
export async function startBroker (overrides: Record<string, string> = {}, dataDir = mkdtempSync(join(tmpdir(), 'samsa-test-'))): Promise<TestBroker> {
  const config = loadConfig({ env: {}, overrides: { port: '0', 'log.dirs': dataDir, ...overrides } })
  const broker = await Broker.start(config, { logger: silentLogger })
  return {
    broker,
    port: broker.address.port,
    dataDir,
    async stop (options = {}) {
      await broker.stop()
      if (options.keepData !== true) rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

/** A minimal raw client: sends frames, reads frames. For exact protocol assertions and malformed input. */
export class RawClient {
  private readonly socket: Socket
  private buffered = Buffer.alloc(0)
  private readonly waiting: Array<(frame: Buffer) => void> = []
  private readonly frames: Buffer[] = []
  private correlationId = 0
  closed: Promise<void>

  private constructor (socket: Socket) {
    this.socket = socket
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
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

  static connect (port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' }, () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  write (bytes: Buffer | Buffer[]): void {
    for (const chunk of Array.isArray(bytes) ? bytes : [bytes]) this.socket.write(chunk)
  }

  nextFrame (): Promise<Buffer> {
    const ready = this.frames.shift()
    if (ready !== undefined) return Promise.resolve(ready)
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  send<A extends ApiDefinition> (api: A, version: number, body: DeepPartial<RequestOf<A>>): number {
    const correlationId = ++this.correlationId
    this.write(encodeRequest(api, version, correlationId, 'samsa-test', body))
    return correlationId
  }

  async request<A extends ApiDefinition> (api: A, version: number, body: DeepPartial<RequestOf<A>>): Promise<ResponseOf<A>> {
    const correlationId = this.send(api, version, body)
    const frame = await this.nextFrame()
    const decoded = decodeResponse(api, version, frame)
    if (decoded.correlationId !== correlationId) throw new Error(`correlation id ${decoded.correlationId} != ${correlationId}`)
    return decoded.body
  }

  close (): void {
    this.socket.destroy()
  }
}
