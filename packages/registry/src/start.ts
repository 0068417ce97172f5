/** Starts a registry: open/replay `_schemas`, then serve HTTP. `close()` stops both. */
import { startHttpServer, type HttpOptions } from './http/server.js'
import { silentLogger, type Logger } from './logger.js'
import { Registry } from './registry.js'
import { KafkaStore } from './store/store.js'

export interface StartRegistryOptions extends HttpOptions {
  /** Kafka bootstrap servers ("host:port" or a list). */
  bootstrap: string | string[]
  /** The storage topic (Confluent's kafkastore.topic). */
  topic?: string
  clientId?: string
  logger?: Logger
  replicationFactor?: number
  timeoutMs?: number
}

export interface RunningRegistry {
  url: string
  registry: Registry
  close: () => Promise<void>
}

export async function startRegistry (options: StartRegistryOptions): Promise<RunningRegistry> {
  const logger = options.logger ?? silentLogger
  const bootstrap = typeof options.bootstrap === 'string' ? options.bootstrap.split(',').map((s) => s.trim()).filter((s) => s !== '') : options.bootstrap
  const store = await KafkaStore.open({
    bootstrap,
    topic: options.topic ?? '_schemas',
    clientId: options.clientId ?? 'samsa-registry',
    logger,
    replicationFactor: options.replicationFactor,
    timeoutMs: options.timeoutMs
  })
  const registry = new Registry(store)
  let http
  try {
    http = await startHttpServer(registry, options, logger)
  } catch (error) {
    await store.close()
    throw error
  }
  return {
    url: http.url,
    registry,
    async close () {
      await http.close()
      await store.close()
    }
  }
}
