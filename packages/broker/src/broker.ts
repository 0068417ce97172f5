import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { BrokerConfig } from './config.js'
import { createLogger, type Logger } from './logger.js'
import { Connection } from './network/connection.js'
import { TopicRegistry } from './topics/topic-registry.js'
import { LogMaintenance } from './log/index.js'
import { createHandlerRegistry } from './handlers/registry.js'
import { HANDLERS } from './handlers/index.js'
import type { BrokerContext } from './handlers/types.js'
import { DEFAULT_PRODUCER_STATE_CONFIG, ProducerIdManager, ProducerStates, type FaultHooks, type ProducerStateConfig } from './producers/index.js'
import { DEFAULT_TRANSACTION_CONFIG, TransactionCoordinator, type TransactionConfig } from './transactions/index.js'
import { GroupCoordinator } from './groups/index.js'

/**
 * A single-node broker: one TCP listener, the topic registry (which owns the partition logs) and the handler
 * registry. `Broker.start` resolves once the listener is bound; `stop` closes connections, flushes and closes logs.
 */
export class Broker {
  readonly context: BrokerContext
  private readonly server: Server
  private readonly connections = new Set<Connection>()
  private readonly abort: AbortController
  /** Retention and compaction of every partition, every log.retention.check.interval.ms. */
  private readonly maintenance: LogMaintenance
  private stopped: Promise<void> | undefined

  private constructor (context: BrokerContext, server: Server, abort: AbortController, maintenance: LogMaintenance) {
    this.context = context
    this.server = server
    this.abort = abort
    this.maintenance = maintenance
  }

  static async start (config: BrokerConfig, options: { logger?: Logger, transactions?: Partial<TransactionConfig>, producerState?: Partial<ProducerStateConfig> } = {}): Promise<Broker> {
    const logger = options.logger ?? createLogger()
    const topics = TopicRegistry.open(config, logger)
    const faults: FaultHooks = {}
    const producers = new ProducerStates(topics, { ...DEFAULT_PRODUCER_STATE_CONFIG, ...options.producerState }, logger, faults)
    const transactions = new TransactionCoordinator({
      dataDir: config.dataDir, topics, producers, producerIds: ProducerIdManager.open(config.dataDir), logger, faults, config: { ...DEFAULT_TRANSACTION_CONFIG, ...options.transactions }
    })
    producers.verifyTransaction = (producerId, epoch, topic, partition) => transactions.isPartitionInTransaction(producerId, epoch, topic, partition)
    const groups = await GroupCoordinator.open(config, topics, logger)
    transactions.offsetSink = groups.txnOffsetSink
    await transactions.recover() // finish commits/aborts a crash interrupted, before any client can look
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
      closing: abort.signal,
      producers,
      transactions,
      groups,
      faults
    }
    const maintenance = new LogMaintenance({
      intervalMs: config.logRetentionCheckIntervalMs,
      logs: () => topics.list().flatMap((topic) => topic.partitions),
      logger
    })
    const broker = new Broker(context, server, abort, maintenance)
    maintenance.start()
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
      await this.context.transactions.close()
      await this.context.groups.close()
      await this.context.topics.close()
      this.context.producers.close() // snapshots at the log ends, after the logs are flushed
      this.context.logger.info('broker stopped')
    })()
    return this.stopped
  }
}
