import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { BrokerConfig } from './config.js'
import { createLogger, type Logger } from './logger.js'
import { Connection } from './network/connection.js'
import { TopicRegistry } from './topics/topic-registry.js'
import { createHandlerRegistry } from './handlers/registry.js'
import { HANDLERS } from './handlers/index.js'
import type { BrokerContext } from './handlers/types.js'

/**
 * A single-node broker: one TCP listener, the topic registry (which owns the partition logs) and the handler
 * registry. `Broker.start` resolves once the listener is bound; `stop` closes connections, flushes and closes logs.
 */
export class Broker {
  readonly context: BrokerContext
  private readonly server: Server
  private readonly connections = new Set<Connection>()
  private readonly abort: AbortController
  private stopped: Promise<void> | undefined

  private constructor (context: BrokerContext, server: Server, abort: AbortController) {
    this.context = context
    this.server = server
    this.abort = abort
  }

  static async start (config: BrokerConfig, options: { logger?: Logger } = {}): Promise<Broker> {
    const logger = options.logger ?? createLogger()
    const topics = TopicRegistry.open(config, logger)
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ port: config.port, host: config.host }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    const bound = server.address() as AddressInfo
    const abort = new AbortController()
    const context: BrokerContext = {
      config,
      topics,
      logger,
      nodeId: config.nodeId,
      clusterId: topics.clusterId,
      advertised: { host: config.advertisedHost !== '' ? config.advertisedHost : config.host, port: config.advertisedPort !== 0 ? config.advertisedPort : bound.port },
      handlers: createHandlerRegistry(HANDLERS),
      closing: abort.signal
    }
    const broker = new Broker(context, server, abort)
    server.on('connection', (socket: Socket) => broker.accept(socket))
    server.on('error', (error) => logger.error(`listener error: ${error.message}`))
    return broker
  }

  get address (): { host: string, port: number } {
    const bound = this.server.address() as AddressInfo
    return { host: bound.address, port: bound.port }
  }

  private accept (socket: Socket): void {
    const connection = new Connection(socket, this.context, (closed) => this.connections.delete(closed))
    this.connections.add(connection)
  }

  stop (): Promise<void> {
    this.stopped ??= (async () => {
      this.abort.abort()
      const closedListener = new Promise<void>((resolve) => this.server.close(() => resolve()))
      for (const connection of this.connections) connection.close()
      await closedListener
      await this.context.topics.close()
      this.context.logger.info('broker stopped')
    })()
    return this.stopped
  }
}
