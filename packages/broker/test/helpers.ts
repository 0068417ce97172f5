import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectSocket, KafkaConnection } from '@samsa/protocol'
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

/**
 * The shared protocol connection, for exact protocol assertions and malformed input. Every frame a test reads is
 * expected to arrive, so nextFrame rejects instead of yielding null when the broker closes the connection.
 */
export class RawClient extends KafkaConnection {
  static async connect (port: number): Promise<RawClient> {
    return new RawClient(await connectSocket({ host: '127.0.0.1', port }), { clientId: 'samsa-test' })
  }

  override async nextFrame (): Promise<Buffer> {
    const frame = await super.nextFrame()
    if (frame === null) throw this.closedError()
    return frame
  }
}
