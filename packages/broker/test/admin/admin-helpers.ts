import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CreateTopicsApi, DescribeConfigsApi, FetchApi, ListOffsetsApi, MetadataApi, ProduceApi, ZERO_UUID, type DeepPartial, type RequestOf
} from '@samsa/protocol'
import { Broker, loadConfig, type Logger } from '../../src/index.js'
import { RawClient } from '../helpers.js'

/** An in-process broker whose log lines are kept (for the once-per-topic warnings), plus a raw client. */
export interface AdminBroker {
  broker: Broker
  client: RawClient
  port: number
  dataDir: string
  lines: string[]
  /** Stops and starts the broker again on the same data directory with the same overrides; reconnects the client. */
  restart: () => Promise<void>
}

export async function startAdminBroker (t: { after: (fn: () => unknown) => void }, overrides: Record<string, string> = {}): Promise<AdminBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-admin-'))
  const lines: string[] = []
  const logger: Logger = {
    error: (m) => lines.push(`ERROR ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    info: (m) => lines.push(`INFO ${m}`),
    debug: () => {}
  }
  const config = (): ReturnType<typeof loadConfig> => loadConfig({ env: {}, overrides: { port: '0', 'log.dirs': dataDir, ...overrides } })
  const state: AdminBroker = { broker: await Broker.start(config(), { logger }), client: undefined as unknown as RawClient, port: 0, dataDir, lines, restart }
  state.port = state.broker.address.port
  state.client = await RawClient.connect(state.port)
  async function restart (): Promise<void> {
    state.client.close()
    await state.broker.stop()
    state.broker = await Broker.start(config(), { logger })
    state.port = state.broker.address.port
    state.client = await RawClient.connect(state.port)
  }
  t.after(async () => {
    state.client.close()
    await state.broker.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })
  return state
}

export interface TopicSpec { name: string, numPartitions?: number, replicationFactor?: number, configs?: Record<string, string | null>, assignments?: Array<{ partitionIndex: number, brokerIds: number[] }> }

export async function createTopics (client: RawClient, topics: TopicSpec[], options: { version?: number, validateOnly?: boolean } = {}) {
  return await client.request(CreateTopicsApi, options.version ?? 7, {
    topics: topics.map((topic) => ({
      name: topic.name,
      numPartitions: topic.numPartitions ?? 1,
      replicationFactor: topic.replicationFactor ?? 1,
      assignments: topic.assignments ?? [],
      configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value }))
    })),
    timeoutMs: 5000,
    validateOnly: options.validateOnly ?? false
  })
}

/** Effective topic configs as a name → {value, source} map (DescribeConfigs v4 unless told). */
export async function topicConfigs (client: RawClient, topic: string, version = 4, keys: string[] | null = null) {
  const response = await client.request(DescribeConfigsApi, version, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: keys }], includeSynonyms: version >= 1, includeDocumentation: version >= 3 })
  const result = response.results[0]!
  return { result, byName: new Map(result.configs.map((config) => [config.name, config])) }
}

export async function metadata (client: RawClient, topics: string[] | null, version = 12) {
  return await client.request(MetadataApi, version, { topics: topics === null ? null : topics.map((name) => ({ name, topicId: ZERO_UUID })), allowAutoTopicCreation: false })
}

export async function produce (client: RawClient, topic: string, partition: number, records: Buffer, acks = -1, version = 9) {
  const response = await client.request(ProduceApi, version, { acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] })
  return response.responses[0]!.partitionResponses[0]!
}

export async function fetchPartition (client: RawClient, topic: string, partition: number, offset: number) {
  const body: DeepPartial<RequestOf<typeof FetchApi>> = {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 24, isolationLevel: 0,
    topics: [{ topic, topicId: ZERO_UUID, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 24 }] }]
  }
  const response = await client.request(FetchApi, 11, body)
  return response.responses[0]!.partitions[0]!
}

export async function listOffset (client: RawClient, topic: string, partition: number, timestamp: number) {
  const response = await client.request(ListOffsetsApi, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }] })
  return response.topics[0]!.partitions[0]!
}
