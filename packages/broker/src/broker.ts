import type { Socket } from 'node:net'
import type { BrokerConfig } from './config.js'
import { createLogger, type Logger } from './logger.js'
import { Connection } from './network/connection.js'
import { TopicRegistry } from './topics/topic-registry.js'
import { LogMaintenance } from './log/index.js'
import { createHandlerRegistry } from './handlers/registry.js'
import { HANDLERS } from './handlers/index.js'
import type { BrokerContext } from './handlers/types.js'
import { DEFAULT_PRODUCER_STATE_CONFIG, ProducerIdManager, ProducerStates, type FaultHooks, type ProducerStateConfig } from './producers/index.js'
import { TransactionCoordinator, type TransactionConfig } from './transactions/index.js'
import { GroupCoordinator } from './groups/index.js'
import { Security, type Session } from './security/index.js'
import { resolveListeners } from './security/listeners.js'
import { openListeners, type BoundListener } from './security/listener-servers.js'
import { ConnectionLimits } from './network/connection-limits.js'

/**
 * A single-node broker: its listeners (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL; see security/), the topic registry (which owns the partition logs) and the handler
 * registry. `Broker.start` resolves once the listener is bound; `stop` closes connections, flushes and closes logs.
 */
export class Broker {
  readonly context: BrokerContext
  private readonly servers: BoundListener[]
  private readonly connections = new Set<Connection>()
  private readonly abort: AbortController
  /** Retention and compaction of every partition, every log.retention.check.interval.ms. */
  private readonly maintenance: LogMaintenance
  private stopped: Promise<void> | undefined

  private constructor (context: BrokerContext, servers: BoundListener[], abort: AbortController, maintenance: LogMaintenance) {
    this.context = context
    this.servers = servers
    this.abort = abort
    this.maintenance = maintenance
  }

  static async start (config: BrokerConfig, options: { logger?: Logger, transactions?: Partial<TransactionConfig>, producerState?: Partial<ProducerStateConfig> } = {}): Promise<Broker> {
    const logger = options.logger ?? createLogger()
    const topics = TopicRegistry.open(config, logger)
    const faults: FaultHooks = {}
    const producerStateConfig = { ...DEFAULT_PRODUCER_STATE_CONFIG, producerIdExpirationMs: config.producerIdExpirationMs, expirationCheckIntervalMs: config.producerIdExpirationCheckIntervalMs }
    const producers = new ProducerStates(topics, { ...producerStateConfig, ...options.producerState }, logger, faults)
    const transactions = new TransactionCoordinator({
      dataDir: config.dataDir, topics, producers, producerIds: ProducerIdManager.open(config.dataDir), logger, faults, config: { ...transactionConfigFrom(config), ...options.transactions }
    })
    producers.verifyTransaction = (producerId, epoch, topic, partition) => transactions.isPartitionInTransaction(producerId, epoch, topic, partition)
    const groups = await GroupCoordinator.open(config, topics, logger)
    transactions.offsetSink = groups.txnOffsetSink
    await transactions.recover() // finish commits/aborts a crash interrupted, before any client can look
    const security = Security.open(config, topics, logger)
    let accept: (socket: Socket, session: Session) => void = (socket) => socket.destroy() // until the broker exists
    const limits = await ConnectionLimits.create(config, logger)
    const servers = await openListeners(config, resolveListeners(config), security, logger, limits, (socket, session) => accept(socket, session))
    const bound = servers[0]!
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
      faults,
      security
    }
    const maintenance = new LogMaintenance({
      intervalMs: config.logRetentionCheckIntervalMs,
      logs: () => topics.list().flatMap((topic) => topic.partitions),
      logger
    })
    const broker = new Broker(context, servers, abort, maintenance)
    maintenance.start()
    // Each listener advertises its own address (advertised.listeners); the first keeps advertised.host/port.
    const contexts = servers.map((listener, index) => index === 0 && listener.spec.advertised === undefined
      ? context
      : Object.create(context, { advertised: { value: listener.spec.advertised ?? { host: listener.host, port: listener.port }, enumerable: true } }) as BrokerContext)
    accept = (socket, session) => broker.accept(socket, contexts[servers.findIndex((listener) => listener.spec.name === session.listener.name)] ?? context, session)
    return broker
  }

  /** The first listener's bound address. */
  get address (): { host: string, port: number } {
    return { host: this.servers[0]!.host, port: this.servers[0]!.port }
  }

  /** Every listener with its security protocol and bound address. */
  get listeners (): Array<{ name: string, securityProtocol: string, host: string, port: number }> {
    return this.servers.map((listener) => ({ name: listener.spec.name, securityProtocol: listener.spec.securityProtocol, host: listener.host, port: listener.port }))
  }

  private accept (socket: Socket, context: BrokerContext, session: Session): void {
    const connection = new Connection(socket, context, (closed) => this.connections.delete(closed), session)
    this.connections.add(connection)
  }

  stop (): Promise<void> {
    this.stopped ??= (async () => {
      this.abort.abort()
      const closedListeners = Promise.all(this.servers.map((listener) => new Promise<void>((resolve) => listener.server.close(() => resolve()))))
      for (const connection of this.connections) connection.close()
      await closedListeners
      await this.maintenance.stop() // no retention or compaction pass starts while the logs close
      await this.context.transactions.close()
      await this.context.groups.close()
      await this.context.security.close() // the audit topic is appended to before the logs close
      await this.context.topics.close()
      this.context.producers.close() // snapshots at the log ends, after the logs are flushed
      this.context.logger.info('broker stopped')
    })()
    return this.stopped
  }
}

/** Maps the broker's transaction.* keys onto the coordinator's config. */
function transactionConfigFrom (config: BrokerConfig): TransactionConfig {
  return {
    transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
    transactionalIdExpirationMs: config.transactionalIdExpirationMs,
    abortTimedOutTransactionCleanupIntervalMs: config.transactionAbortTimedOutTransactionCleanupIntervalMs,
    removeExpiredTransactionalIdCleanupIntervalMs: config.transactionRemoveExpiredTransactionCleanupIntervalMs
  }
}
