/**
 * The `_schemas` topic through @platformatic/kafka, read without a consumer group: Metadata for the topic id and
 * leader, ListOffsets for the end, and Consumer.fetch (the client's low-level Fetch) from an explicit offset. The
 * registry must read from offset 0 on every start and never commit offsets, so a group would add nothing but a
 * dependency on the group coordinator. Writes use a Producer with acks=all.
 */
import { Admin, Consumer, Producer } from '@platformatic/kafka'
import { errors } from '../errors.js'
import type { Logger } from '../logger.js'

export interface LogRecord { offset: bigint, key: Buffer | null, value: Buffer | null }

export interface SchemasLogOptions {
  bootstrap: string[]
  topic: string
  clientId: string
  logger: Logger
  /** Replication factor for a new topic; -1 = the broker's default.replication.factor. */
  replicationFactor?: number
}

interface PlatformaticError { code?: string, findBy?: (property: string, value: unknown) => unknown }

function hasCode (error: unknown, property: string, value: string): boolean {
  const e = error as PlatformaticError | undefined
  if (e === undefined || e === null) return false
  return (e as Record<string, unknown>)[property] === value || e.findBy?.(property, value) !== undefined
}

export class SchemasLog {
  private readonly consumer: Consumer
  /** A second connection for ListOffsets: one connection answers in order, so it would wait behind a long-poll Fetch. */
  private readonly offsets: Consumer
  private readonly producer: Producer
  private topicId = ''
  private leader = -1

  private constructor (private readonly options: SchemasLogOptions) {
    const common = { clientId: options.clientId, bootstrapBrokers: options.bootstrap, retries: 3, retryDelay: 200 }
    this.consumer = new Consumer({ ...common, groupId: `${options.clientId}-unused` })
    this.offsets = new Consumer({ ...common, clientId: `${options.clientId}-offsets`, groupId: `${options.clientId}-unused` })
    this.producer = new Producer({ ...common, acks: -1 })
  }

  static async open (options: SchemasLogOptions): Promise<SchemasLog> {
    const log = new SchemasLog(options)
    try {
      await log.ensureTopic()
    } catch (error) {
      await log.close()
      throw error
    }
    return log
  }

  get topic (): string { return this.options.topic }

  /** CreateTopics (1 partition, compacted); brokers without CreateTopics fall back to auto-creation via Metadata. */
  private async ensureTopic (): Promise<void> {
    const { topic, logger } = this.options
    const admin = new Admin({ clientId: this.options.clientId, bootstrapBrokers: this.options.bootstrap, retries: 1 })
    try {
      await admin.createTopics({ topics: [topic], partitions: 1, replicas: this.options.replicationFactor ?? -1, configs: [{ name: 'cleanup.policy', value: 'compact' }] })
      logger.info(`created topic ${topic} (1 partition, cleanup.policy=compact)`)
    } catch (error) {
      if (hasCode(error, 'apiId', 'TOPIC_ALREADY_EXISTS')) {
        // The normal case after the first start.
      } else if (hasCode(error, 'code', 'PLT_KFK_UNSUPPORTED_API') || hasCode(error, 'apiId', 'UNSUPPORTED_VERSION')) {
        logger.warn(`the broker does not support CreateTopics: ${topic} is auto-created with the broker's defaults; set cleanup.policy=compact on it yourself`)
      } else {
        throw errors.store(`cannot create topic ${topic}: ${(error as Error).message}`, error)
      }
    } finally {
      await admin.close().catch(() => {})
    }
    const metadata = await this.consumer.metadata({ topics: [topic], autocreateTopics: true, forceUpdate: true })
    const info = metadata.topics.get(topic)
    if (info === undefined) throw errors.store(`topic ${topic} does not exist and could not be created`)
    if (info.partitionsCount !== 1) {
      throw errors.store(`topic ${topic} has ${info.partitionsCount} partitions; the registry needs exactly one (ids are assigned in log order)`)
    }
    this.topicId = info.id
    this.leader = info.partitions[0]?.leader ?? -1
  }

  /** The offset the next record will get (the high watermark). */
  async endOffset (): Promise<bigint> {
    const offsets = await this.offsets.listOffsets({ topics: [this.options.topic], timestamp: -1n })
    return offsets.get(this.options.topic)?.[0] ?? 0n
  }

  /** Records from `from` on (whole batches may start earlier: those records are skipped). Long-polls up to maxWaitMs. */
  async fetch (from: bigint, maxWaitMs: number): Promise<{ records: LogRecord[], next: bigint, highWatermark: bigint }> {
    const response = await this.consumer.fetch({
      node: this.leader,
      maxWaitTime: maxWaitMs,
      minBytes: 1,
      topics: [{ topicId: this.topicId, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: from, lastFetchedEpoch: -1, partitionMaxBytes: 4 * 1024 * 1024 }] }]
    })
    const answer = response.responses[0]?.partitions[0]
    if (answer === undefined) throw errors.store(`empty fetch response for ${this.options.topic}`)
    if (answer.errorCode !== 0) throw errors.store(`fetch ${this.options.topic} at ${from}: Kafka error code ${answer.errorCode}`)
    const records: LogRecord[] = []
    let next = from
    for (const batch of answer.records ?? []) {
      for (const record of batch.records) {
        const offset = batch.firstOffset + BigInt(record.offsetDelta)
        if (offset < from) continue
        records.push({ offset, key: record.key ?? null, value: record.value ?? null })
      }
      const after = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n
      if (after > next) next = after
    }
    return { records, next, highWatermark: answer.highWatermark }
  }

  /** Appends records in one produce request; resolves to the offset of the last one. */
  async append (entries: Array<{ key: Buffer, value: Buffer | null }>): Promise<bigint> {
    const result = await this.producer.send({
      messages: entries.map(({ key, value }) => ({ topic: this.options.topic, partition: 0, key, value: value as Buffer }))
    })
    const base = result.offsets?.find((o) => o.topic === this.options.topic)?.offset
    if (base === undefined) throw errors.store(`produce to ${this.options.topic} returned no offset`)
    return BigInt(base) + BigInt(entries.length - 1)
  }

  async close (): Promise<void> {
    await Promise.allSettled([this.consumer.close(), this.offsets.close(), this.producer.close()])
  }
}
