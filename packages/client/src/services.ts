import type { TracerProvider } from '@opentelemetry/api'
import type { Registry } from 'prom-client'
import type { ResolvedClientOptions } from './config.js'
import { kafkaMetrics, type KafkaMetrics } from './observability/metrics.js'
import { KafkaTracing } from './observability/tracing.js'

export interface Logger {
  debug: (message: string, ...details: unknown[]) => void
  info: (message: string, ...details: unknown[]) => void
  warn: (message: string, ...details: unknown[]) => void
  error: (message: string, ...details: unknown[]) => void
}

const noop = (): void => {}
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }
/** Warnings and errors to stderr; debug/info dropped. */
export const consoleLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (message, ...details) => console.warn(`[samsa-client] ${message}`, ...details),
  error: (message, ...details) => console.error(`[samsa-client] ${message}`, ...details)
}

export interface ObservabilityOptions {
  /** prom-client metrics: false to disable, or the registry to use (default: prom-client's global registry). */
  metrics?: false | { registry?: Registry }
  /** OpenTelemetry spans: false to disable, or a tracer provider (default: the global one). */
  tracing?: false | { tracerProvider?: TracerProvider }
  logger?: Logger
}

/** What every producer and consumer of one manager shares. */
export interface ClientServices {
  resolved: ResolvedClientOptions
  metrics: KafkaMetrics | undefined
  tracing: KafkaTracing | undefined
  logger: Logger
}

export function createServices (resolved: ResolvedClientOptions, options: ObservabilityOptions): ClientServices {
  return {
    resolved,
    metrics: options.metrics === false ? undefined : kafkaMetrics(options.metrics?.registry),
    tracing: options.tracing === false ? undefined : new KafkaTracing(resolved.clientId, options.tracing?.tracerProvider),
    logger: options.logger ?? consoleLogger
  }
}
