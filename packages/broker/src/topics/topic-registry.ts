import { randomUUID, randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ErrorCode } from '@samsa/protocol'
import { PartitionLog, type LogConfig } from '../log/index.js'
import { Journal } from '../log/journal.js'
import { syncDirectorySync } from '../log/dir-sync.js'
import type { BrokerConfig } from '../config.js'
import type { Logger } from '../logger.js'
import { StorageError } from '../errors.js'
import { topicNameProblem } from './topic-name.js'
import { ApiError } from './api-error.js'
import { effectiveTopicConfig, type TopicSettings } from './topic-configs.js'
import { applyLogConfig, logConfigFor } from './topic-log-config.js'

/**
 * Owns the set of topics: names, ids, partition logs and per-topic configs, persisted in
 * `<dataDir>/topics.json` (written atomically: temp file, fsync, rename, directory fsync). Partition data lives
 * in `<dataDir>/<topic>-<partition>/`, as in Kafka. topics.json is the truth: a partition directory that no topic
 * owns (left by a crash during a deletion) is moved aside and removed before a new topic reuses its name.
 */
export interface Topic {
  readonly name: string
  readonly id: string
  readonly partitions: PartitionLog[]
  /** The topic's overrides only (normalized strings); see topic-configs.ts for the effective values. */
  configs: Readonly<Record<string, string>>
  /** Effective settings: overrides over the broker defaults. Replaced (never mutated) on a config change. */
  settings: TopicSettings
  /** As requested at creation; a single node keeps one copy whatever this says. */
  readonly replicationFactor: number
  readonly createdAt: number
}

interface StoredTopic { name: string, id: string, partitions: number, configs: Record<string, string>, replicationFactor: number, createdAt: number }

/** A generous cap: each partition is a directory with open files. */
export const MAX_PARTITIONS_PER_TOPIC = 100_000
const TRASH_SUFFIX = '-delete'
/** Directory of the write-ahead journal inside the data directory (no topic partition can have this name). */
export const JOURNAL_DIR = '__log_journal'

export class TopicRegistry {
  readonly clusterId: string
  private readonly topics = new Map<string, Topic>()
  private readonly topicsById = new Map<string, Topic>()
  /** Kafka forbids topics whose names differ only in '.' versus '_' (their metric names collide). */
  private readonly byCollisionKey = new Map<string, string>()
  /** Names whose deletion is still removing files: Kafka answers creates with "marked for deletion". */
  private readonly deleting = new Set<string>()
  private readonly removals = new Set<Promise<void>>()
  private readonly config: BrokerConfig
  private readonly logger: Logger
  /**
   * The write-ahead journal (see log/journal.ts): every partition appends to it with log.journal.enable; with the
   * journal off it is still opened when files of an earlier run are left, to replay and retire them.
   */
  private readonly journal: Journal | null
  private readonly appendJournal: Journal | null

