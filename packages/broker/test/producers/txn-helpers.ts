import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AddOffsetsToTxnApi, AddPartitionsToTxnApi, EndTxnApi, FetchApi, InitProducerIdApi, MetadataApi, ProduceApi, TxnOffsetCommitApi,
  decodeRecordBatches, encodeRecordBatch, type DecodedBatch
} from '@samsa/protocol'
import { Broker, loadConfig, silentLogger } from '../../src/index.js'
import type { ProducerStateConfig } from '../../src/producers/index.js'
import type { TransactionConfig } from '../../src/transactions/index.js'
import { RawClient } from '../helpers.js'

/** An in-process broker that can be restarted on the same data directory, with transaction settings for tests. */
export interface TxnBrokerOptions {
  overrides?: Record<string, string>
  transactions?: Partial<TransactionConfig>
  producerState?: Partial<ProducerStateConfig>
}

export class TxnBroker {
  broker!: Broker
  client!: RawClient
  private constructor (readonly dataDir: string, private readonly options: TxnBrokerOptions) {}

  static async start (options: TxnBrokerOptions = {}, dataDir = mkdtempSync(join(tmpdir(), 'samsa-txn-'))): Promise<TxnBroker> {
    const broker = new TxnBroker(dataDir, options)
    await broker.boot()
    return broker
  }

  get port (): number { return this.broker.address.port }
  get context (): Broker['context'] { return this.broker.context }

  async connect (): Promise<RawClient> {
    return await RawClient.connect(this.port)
  }

  /** Clean stop and start again on the same directory; `client` is replaced. */
  async restart (): Promise<void> {
    this.client.close()
    await this.broker.stop()
    await this.boot()
  }

  async stop (options: { keepData?: boolean } = {}): Promise<void> {
    this.client?.close()
    await this.broker?.stop()
    if (options.keepData !== true) rmSync(this.dataDir, { recursive: true, force: true })
  }

  private async boot (): Promise<void> {
    const config = loadConfig({ env: {}, overrides: { port: '0', 'log.dirs': this.dataDir, 'num.partitions': '2', ...this.options.overrides }, warn: () => {} })
    this.broker = await Broker.start(config, { logger: silentLogger, transactions: this.options.transactions, producerState: this.options.producerState })
    this.client = await RawClient.connect(this.broker.address.port)
  }
}

export async function createTopic (client: RawClient, name: string): Promise<void> {
  await client.request(MetadataApi, 4, { topics: [{ name }], allowAutoTopicCreation: true })
}

export async function initProducerId (client: RawClient, transactionalId: string | null, options: { timeoutMs?: number, version?: number, producerId?: number, epoch?: number } = {}): Promise<{ errorCode: number, producerId: number, producerEpoch: number }> {
  return await client.request(InitProducerIdApi, options.version ?? 4, {
    transactionalId, transactionTimeoutMs: options.timeoutMs ?? 60_000, producerId: options.producerId ?? -1, producerEpoch: options.epoch ?? -1
  })
}

export interface BatchSpec { producerId: number, epoch: number, sequence: number, count?: number, transactional?: boolean, prefix?: string }

export function batch (spec: BatchSpec): Buffer {
  const count = spec.count ?? 1
  const records = Array.from({ length: count }, (_, i) => ({ value: `${spec.prefix ?? 'v'}-${spec.sequence + i}` }))
  return encodeRecordBatch(records, { producerId: spec.producerId, producerEpoch: spec.epoch, baseSequence: spec.sequence, isTransactional: spec.transactional === true })
}

export async function produce (client: RawClient, topic: string, partition: number, records: Buffer, options: { acks?: number, version?: number } = {}): Promise<{ errorCode: number, baseOffset: number }> {
  const response = await client.request(ProduceApi, options.version ?? 7, { acks: options.acks ?? -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] })
  const reply = response.responses[0]!.partitionResponses[0]!
  return { errorCode: reply.errorCode, baseOffset: reply.baseOffset }
}

export async function addPartitions (client: RawClient, transactionalId: string, producerId: number, epoch: number, partitions: Array<[string, number]>, version = 3): Promise<number[]> {
  const topics = new Map<string, number[]>()
  for (const [topic, partition] of partitions) topics.set(topic, [...(topics.get(topic) ?? []), partition])
  const response = await client.request(AddPartitionsToTxnApi, version, {
    v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: epoch,
    v3AndBelowTopics: [...topics].map(([name, list]) => ({ name, partitions: list }))
  })
  return response.resultsByTopicV3AndBelow.flatMap((topic) => topic.resultsByPartition.map((p) => p.partitionErrorCode))
}

export async function addOffsets (client: RawClient, transactionalId: string, producerId: number, epoch: number, groupId: string, version = 3): Promise<number> {
  return (await client.request(AddOffsetsToTxnApi, version, { transactionalId, producerId, producerEpoch: epoch, groupId })).errorCode
}

export async function txnOffsetCommit (client: RawClient, transactionalId: string, groupId: string, producerId: number, epoch: number, offsets: Array<[string, number, number]>, version = 3): Promise<number[]> {
  const response = await client.request(TxnOffsetCommitApi, version, {
    transactionalId, groupId, producerId, producerEpoch: epoch, generationId: -1, memberId: '', groupInstanceId: null,
    topics: offsets.map(([name, partitionIndex, committedOffset]) => ({ name, partitions: [{ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: 'meta' }] }))
  })
  return response.topics.flatMap((topic) => topic.partitions.map((p) => p.errorCode))
}

export async function endTxn (client: RawClient, transactionalId: string, producerId: number, epoch: number, committed: boolean, version = 3): Promise<number> {
  return (await client.request(EndTxnApi, version, { transactionalId, producerId, producerEpoch: epoch, committed })).errorCode
}

export interface FetchedPartition {
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  abortedTransactions: Array<{ producerId: number, firstOffset: number }> | null
  batches: DecodedBatch[]
}

export async function fetchPartition (client: RawClient, topic: string, partition: number, offset: number, isolationLevel: 0 | 1, version = 11): Promise<FetchedPartition> {
  const response = await client.request(FetchApi, version, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }]
  })
  const reply = response.responses[0]!.partitions[0]!
  return {
    errorCode: reply.errorCode,
    highWatermark: reply.highWatermark,
    lastStableOffset: reply.lastStableOffset,
    abortedTransactions: reply.abortedTransactions,
    batches: reply.records === null ? [] : decodeRecordBatches(reply.records)
  }
}

/** Values of data records (control batches left out), as a read_uncommitted consumer would see them. */
export function dataValues (batches: DecodedBatch[]): string[] {
  return batches.filter((b) => !b.isControl).flatMap((b) => b.records.map((r) => r.value?.toString() ?? ''))
}

/**
 * What a read_committed consumer delivers: data records minus those of aborted transactions (Kafka's client logic:
 * an aborted transaction's records are skipped from its firstOffset until that producer's abort marker).
 */
export function committedValues (fetched: FetchedPartition): string[] {
  const aborted = [...(fetched.abortedTransactions ?? [])]
  const skipping = new Set<number>()
  const values: string[] = []
  for (const b of fetched.batches) {
    for (let i = aborted.length - 1; i >= 0; i--) {
      if (aborted[i]!.firstOffset <= b.baseOffset + b.lastOffsetDelta) { skipping.add(aborted[i]!.producerId); aborted.splice(i, 1) }
    }
    if (b.isControl) { skipping.delete(b.producerId); continue }
    if (b.isTransactional && skipping.has(b.producerId)) continue
    values.push(...b.records.map((r) => r.value?.toString() ?? ''))
  }
  return values
}
