import type { ConsumedRecord } from '../consumer/records.js'
import type { KafkaMetrics } from '../observability/metrics.js'
import type { KafkaProducer } from '../producer/producer.js'
import type { ErrorCategory } from './categories.js'
import { failureHeaders } from './headers.js'
import type { RetryPolicy } from './policy.js'
import { deadLetterTopicName, retryTopicName } from './topics.js'

export type Recovery =
  | { action: 'retry', topic: string, dueAt: number }
  | { action: 'dead-letter', topic: string }
  | { action: 'skip' }

export interface RecovererOptions {
  policy: RetryPolicy
  groupId: string
  producer: () => Promise<KafkaProducer>
  metrics: KafkaMetrics | undefined
  now?: () => number
}

/**
 * Where a record goes once its handler has given up on it: the next retry topic (retryable category, stages
 * left), else the DLT (if enabled), else nowhere. Publishing happens before the original offset is committed.
 */
export class Recoverer {
  readonly #options: RecovererOptions

  constructor (options: RecovererOptions) {
    this.#options = options
  }

  decide (base: string, stage: number, category: ErrorCategory): Recovery {
    const { policy } = this.#options
    const now = (this.#options.now ?? Date.now)()
    const next = stage + 1
    if (policy.retryable.has(category) && next < policy.stageDelays.length) {
      return { action: 'retry', topic: retryTopicName(base, next), dueAt: now + policy.stageDelays[next]! }
    }
    if (policy.deadLetter) return { action: 'dead-letter', topic: deadLetterTopicName(base) }
    return { action: 'skip' }
  }

  async recover (record: ConsumedRecord, base: string, stage: number, error: unknown, category: ErrorCategory, attempts: number): Promise<Recovery> {
    const recovery = this.decide(base, stage, category)
    const { metrics } = this.#options
    if (recovery.action === 'skip') {
      metrics?.messages.inc({ topic: base, status: 'skipped' })
      return recovery
    }
    const headers = failureHeaders(record, {
      error,
      category,
      attempts,
      groupId: this.#options.groupId,
      now: (this.#options.now ?? Date.now)(),
      ...(recovery.action === 'retry' ? { dueAt: recovery.dueAt } : {})
    })
    const producer = await this.#options.producer()
    // Same partition number as the original when the target has it (Spring's default destination).
    const partitions = await producer.raw.metadata({ topics: [recovery.topic] })
    const count = partitions.topics.get(recovery.topic)?.partitionsCount ?? 0
    await producer.sendRecords(recovery.topic, [{
      topic: recovery.topic,
      key: record.key,
      value: record.value,
      headers,
      timestamp: Date.now(),
      ...(record.partition < count ? { partition: record.partition } : {})
    }])
    if (recovery.action === 'retry') {
      metrics?.retries.inc({ topic: base, retry_topic: recovery.topic })
      metrics?.messages.inc({ topic: base, status: 'retried' })
    } else {
      metrics?.deadLetters.inc({ topic: base, error_type: category })
      metrics?.messages.inc({ topic: base, status: 'dead_lettered' })
    }
    return recovery
  }
}
