/**
 * Starts a registry: open/replay `_schemas`, serve HTTP, then join the writer election (unless a static role is
 * configured). `close()` leaves the election first (so another instance takes over at once), then stops the rest.
 */
import { WriterElection } from './election/election.js'
import { errors } from './errors.js'
import { startHttpServer, type HttpOptions } from './http/server.js'
import { silentLogger, type Logger } from './logger.js'
import { Registry } from './registry.js'
import { KafkaStore } from './store/store.js'

export interface StartRegistryOptions extends HttpOptions {
  /** Kafka bootstrap servers ("host:port" or a list). */
  bootstrap: string | string[]
  /** The storage topic (Confluent's kafkastore.topic). */
  topic?: string
  clientId?: string
  logger?: Logger
  replicationFactor?: number
  timeoutMs?: number
  /**
   * How the writer is chosen among registry processes on the cluster: 'group' (default) elects one through the Kafka
   * group protocol and followers forward writes to it; 'none' makes this process write unconditionally (only safe
   * when it is the only registry). `forwardWritesTo` / `readOnlyFollower` set a static follower role instead.
   */
  election?: 'group' | 'none'
  /** The election's group (Confluent's schema.registry.group.id; default "schema-registry"). */
  groupId?: string
  /** The URL other instances forward writes to (default: the URL this server listens on). */
  advertisedUrl?: string
  /** False: never become the writer (Confluent's leader.eligibility). Default true. */
  writerEligible?: boolean
  /** Group session timeout: how long a crashed writer keeps the role (default 10 s). */
  sessionTimeoutMs?: number
  /** How long a write waits for an election before failing with 50004 (default 30 s). */
  electionWaitMs?: number
}

export interface RunningRegistry {
  url: string
  registry: Registry
  /** The writer election, when this instance takes part in one. */
  election: WriterElection | undefined
  close: () => Promise<void>
}

export async function startRegistry (options: StartRegistryOptions): Promise<RunningRegistry> {
  const logger = options.logger ?? silentLogger
  const bootstrap = typeof options.bootstrap === 'string' ? options.bootstrap.split(',').map((s) => s.trim()).filter((s) => s !== '') : options.bootstrap
  const clientId = options.clientId ?? 'samsa-registry'
  const store = await KafkaStore.open({ bootstrap, topic: options.topic ?? '_schemas', clientId, logger, replicationFactor: options.replicationFactor, timeoutMs: options.timeoutMs })
  const registry = new Registry(store)
  const staticRole = options.forwardWritesTo !== undefined || options.readOnlyFollower === true
  const elect = !staticRole && (options.election ?? 'group') === 'group'
  let election: WriterElection | undefined
  const httpOptions: HttpOptions = { ...options }
  if (elect) {
    httpOptions.writerRoute = async () => await (election as WriterElection).writer(options.electionWaitMs ?? 30_000)
    httpOptions.isWriter = () => election?.isWriter === true
    store.writeGuard = () => {
      if (election?.isWriter !== true) throw errors.notWriter('This registry instance lost the writer role before the write; retry')
    }
  }
  let http
  try {
    http = await startHttpServer(registry, httpOptions, logger)
  } catch (error) {
    await store.close()
    throw error
  }
  if (elect) {
    election = new WriterElection({
      bootstrap,
      clientId,
      groupId: options.groupId ?? 'schema-registry',
      url: options.advertisedUrl ?? http.url,
      eligible: options.writerEligible !== false,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      logger
    })
    election.start()
  }
  return {
    url: http.url,
    registry,
    election,
    async close () {
      await election?.stop()
      await http.close()
      await store.close()
    }
  }
}