  private constructor (config: BrokerConfig, logger: Logger, clusterId: string) {
    this.config = config
    this.logger = logger
    this.clusterId = clusterId
    const journalDir = join(config.dataDir, JOURNAL_DIR)
    this.journal = config.logJournalEnable || Journal.hasFiles(journalDir)
      ? Journal.open(journalDir, { fileBytes: config.logJournalFileBytes, warn: (message) => logger.warn(message) })
      : null
    this.appendJournal = config.logJournalEnable ? this.journal : null
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
    registry.replayJournal()
    for (const name of readdirSync(config.dataDir)) {
      if (name.endsWith(TRASH_SUFFIX)) registry.removeInBackground(join(config.dataDir, name))
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

  /** Why a topic called `name` cannot be created now (Kafka's error and message), or null. */
  creationProblem (name: string): ApiError | null {
    const problem = topicNameProblem(name)
    if (problem !== null) return new ApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem)
    if (this.topics.has(name)) return new ApiError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`)
    if (this.deleting.has(name)) return new ApiError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' is marked for deletion.`)
    const colliding = this.byCollisionKey.get(collisionKey(name))
    if (colliding !== undefined) return new ApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${colliding}`)
    return null
  }

  /** Settings a topic with these overrides would have (validation, validateOnly replies). */
  settingsFor (configs: Readonly<Record<string, string>>): TopicSettings {
    return effectiveTopicConfig(configs, this.config)
  }

  /**
   * Creates a topic with validated, normalized overrides. Throws ApiError when the name is taken or invalid.
   * `persist: false` lets a caller creating many topics write topics.json once (then call save()).
   */
  create (name: string, partitions: number, options: { configs?: Record<string, string>, replicationFactor?: number, persist?: boolean } = {}): Topic {
    const problem = this.creationProblem(name)
    if (problem !== null) throw problem
    const replicationFactor = options.replicationFactor ?? 1
    const topic = this.add({ name, id: randomUUID(), partitions, configs: options.configs ?? {}, replicationFactor, createdAt: Date.now() }, true)
    if (options.persist !== false) this.save()
    this.logger.info(`created topic ${name} with ${partitions} partition(s), id ${topic.id}`)
    this.warnSingleCopy(topic)
    return topic
  }

  /** Auto-creation used by Metadata and Produce when auto.create.topics.enable is on. */
  autoCreate (name: string): Topic | undefined {
    const existing = this.topics.get(name)
    if (existing !== undefined) return existing
    if (!this.config.autoCreateTopicsEnable || this.creationProblem(name) !== null) return undefined
    if (this.config.replicationStrict && this.config.defaultReplicationFactor > 1) {
      this.logger.warn(`not auto-creating topic ${name}: default.replication.factor=${this.config.defaultReplicationFactor} cannot be met by one broker (replication.strict=true)`)
      return undefined
    }
    return this.create(name, this.config.numPartitions, { replicationFactor: this.config.defaultReplicationFactor })
  }

  /** Adds partitions up to `total` (the caller has checked that total exceeds the current count). */
  addPartitions (topic: Topic, total: number): void {
    const logConfig = logConfigFor(topic.settings)
    const added: PartitionLog[] = []
    for (let index = topic.partitions.length; index < total; index++) {
      const dir = this.partitionDir(topic.name, index)
      this.moveAsideStale(dir)
      added.push(this.openLog(dir, topic.id, index, logConfig))
    }
    topic.partitions.push(...added)
    this.save()
    this.logger.info(`topic ${topic.name} now has ${total} partition(s)`)
  }

  /** Replaces a topic's overrides (already validated and normalized) and applies them to its open logs. */
  setConfigs (topic: Topic, configs: Record<string, string>): void {
    const previous = { configs: topic.configs, settings: topic.settings }
    topic.configs = configs
    topic.settings = this.settingsFor(configs)
    try {
      this.save()
    } catch (error) {
      topic.configs = previous.configs
      topic.settings = previous.settings
      throw error
    }
    const logConfig = logConfigFor(topic.settings)
    for (const log of topic.partitions) applyLogConfig(log, logConfig)
    this.logger.info(`topic ${topic.name} configs set to ${JSON.stringify(configs)}`)
  }

  /**
   * Deletes a topic: it disappears from topics.json first (so a crash cannot resurrect it), then its partition
   * directories are removed. Until they are, creating the same name is refused as Kafka does.
   */
  async delete (topic: Topic): Promise<void> {
    this.topics.delete(topic.name)
    this.topicsById.delete(topic.id)
    this.byCollisionKey.delete(collisionKey(topic.name))
    this.deleting.add(topic.name)
    try {
      this.save()
      await Promise.all(topic.partitions.map(async (log) => await log.delete()))
      this.logger.info(`deleted topic ${topic.name} (id ${topic.id})`)
    } finally {
      this.deleting.delete(topic.name)
    }
  }

  async close (): Promise<void> {
    const closed = await Promise.allSettled(this.list().flatMap((topic) => topic.partitions.map((log) => log.close())))
    await Promise.all([...this.removals])
    // Every partition's segments durable: the journal is no longer needed (else it is replayed at the next start).
    await this.journal?.close(closed.every((result) => result.status === 'fulfilled'))
    const failed = closed.find((result) => result.status === 'rejected')
    if (failed !== undefined) throw failed.reason
  }

  /** Start-up: appends what the journal has and the partitions lost (power failure); see log/journal.ts. */
  private replayJournal (): void {
    if (this.journal === null) return
    const stats = this.journal.replay((key) => {
      const slash = key.lastIndexOf('/') // journalKey's format
      return this.topicsById.get(key.slice(0, slash))?.partitions[Number(key.slice(slash + 1))]
    })
    if (stats.appendedBatches > 0 || stats.gaps > 0) {
      this.logger.warn(`journal replay: ${stats.appendedBatches} batch(es), ${stats.appendedBytes} bytes restored from ${stats.files} file(s); ${stats.gaps} gap(s)`)
    }
  }

  private openLog (dir: string, topicId: string, partition: number, config: LogConfig): PartitionLog {
    return PartitionLog.open(dir, config, this.appendJournal === null ? {} : { journal: { journal: this.appendJournal, key: journalKey(topicId, partition) } })
  }

  /** Broker-wide log settings (topics without overrides). */
  logConfig (): LogConfig {
    return logConfigFor(this.settingsFor({}))
  }

  /** Writes topics.json atomically from the in-memory state. */
  save (): void {
    const stored: StoredTopic[] = this.list().map((topic) => ({
      name: topic.name, id: topic.id, partitions: topic.partitions.length, configs: { ...topic.configs }, replicationFactor: topic.replicationFactor, createdAt: topic.createdAt
    }))
    writeFileAtomic(join(this.config.dataDir, 'topics.json'), JSON.stringify({ version: 1, topics: stored }, null, 1))
  }

  private add (stored: StoredTopic, fresh = false): Topic {
    const settings = this.settingsFor(stored.configs)
    const logConfig = logConfigFor(settings)
    const partitions: PartitionLog[] = []
    for (let index = 0; index < stored.partitions; index++) {
      const dir = this.partitionDir(stored.name, index)
      if (fresh) this.moveAsideStale(dir)
      partitions.push(this.openLog(dir, stored.id, index, logConfig))
    }
    const topic: Topic = { name: stored.name, id: stored.id, partitions, configs: stored.configs, settings, replicationFactor: stored.replicationFactor, createdAt: stored.createdAt }
    this.topics.set(topic.name, topic)
    this.topicsById.set(topic.id, topic)
    this.byCollisionKey.set(collisionKey(topic.name), topic.name)
    return topic
  }

  private partitionDir (topic: string, partition: number): string {
    return join(this.config.dataDir, `${topic}-${partition}`)
  }

  /** A directory no topic owns (crash during a deletion): renamed out of the way, removed in the background. */
  private moveAsideStale (dir: string): void {
    if (!existsSync(dir)) return
    const trash = `${dir}.${randomBytes(8).toString('hex')}${TRASH_SUFFIX}`
    renameSync(dir, trash)
    this.logger.warn(`moved stale partition directory ${dir} aside before reusing its name`)
    this.removeInBackground(trash)
  }

  private removeInBackground (dir: string): void {
    const removal = rm(dir, { recursive: true, force: true })
      .catch((error: Error) => this.logger.warn(`cannot remove ${dir}: ${error.message}`))
      .finally(() => this.removals.delete(removal))
    this.removals.add(removal)
  }

  private warnSingleCopy (topic: Topic): void {
    const minIsr = topic.settings.minInsyncReplicas
    if (topic.replicationFactor <= 1 && minIsr <= 1) return
    this.logger.warn(`topic ${topic.name}: replication factor ${topic.replicationFactor} and min.insync.replicas ${minIsr} are recorded; this single node keeps one copy (acks=all durability comes from fsync)`)
  }
}

/** Kafka's collision rule: '.' and '_' are interchangeable in metric names. */
function collisionKey (name: string): string {
  return name.replaceAll('.', '_')
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
  syncDirectorySync(join(file, '..'))
}

/** A partition's key in the journal: the topic id, so a re-created topic never receives the old one's entries. */
function journalKey (topicId: string, partition: number): string {
  return `${topicId}/${partition}`
}
