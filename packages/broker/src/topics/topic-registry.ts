import { randomUUID, randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PartitionLog, type LogConfig } from '../log/index.js'
import type { BrokerConfig } from '../config.js'
import type { Logger } from '../logger.js'
import { StorageError } from '../errors.js'
import { topicNameProblem } from './topic-name.js'

/**
 * Owns the set of topics: names, ids, partition logs and per-topic configs, persisted in
 * `<dataDir>/topics.json` (written atomically: temp file, fsync, rename, directory fsync). Partition data lives
 * in `<dataDir>/<topic>-<partition>/`, as in Kafka.
 */
export interface Topic {
  readonly name: string
  readonly id: string
  readonly partitions: PartitionLog[]
  readonly configs: Record<string, string>
  readonly replicationFactor: number
  readonly createdAt: number
}

interface StoredTopic { name: string, id: string, partitions: number, configs: Record<string, string>, replicationFactor: number, createdAt: number }

export class TopicRegistry {
  readonly clusterId: string
  private readonly topics = new Map<string, Topic>()
  private readonly topicsById = new Map<string, Topic>()
  private readonly config: BrokerConfig
  private readonly logger: Logger

  private constructor (config: BrokerConfig, logger: Logger, clusterId: string) {
    this.config = config
    this.logger = logger
    this.clusterId = clusterId
  }

  static open (config: BrokerConfig, logger: Logger): TopicRegistry {
    mkdirSync(config.dataDir, { recursive: true })
    const registry = new TopicRegistry(config, logger, loadClusterId(config.dataDir))
    const file = join(config.dataDir, 'topics.json')
    if (existsSync(file)) {
      let stored: StoredTopic[]
      try {
        stored = (JSON.parse(readFileSync(file, 'utf8')) as { topics: StoredTopic[] }).topics
      } catch (error) {
        throw new StorageError(`cannot read ${file}: ${(error as Error).message}`, error)
      }
      for (const entry of stored) registry.add(entry)
    }
    return registry
  }

  get (name: string): Topic | undefined {
    return this.topics.get(name)
  }

  getById (id: string): Topic | undefined {
    return this.topicsById.get(id)
  }

  list (): Topic[] {
    return [...this.topics.values()]
  }

  /** Returns why `name` cannot be a topic, or null. */
  nameProblem (name: string | null | undefined): string | null {
    return topicNameProblem(name)
  }

  create (name: string, partitions: number, options: { configs?: Record<string, string>, replicationFactor?: number } = {}): Topic {
    const problem = topicNameProblem(name)
    if (problem !== null) throw new TypeError(problem)
    if (this.topics.has(name)) throw new TypeError(`topic ${name} already exists`)
    const topic = this.add({ name, id: randomUUID(), partitions, configs: options.configs ?? {}, replicationFactor: options.replicationFactor ?? 1, createdAt: Date.now() })
    this.persist()
    this.logger.info(`created topic ${name} with ${partitions} partition(s), id ${topic.id}`)
    return topic
  }

  /** Auto-creation used by Metadata and Produce when auto.create.topics.enable is on. */
  autoCreate (name: string): Topic | undefined {
    if (!this.config.autoCreateTopicsEnable || topicNameProblem(name) !== null) return undefined
    return this.topics.get(name) ?? this.create(name, this.config.numPartitions, { replicationFactor: this.config.defaultReplicationFactor })
  }

  async close (): Promise<void> {
    await Promise.all(this.list().flatMap((topic) => topic.partitions.map((log) => log.close())))
  }

  logConfig (): LogConfig {
    return {
      segmentBytes: this.config.logSegmentBytes,
      segmentMs: this.config.logRollMs,
      indexIntervalBytes: this.config.logIndexIntervalBytes,
      flushIntervalMessages: this.config.logFlushIntervalMessages,
      flushIntervalMs: this.config.logFlushIntervalMs
    }
  }

  private add (stored: StoredTopic): Topic {
    const logConfig = this.logConfig()
    const partitions: PartitionLog[] = []
    for (let index = 0; index < stored.partitions; index++) {
      partitions.push(PartitionLog.open(join(this.config.dataDir, `${stored.name}-${index}`), logConfig))
    }
    const topic: Topic = { name: stored.name, id: stored.id, partitions, configs: stored.configs, replicationFactor: stored.replicationFactor, createdAt: stored.createdAt }
    this.topics.set(topic.name, topic)
    this.topicsById.set(topic.id, topic)
    return topic
  }

  private persist (): void {
    const stored: StoredTopic[] = this.list().map((topic) => ({
      name: topic.name, id: topic.id, partitions: topic.partitions.length, configs: topic.configs, replicationFactor: topic.replicationFactor, createdAt: topic.createdAt
    }))
    writeFileAtomic(join(this.config.dataDir, 'topics.json'), JSON.stringify({ version: 1, topics: stored }, null, 1))
  }
}

function loadClusterId (dataDir: string): string {
  const file = join(dataDir, 'meta.properties')
  if (existsSync(file)) {
    const match = /^cluster\.id=(.+)$/m.exec(readFileSync(file, 'utf8'))
    if (match !== null) return match[1]!.trim()
  }
  // Kafka cluster ids are 16 random bytes in URL-safe base64 (22 characters).
  const clusterId = randomBytes(16).toString('base64url')
  writeFileAtomic(file, `# written by samsa\nversion=1\ncluster.id=${clusterId}\n`)
  return clusterId
}

export function writeFileAtomic (file: string, contents: string): void {
  const temporary = `${file}.tmp`
  writeFileSync(temporary, contents)
  const fd = openSync(temporary, 'r')
  try { fsyncSync(fd) } finally { closeSync(fd) }
  renameSync(temporary, file)
  const directory = openSync(join(file, '..'), 'r')
  try { fsyncSync(directory) } finally { closeSync(directory) }
}
