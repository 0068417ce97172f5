import { context as otelContext } from '@opentelemetry/api'
import type { ConsumerMetrics } from '../observability/consumer-metrics.js'
import { endSpan } from '../observability/tracing.js'
import { backoffDelay } from '../retry/backoff.js'
import { classify, type ErrorCategory } from '../retry/categories.js'
import { RETRY_HEADERS, attemptsSoFar, readNumber } from '../retry/headers.js'
import type { RetryPolicy } from '../retry/policy.js'
import type { Recoverer, Recovery } from '../retry/recoverer.js'
import { parseRetryTopic } from '../retry/topics.js'
import type { ClientServices } from '../services.js'
import type { EachMessagePayload, MessageContext } from '../types.js'
import type { ConsumedRecord } from './records.js'

/** What runs a record of one (main) topic: decoding, validation and the user's handler. */
export type Route = (record: ConsumedRecord, context: MessageContext, payload: EachMessagePayload) => Promise<void>

export interface ProcessorEvents {
  /** One failed try (before any retry decision). */
  'handler.error': { topic: string, partition: number, offset: string, error: unknown, category: ErrorCategory, attempt: number }
  /** The record left for a retry topic, the DLT, or was skipped. */
  'recovered': { topic: string, partition: number, offset: string, error: unknown, category: ErrorCategory, attempts: number, recovery: Recovery }
  /** No handler for the record's topic: it is skipped. */
  'unhandled': { topic: string, partition: number, offset: string }
}

export interface ProcessorOptions {
  groupId: string
  policy: RetryPolicy
  recoverer: Recoverer
  services: ClientServices
  stats: ConsumerMetrics
  routeFor: (topic: string) => Route | undefined
  /** The retry-stage topics this consumer reads (their records run with their main topic's handler). */
  retryTopics: ReadonlySet<string>
  payloadFor: (record: ConsumedRecord) => EachMessagePayload
  emit: <E extends keyof ProcessorEvents>(event: E, payload: ProcessorEvents[E]) => void
  sleep?: (ms: number) => Promise<void>
}

const defaultSleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/**
 * The per-record pipeline: `process <topic>` span, metrics, in-process retries with backoff for retryable
 * categories, then recovery (retry topic / DLT / skip). Resolves once the record may be committed; rejects only
 * if recovery itself failed (the dispatcher then keeps the record and tries again later).
 */
export function createProcessor (options: ProcessorOptions): (record: ConsumedRecord) => Promise<void> {
  const { services, policy, groupId, stats } = options
  const { tracing } = services
  const sleep = options.sleep ?? defaultSleep

  return async (record) => {
    const { base, stage } = options.retryTopics.has(record.topic) ? parseRetryTopic(record.topic) : { base: record.topic, stage: -1 }
    const offset = String(record.offset)
    const route = options.routeFor(base)
    if (route === undefined) {
      options.emit('unhandled', { topic: record.topic, partition: record.partition, offset })
      stats.count(base, 'skipped')
      return
    }
    const started = stats.enabled ? performance.now() : 0
    stats.count(base, 'consumed')
    const traced = tracing?.enabled === true ? tracing.startProcess(record, groupId) : undefined
    const payload = options.payloadFor(record)
    const tries = stage < 0 ? policy.attempts : 1
    const before = attemptsSoFar(record)
    let failure: { error: unknown, category: ErrorCategory } | undefined
    let attempt = before
    for (let i = 1; i <= tries; i++) {
      attempt = before + i
      const context: MessageContext = {
        topic: base,
        partition: record.partition,
        offset,
        timestamp: String(record.timestamp),
        key: record.key === null ? null : record.key.toString(),
        headers: record.headers,
        attempt,
        groupId
      }
      try {
        if (traced === undefined) await route(record, context, payload)
        else await otelContext.with(traced.context, async () => await route(record, context, payload))
        failure = undefined
        break
      } catch (error) {
        const category = classify(error, policy.classifiers, { topic: base, attempt })
        failure = { error, category }
        stats.failure(base, category)
        options.emit('handler.error', { topic: base, partition: record.partition, offset, error, category, attempt })
        if (i === tries || !policy.retryable.has(category)) break
        await sleep(backoffDelay(i, policy.backoff))
      }
    }
    if (stats.enabled) stats.duration(base, (performance.now() - started) / 1000)
    if (failure === undefined) {
      stats.count(base, 'processed')
      if (traced !== undefined) endSpan(traced.span)
      return
    }
    stats.count(base, 'failed')
    if (traced !== undefined) endSpan(traced.span, failure.error, failure.category)
    const recovery = await options.recoverer.recover(record, base, stage, failure.error, failure.category, attempt)
    options.emit('recovered', { topic: base, partition: record.partition, offset, error: failure.error, category: failure.category, attempts: attempt, recovery })
  }
}

/** When a retry-topic record is due: its backoff header, else its timestamp plus the stage delay. */
export function dueAtOf (record: ConsumedRecord, policy: RetryPolicy, retryTopics: ReadonlySet<string>): number | undefined {
  if (!retryTopics.has(record.topic)) return undefined
  const header = readNumber(record.headers[RETRY_HEADERS.backoffTimestamp], 'biginteger')
  if (header !== undefined) return Number(header)
  const { stage } = parseRetryTopic(record.topic)
  return Number(record.timestamp) + (policy.stageDelays[stage] ?? 0)
}
