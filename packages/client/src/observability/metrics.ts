import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client'

/** The metric names of our designs (healthcare monitoring example), plus retry/DLQ/circuit counters. */
export interface KafkaMetrics {
  /** status: produced, consumed, processed, failed, retried, dead_lettered, skipped. */
  messages: Counter<'topic' | 'status'>
  processingDuration: Histogram<'topic' | 'consumer_group'>
  sendDuration: Histogram<'topic'>
  /** Handler failures by error category (every failed attempt). */
  failures: Counter<'topic' | 'consumer_group' | 'error_type'>
  producerFailures: Counter<'topic'>
  deadLetters: Counter<'topic' | 'error_type'>
  retries: Counter<'topic' | 'retry_topic'>
  /** Readable end (high watermark, or last stable offset under read_committed) − committed offset, per owned partition. */
  lag: Gauge<'topic' | 'partition' | 'consumer_group'>
  messageSize: Gauge<'topic'>
  /** 0 CLOSED, 1 OPEN, 2 HALF_OPEN. */
  circuitState: Gauge<'name'>
  /** Called before every collection: consumers push the counts they aggregate locally. */
  flushers: Set<() => void>
}

const perRegistry = new WeakMap<Registry, KafkaMetrics>()

/** The SDK's metrics on `registry` (prom-client's default registry unless given), created once per registry. */
export function kafkaMetrics (registry: Registry = defaultRegistry): KafkaMetrics {
  const existing = perRegistry.get(registry)
  if (existing !== undefined) return existing
  const reuse = <M>(name: string, create: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? create()
  const registers = [registry]
  const flushers = new Set<() => void>()
  const metrics: KafkaMetrics = {
    flushers,
    messages: reuse('kafka_messages_total', () => new Counter({
      name: 'kafka_messages_total',
      help: 'Kafka messages by topic and outcome',
      labelNames: ['topic', 'status'],
      registers,
      collect: () => { for (const flush of flushers) flush() }
    })),
    processingDuration: reuse('kafka_message_processing_duration_seconds', () => new Histogram({
      name: 'kafka_message_processing_duration_seconds',
      help: 'Time taken to process Kafka messages (handler, retries included)',
      labelNames: ['topic', 'consumer_group'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 20, 30, 60],
      registers
    })),
    sendDuration: reuse('kafka_producer_send_duration_seconds', () => new Histogram({
      name: 'kafka_producer_send_duration_seconds',
      help: 'Time from send() to the broker acknowledgement',
      labelNames: ['topic'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers
    })),
    failures: reuse('kafka_message_failures_total', () => new Counter({ name: 'kafka_message_failures_total', help: 'Failed handler attempts by error category', labelNames: ['topic', 'consumer_group', 'error_type'], registers })),
    producerFailures: reuse('kafka_producer_failures_total', () => new Counter({ name: 'kafka_producer_failures_total', help: 'Failed send() calls', labelNames: ['topic'], registers })),
    deadLetters: reuse('kafka_dlq_messages_total', () => new Counter({ name: 'kafka_dlq_messages_total', help: 'Messages sent to a dead-letter topic', labelNames: ['topic', 'error_type'], registers })),
    retries: reuse('kafka_retry_messages_total', () => new Counter({ name: 'kafka_retry_messages_total', help: 'Messages forwarded to a retry topic', labelNames: ['topic', 'retry_topic'], registers })),
    lag: reuse('kafka_consumer_lag', () => new Gauge({ name: 'kafka_consumer_lag', help: 'Lag of consumer groups by topic-partition', labelNames: ['topic', 'partition', 'consumer_group'], registers })),
    messageSize: reuse('kafka_message_size_bytes', () => new Gauge({ name: 'kafka_message_size_bytes', help: 'Size of the last Kafka message sent, in bytes', labelNames: ['topic'], registers })),
    circuitState: reuse('kafka_circuit_breaker_state', () => new Gauge({ name: 'kafka_circuit_breaker_state', help: 'Producer circuit state: 0 closed, 1 open, 2 half-open', labelNames: ['name'], registers }))
  }
  perRegistry.set(registry, metrics)
  return metrics
}

/** A node:http handler answering GET /metrics in the Prometheus text format (404 elsewhere). */
export function metricsHandler (registry: Registry = defaultRegistry): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end()
      return
    }
    registry.metrics().then((body) => {
      response.writeHead(200, { 'content-type': registry.contentType }).end(body)
    }, (error: Error) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message)
    })
  }
}

/** Serves /metrics on 127.0.0.1 (by default) and resolves once listening. */
export async function startMetricsServer (options: { port?: number, host?: string, registry?: Registry } = {}): Promise<Server> {
  const server = createServer(metricsHandler(options.registry))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 9464, options.host ?? '127.0.0.1', () => resolve())
  })
  return server
}
