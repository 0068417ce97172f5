import { createServer, connect, type Server, type Socket } from 'node:net'

/**
 * A transparent TCP relay between clients and the broker that notes the (api key, version) of every request.
 * The broker is started with `advertised.port` = the relay's port, so clients reach it through the relay for
 * bootstrap and for every connection they open after Metadata; the relay therefore sees everything a client sends.
 * Bytes are forwarded untouched in both directions; only the client-to-broker stream is parsed (4-byte size, then
 * api key i16 and api version i16 at the start of each request header).
 */
export const API_NAMES: Readonly<Record<number, string>> = {
  0: 'Produce',
  1: 'Fetch',
  2: 'ListOffsets',
  3: 'Metadata',
  8: 'OffsetCommit',
  9: 'OffsetFetch',
  10: 'FindCoordinator',
  11: 'JoinGroup',
  12: 'Heartbeat',
  13: 'LeaveGroup',
  14: 'SyncGroup',
  17: 'SaslHandshake',
  18: 'ApiVersions',
  19: 'CreateTopics',
  22: 'InitProducerId',
  23: 'OffsetForLeaderEpoch',
  32: 'DescribeConfigs',
  60: 'DescribeCluster',
  63: 'BrokerHeartbeat',
  71: 'GetTelemetrySubscriptions'
}

export type VersionSummary = Record<string, number[]>

export class VersionRecorder {
  private readonly seen = new Map<number, Set<number>>()
  private readonly sockets = new Set<Socket>()
  private upstream: { host: string, port: number } | undefined

  private constructor (private readonly server: Server, readonly port: number) {}

  static async start (): Promise<VersionRecorder> {
    let recorder: VersionRecorder | undefined
    const server = createServer((client) => recorder!.relay(client))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('relay has no TCP address')
    recorder = new VersionRecorder(server, address.port)
    return recorder
  }

  get bootstrap (): string { return `127.0.0.1:${this.port}` }

  /** Where connections go; can change between broker restarts. */
  target (host: string, port: number): void {
    this.upstream = { host, port }
  }

  /** Forgets what was seen so far (to look at one client's requests only). */
  reset (): void {
    this.seen.clear()
  }

  /** { Produce: [7], Fetch: [11], ... } — sorted versions per API, APIs by key. */
  summary (): VersionSummary {
    const result: VersionSummary = {}
    for (const key of [...this.seen.keys()].sort((a, b) => a - b)) {
      result[API_NAMES[key] ?? `api${key}`] = [...this.seen.get(key)!].sort((a, b) => a - b)
    }
    return result
  }

  async close (): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private relay (client: Socket): void {
    const upstream = this.upstream
    if (upstream === undefined) {
      client.destroy()
      return
    }
    const broker = connect(upstream.port, upstream.host)
    this.sockets.add(client)
    this.sockets.add(broker)
    const headers = new RequestHeaderScanner((apiKey, apiVersion) => this.record(apiKey, apiVersion))
    client.on('data', (chunk: Buffer) => headers.push(chunk))
    client.pipe(broker)
    broker.pipe(client)
    const close = (): void => {
      client.destroy()
      broker.destroy()
      this.sockets.delete(client)
      this.sockets.delete(broker)
    }
    client.on('error', close)
    broker.on('error', close)
    client.on('close', close)
    broker.on('close', close)
  }

  private record (apiKey: number, apiVersion: number): void {
    let versions = this.seen.get(apiKey)
    if (versions === undefined) this.seen.set(apiKey, versions = new Set())
    versions.add(apiVersion)
  }
}

/** Finds request boundaries in a client's byte stream without buffering request bodies. */
class RequestHeaderScanner {
  private skip = 0 // bytes of the current request body still to pass over
  private head = Buffer.alloc(0) // start of the next request, until its first 8 bytes are there

  constructor (private readonly onRequest: (apiKey: number, apiVersion: number) => void) {}

  push (chunk: Buffer): void {
    let data = chunk
    while (data.length > 0) {
      if (this.skip > 0) {
        const passed = Math.min(this.skip, data.length)
        this.skip -= passed
        data = data.subarray(passed)
        continue
      }
      const needed = 8 - this.head.length
      this.head = Buffer.concat([this.head, data.subarray(0, needed)])
      data = data.subarray(Math.min(needed, data.length))
      if (this.head.length < 8) return
      const size = this.head.readInt32BE(0)
      this.onRequest(this.head.readInt16BE(4), this.head.readInt16BE(6))
      this.skip = size - 4 // size counts from the api key on; 4 of those bytes were in the head
      this.head = Buffer.alloc(0)
    }
  }
}
