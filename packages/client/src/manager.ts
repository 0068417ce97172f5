import { resolveClientOptions, type KafkaClientOptions, type ResolvedClientOptions } from './config.js'
import { KafkaConsumer } from './consumer/consumer.js'
import type { ConsumerOptions } from './consumer/options.js'
import { SamsaClientError } from './errors.js'
import { TransactionalPipeline, type PipelineOptions } from './eos.js'
import { checkHealth, type HealthStatus } from './health.js'
import { KafkaProducer, type ProducerOptions } from './producer/producer.js'
import { createServices, type ClientServices, type ObservabilityOptions } from './services.js'

export interface KafkaManagerOptions extends KafkaClientOptions, ObservabilityOptions {
  /** Environment to read KAFKA_* from (default process.env). */
  env?: Record<string, string | undefined>
}

const RECOVERER = '__samsa-recoverer'

/** Creates and owns the producers and consumers of one cluster; `disconnectAll()` closes them in order. */
export class KafkaManager {
  readonly options: ResolvedClientOptions
  readonly #services: ClientServices
  readonly #producers = new Map<string, KafkaProducer>()
  readonly #consumers = new Map<string, KafkaConsumer>()
  #recoverer: Promise<KafkaProducer> | undefined
  readonly #pipelines = new Set<TransactionalPipeline>()

  constructor (options: KafkaManagerOptions = {}) {
    this.options = resolveClientOptions(options, options.env)
    this.#services = createServices(this.options, options)
  }

  get services (): ClientServices { return this.#services }

  createProducer (name: string, options: ProducerOptions = {}): KafkaProducer {
    if (this.#producers.has(name) || name === RECOVERER) throw new SamsaClientError('SAMSA_CLIENT_STATE', `a producer named ${name} exists already`)
    const producer = new KafkaProducer(name, this.#services, options)
    this.#producers.set(name, producer)
    return producer
  }

  createConsumer (name: string, options: ConsumerOptions): KafkaConsumer {
    if (this.#consumers.has(name)) throw new SamsaClientError('SAMSA_CLIENT_STATE', `a consumer named ${name} exists already`)
    const consumer = new KafkaConsumer(name, this.#services, options, async () => await this.#recovererProducer())
    this.#consumers.set(name, consumer)
    return consumer
  }

  getProducer (name: string): KafkaProducer | undefined {
    return this.#producers.get(name)
  }

  getConsumer (name: string): KafkaConsumer | undefined {
    return this.#consumers.get(name)
  }

  /** Consumers first (they finish handlers and may still dead-letter), then producers. */
  async disconnectAll (): Promise<void> {
    const errors: unknown[] = []
    const collect = async (work: Array<Promise<void>>): Promise<void> => {
      for (const result of await Promise.allSettled(work)) if (result.status === 'rejected') errors.push(result.reason)
    }
    await collect([...this.#pipelines].map(async (pipeline) => await pipeline.stop()))
    this.#pipelines.clear()
    await collect([...this.#consumers.values()].map(async (consumer) => await consumer.disconnect()))
    await collect([...this.#producers.values()].map(async (producer) => await producer.disconnect()))
    const recoverer = this.#recoverer
    this.#recoverer = undefined
    if (recoverer !== undefined) await collect([recoverer.then(async (producer) => await producer.disconnect())])
    if (errors.length > 0) throw new AggregateError(errors, `disconnectAll: ${errors.length} client(s) failed to close`)
  }

  /** Lists brokers and topics through the admin API. Never throws: failures come back as status 'down'. */
  async healthCheck (options: { timeoutMs?: number } = {}): Promise<HealthStatus> {
    return await checkHealth(this.options, options.timeoutMs ?? 5000)
  }

  /** Starts an exactly-once consume-transform-produce pipeline on this cluster (stopped by disconnectAll). */
  async transactionalPipeline (options: PipelineOptions): Promise<TransactionalPipeline> {
    const pipeline = new TransactionalPipeline(this, options)
    await pipeline.start()
    this.#pipelines.add(pipeline)
    return pipeline
  }

  /** The idempotent producer consumers use for retry topics and DLTs. */
  async #recovererProducer (): Promise<KafkaProducer> {
    this.#recoverer ??= (async () => {
      const producer = new KafkaProducer(RECOVERER, this.#services, { idempotent: true, circuitBreaker: false })
      await producer.connect()
      return producer
    })()
    this.#recoverer.catch(() => { this.#recoverer = undefined })
    return await this.#recoverer
  }
}

/** Several clusters by name (`production`, `analytics`…), each a lazily created KafkaManager. */
export class KafkaClusters {
  readonly #definitions: Record<string, KafkaManagerOptions>
  readonly #managers = new Map<string, KafkaManager>()

  constructor (definitions: Record<string, KafkaManagerOptions>) {
    this.#definitions = definitions
  }

  names (): string[] {
    return Object.keys(this.#definitions)
  }

  get (env: string): KafkaManager {
    let manager = this.#managers.get(env)
    if (manager === undefined) {
      const definition = this.#definitions[env]
      if (definition === undefined) throw new SamsaClientError('SAMSA_CLIENT_CONFIG', `no cluster named ${env} (known: ${this.names().join(', ')})`)
      manager = new KafkaManager({ nodeEnv: env, ...definition })
      this.#managers.set(env, manager)
    }
    return manager
  }

  async healthCheck (env: string, options?: { timeoutMs?: number }): Promise<HealthStatus> {
    return await this.get(env).healthCheck(options)
  }

  async healthCheckAll (options?: { timeoutMs?: number }): Promise<Record<string, HealthStatus>> {
    const entries = await Promise.all(this.names().map(async (env) => [env, await this.healthCheck(env, options)] as const))
    return Object.fromEntries(entries)
  }

  async disconnectAll (): Promise<void> {
    await Promise.all([...this.#managers.values()].map(async (manager) => await manager.disconnectAll()))
  }
}
