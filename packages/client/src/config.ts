import type { ConnectionOptions as TlsOptions } from 'node:tls'
import type { BaseOptions, SASLMechanismValue } from '@platformatic/kafka'
import { SamsaClientError } from './errors.js'

export type NodeEnv = 'development' | 'production' | 'test' | (string & {})

export interface SaslOptions {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer' | Uppercase<'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer'>
  username?: string
  password?: string
  /** OAUTHBEARER token. */
  token?: string
}

/** kafkajs-style retry settings, as our reference designs write them. */
export interface RetryOptions {
  /** First delay in ms (default 100). */
  initialRetryTime?: number
  /** Attempts after the first (default 5). */
  retries?: number
  /** Cap on one delay in ms (default 30 000). */
  maxRetryTime?: number
  /** Growth of the delay per attempt (default 2). */
  multiplier?: number
  /** Randomisation: each delay is scaled by a factor in [1 - factor, 1 + factor] (default 0.2). */
  factor?: number
}

export interface KafkaClientOptions {
  clientId?: string
  nodeEnv?: NodeEnv
  /** host:port list. Falls back to KAFKA_BROKERS, then to 127.0.0.1:9092 outside production. */
  brokers?: string[]
  /** true for TLS with the system CAs, or Node TLS options. Falls back to KAFKA_SSL. */
  ssl?: boolean | TlsOptions
  /** Falls back to KAFKA_SASL_MECHANISM / KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD. */
  sasl?: SaslOptions
  retry?: RetryOptions
  connectionTimeout?: number
  requestTimeout?: number
  /** Cluster metadata cache lifetime in ms (default 5 000). */
  metadataMaxAge?: number
}

export interface ResolvedClientOptions {
  clientId: string
  nodeEnv: NodeEnv
  brokers: string[]
  ssl: false | TlsOptions
  sasl: SaslOptions | undefined
  retry: Required<RetryOptions>
  connectionTimeout: number | undefined
  requestTimeout: number | undefined
  metadataMaxAge: number | undefined
}

export const DEFAULT_RETRY: Required<RetryOptions> = { initialRetryTime: 100, retries: 5, maxRetryTime: 30_000, multiplier: 2, factor: 0.2 }
export const DEVELOPMENT_BROKERS = ['127.0.0.1:9092']

type Env = Record<string, string | undefined>

/** The options our environment variables describe (only those that are set). */
export function optionsFromEnv (env: Env = process.env): KafkaClientOptions {
  const options: KafkaClientOptions = {}
  const brokers = env.KAFKA_BROKERS?.split(',').map((b) => b.trim()).filter((b) => b.length > 0)
  if (brokers !== undefined && brokers.length > 0) options.brokers = brokers
  if (nonEmpty(env.KAFKA_CLIENT_ID)) options.clientId = env.KAFKA_CLIENT_ID
  if (nonEmpty(env.KAFKA_SSL)) options.ssl = parseBoolean('KAFKA_SSL', env.KAFKA_SSL)
  if (nonEmpty(env.KAFKA_SASL_MECHANISM)) {
    const mechanism = env.KAFKA_SASL_MECHANISM.toLowerCase()
    if (!['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'].includes(mechanism)) {
      throw new SamsaClientError('SAMSA_CLIENT_CONFIG', `KAFKA_SASL_MECHANISM=${env.KAFKA_SASL_MECHANISM} is not one of plain, scram-sha-256, scram-sha-512, oauthbearer`)
    }
    options.sasl = {
      mechanism: mechanism as SaslOptions['mechanism'],
      ...(env.KAFKA_SASL_USERNAME !== undefined ? { username: env.KAFKA_SASL_USERNAME } : {}),
      ...(env.KAFKA_SASL_PASSWORD !== undefined ? { password: env.KAFKA_SASL_PASSWORD } : {}),
      ...(env.KAFKA_SASL_TOKEN !== undefined ? { token: env.KAFKA_SASL_TOKEN } : {})
    }
  }
  if (nonEmpty(env.NODE_ENV)) options.nodeEnv = env.NODE_ENV
  return options
}

/** Explicit options win over the environment; production refuses to guess broker addresses. */
export function resolveClientOptions (options: KafkaClientOptions, env: Env = process.env): ResolvedClientOptions {
  const fromEnv = optionsFromEnv(env)
  const nodeEnv = options.nodeEnv ?? fromEnv.nodeEnv ?? 'development'
  const brokers = options.brokers ?? fromEnv.brokers ?? (nodeEnv === 'production' ? undefined : DEVELOPMENT_BROKERS)
  if (brokers === undefined || brokers.length === 0) {
    throw new SamsaClientError('SAMSA_CLIENT_CONFIG', 'no brokers: pass `brokers` or set KAFKA_BROKERS (there is no default in production)')
  }
  const clientId = options.clientId ?? fromEnv.clientId
  if (clientId === undefined || clientId.length === 0) {
    throw new SamsaClientError('SAMSA_CLIENT_CONFIG', 'no client id: pass `clientId` or set KAFKA_CLIENT_ID')
  }
  const ssl = options.ssl ?? fromEnv.ssl ?? false
  return {
    clientId,
    nodeEnv,
    brokers,
    ssl: ssl === true ? {} : ssl,
    sasl: options.sasl ?? fromEnv.sasl,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    connectionTimeout: options.connectionTimeout,
    requestTimeout: options.requestTimeout,
    metadataMaxAge: options.metadataMaxAge
  }
}

/** Exponential delay of retry `attempt` (1-based) with the configured jitter. */
export function retryDelay (retry: Required<RetryOptions>, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(retry.maxRetryTime, retry.initialRetryTime * retry.multiplier ** Math.max(0, attempt - 1))
  const jitter = 1 - retry.factor + 2 * retry.factor * random()
  return Math.max(0, Math.round(Math.min(retry.maxRetryTime, base * jitter)))
}

/** The connection options @platformatic/kafka takes, for one client named `clientId`. */
export function toBaseOptions (resolved: ResolvedClientOptions, clientId: string = resolved.clientId): BaseOptions {
  const base: BaseOptions = {
    clientId,
    bootstrapBrokers: resolved.brokers,
    retries: resolved.retry.retries,
    retryDelay: (_client, _operation, attempt) => retryDelay(resolved.retry, attempt)
  }
  if (resolved.ssl !== false) base.tls = resolved.ssl
  if (resolved.sasl !== undefined) {
    base.sasl = {
      mechanism: resolved.sasl.mechanism.toUpperCase() as SASLMechanismValue,
      ...(resolved.sasl.username !== undefined ? { username: resolved.sasl.username } : {}),
      ...(resolved.sasl.password !== undefined ? { password: resolved.sasl.password } : {}),
      ...(resolved.sasl.token !== undefined ? { token: resolved.sasl.token } : {})
    }
  }
  if (resolved.connectionTimeout !== undefined) base.connectTimeout = resolved.connectionTimeout
  if (resolved.requestTimeout !== undefined) base.requestTimeout = resolved.requestTimeout
  if (resolved.metadataMaxAge !== undefined) base.metadataMaxAge = resolved.metadataMaxAge
  return base
}

function nonEmpty (value: string | undefined): value is string {
  return value !== undefined && value.length > 0
}

function parseBoolean (name: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true
  if (/^(0|false|no|off)$/i.test(value)) return false
  throw new SamsaClientError('SAMSA_CLIENT_CONFIG', `${name}=${value} is not a boolean`)
}
