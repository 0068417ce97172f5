import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { dirname } from 'node:path'
import { encodeRecordBatch } from '@samsa/protocol'
import type { Logger } from '../logger.js'
import type { TopicRegistry } from '../topics/topic-registry.js'

/**
 * The audit trail: one JSON object per line in audit.log.file and, optionally, one record per event in
 * audit.log.topic (key = event type, value = the same JSON). Events:
 *   authentication  {listener, mechanism, principal|user, client, result: success|failure, reason?}
 *   tls             {listener, client, result: failure, reason} (handshake refused, certificate not accepted)
 *   authorization   {principal, client, api, operation, resourceType, resourceName, allowed}
 *   change          {principal, client, api, action, ...} (ACLs and users, after they are applied)
 * Writes are buffered (a stream for the file, a batch every 200 ms for the topic): auditing never waits on disk
 * inside a request.
 */
export type AuditEvent = { event: string } & Record<string, unknown>

const TOPIC_FLUSH_MS = 200
const TOPIC_BATCH_MAX = 500

export class AuditLog {
  private readonly stream: WriteStream | undefined
  private pending: AuditEvent[] = []
  private timer: NodeJS.Timeout | undefined

  constructor (file: string, private readonly topic: string, private readonly topics: TopicRegistry, private readonly logger: Logger) {
    if (file !== '') {
      mkdirSync(dirname(file), { recursive: true })
      this.stream = createWriteStream(file, { flags: 'a', mode: 0o600 })
      this.stream.on('error', (error) => logger.error(`audit log ${file}: ${error.message}`))
    }
  }

  record (event: AuditEvent): void {
    const entry = { time: new Date().toISOString(), ...event }
    this.stream?.write(JSON.stringify(entry) + '\n')
    if (this.topic === '') return
    this.pending.push(entry)
    if (this.pending.length >= TOPIC_BATCH_MAX) this.flushTopic()
    else this.timer ??= setTimeout(() => this.flushTopic(), TOPIC_FLUSH_MS).unref()
  }

  async close (): Promise<void> {
    this.flushTopic()
    if (this.stream !== undefined) await new Promise<void>((resolve) => this.stream!.end(() => resolve()))
  }

  private flushTopic (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const events = this.pending
    this.pending = []
    if (events.length === 0) return
    try {
      const topic = this.topics.get(this.topic) ?? this.topics.create(this.topic, 1)
      topic.partitions[0]!.append(encodeRecordBatch(events.map((entry) => ({ key: entry.event, value: JSON.stringify(entry) }))))
    } catch (error) {
      this.logger.warn(`audit topic ${this.topic}: ${events.length} event(s) not written: ${(error as Error).message}`)
    }
  }
}
