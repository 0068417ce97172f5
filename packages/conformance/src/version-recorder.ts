import { createServer, connect, type Server, type Socket } from 'node:net'

/**
 * A transparent TCP relay between clients and the broker that notes the api key and version of every request.
 * The broker is started with `advertised.port` = the relay's port, so clients reach it through the relay for
 * bootstrap and for every connection they open after Metadata; the relay therefore sees everything a client sends.
 * Bytes are forwarded untouched in both directions; only the client-to-broker stream is parsed (4-byte size, then
 * api key, api version and client id of each request header), so versions can be told apart per client.
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
  15: 'DescribeGroups',
  16: 'ListGroups',
  19: 'CreateTopics',
  20: 'DeleteTopics',
  21: 'DeleteRecords',
  22: 'InitProducerId',
  23: 'OffsetForLeaderEpoch',
  24: 'AddPartitionsToTxn',
  25: 'AddOffsetsToTxn',
  26: 'EndTxn',
  28: 'TxnOffsetCommit',
  32: 'DescribeConfigs',
  33: 'AlterConfigs',
  35: 'DescribeLogDirs',
  36: 'SaslAuthenticate',
  37: 'CreatePartitions',
  42: 'DeleteGroups',
  44: 'IncrementalAlterConfigs',
  60: 'DescribeCluster',
  63: 'BrokerHeartbeat',
  68: 'ConsumerGroupHeartbeat',
  69: 'ConsumerGroupDescribe',
  71: 'GetTelemetrySubscriptions'
}

export type VersionSummary = Record<string, number[]>

export class VersionRecorder {
  /** client id → api key → versions */
  private readonly seen = new Map<string, Map<number, Set<number>>>()
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

  /**
   * { Produce: [7], Fetch: [11], ... }: sorted versions per API, APIs in key order, for the requests whose client
   * id matches `clientId` (a string: equal; a RegExp: matching), or for all requests.
   */
  summary (clientId?: string | RegExp): VersionSummary {
    const merged = new Map<number, Set<number>>()
    for (const [id, byApi] of this.seen) {
      if (typeof clientId === 'string' && id !== clientId) continue
      if (clientId instanceof RegExp && !clientId.test(id)) continue
      for (const [apiKey, versions] of byApi) {
        let into = merged.get(apiKey)
        if (into === undefined) merged.set(apiKey, into = new Set())
        for (const version of versions) into.add(version)
      }
    }
    const result: VersionSummary = {}
    for (const key of [...merged.keys()].sort((a, b) => a - b)) {
      result[API_NAMES[key] ?? `api${key}`] = [...merged.get(key)!].sort((a, b) => a - b)
    }
    return result
  }

  /** Client ids seen so far. */
  clientIds (): string[] {
    return [...this.seen.keys()].sort()
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
    const headers = new RequestHeaderScanner((apiKey, apiVersion, clientId) => this.record(apiKey, apiVersion, clientId))
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

  private record (apiKey: number, apiVersion: number, clientId: string): void {
    let byClient = this.seen.get(clientId)
    if (byClient === undefined) this.seen.set(clientId, byClient = new Map())
    let versions = byClient.get(apiKey)
    if (versions === undefined) byClient.set(apiKey, versions = new Set())
    versions.add(apiVersion)
  }
}

/**
 * Finds request boundaries in a client's byte stream and reads each request header's api key, api version and
 * client id (request header v1+: size i32, api key i16, api version i16, correlation id i32, client id as an
 * i16-length string, also in the flexible header v2). Request bodies are skipped, never buffered.
 */
class RequestHeaderScanner {
  private skip = 0 // bytes of the current request still to pass over
  private head = Buffer.alloc(0) // start of the next request, until its header is complete

  constructor (private readonly onRequest: (apiKey: number, apiVersion: number, clientId: string) => void) {}

  push (chunk: Buffer): void {
    let data = chunk
    while (data.length > 0) {
      if (this.skip > 0) {
        const passed = Math.min(this.skip, data.length)
        this.skip -= passed
        data = data.subarray(passed)
        continue
      }
      this.head = Buffer.concat([this.head, data])
      data = Buffer.alloc(0)
      if (this.head.length < 14) return
      const frameEnd = 4 + this.head.readInt32BE(0)
      const clientIdLength = this.head.readInt16BE(12)
      const headerEnd = Math.min(frameEnd, 14 + Math.max(clientIdLength, 0))
      if (this.head.length < headerEnd) return
      const clientId = clientIdLength < 0 ? '' : this.head.subarray(14, headerEnd).toString('utf8')
      this.onRequest(this.head.readInt16BE(4), this.head.readInt16BE(6), clientId)
      if (this.head.length >= frameEnd) {
        data = this.head.subarray(frameEnd) // the next request(s) already arrived
      } else {
        this.skip = frameEnd - this.head.length
      }
      this.head = Buffer.alloc(0)
    }
  }
}
