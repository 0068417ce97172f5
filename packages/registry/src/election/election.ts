/**
 * Writer election among registry processes sharing one `_schemas` topic, through Kafka's classic group protocol
 * (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup — what Confluent's registry uses, with our own
 * payloads, see protocol.ts). Every instance is a member of one group; the group leader picks the writer and
 * SyncGroup tells everyone. The coordinator removes members that stop heartbeating (session timeout) or leave, and
 * the survivors rebalance: that is the failover.
 *
 * Safety: an instance counts itself the writer only while its last successful heartbeat is younger than the session
 * timeout, and drops the role the moment a heartbeat reports a rebalance or fails. A writer that was paused longer
 * than that may still finish a write it had already decided (the same window Confluent's design has).
 */
import { Connection, findCoordinatorV6, heartbeatV4, joinGroupV9, leaveGroupV5, syncGroupV5 } from '@platformatic/kafka'
import { errors } from '../errors.js'
import type { Logger } from '../logger.js'
import { chooseWriter, decodeAssignment, decodeIdentity, encodeAssignment, encodeIdentity, PROTOCOL_NAME, PROTOCOL_TYPE } from './protocol.js'

export interface ElectionOptions {
  bootstrap: string[]
  clientId: string
  /** Confluent's default group name; instances of one registry cluster share it. */
  groupId: string
  /** Where other instances forward writes when this one is the writer. */
  url: string
  /** False: this instance never writes (Confluent's leader.eligibility=false). */
  eligible: boolean
  sessionTimeoutMs: number
  logger: Logger
}

export type WriterTarget = { self: true } | { self: false, url: string }
type State = { kind: 'unknown' } | { kind: 'none' } | { kind: 'writer', url: string, self: boolean, generation: number }

interface ProtocolErrorLike { apiId?: string, memberId?: string }

/** The Kafka error names of a @platformatic/kafka failure (ResponseError → ProtocolError[]). */
function errorIds (error: unknown): string[] {
  const nested = (error as { errors?: ProtocolErrorLike[] } | undefined)?.errors
  const all = [error as ProtocolErrorLike, ...(Array.isArray(nested) ? nested : [])]
  return all.map((e) => e?.apiId).filter((id): id is string => typeof id === 'string')
}

function memberIdOf (error: unknown): string | undefined {
  const nested = (error as { errors?: ProtocolErrorLike[], response?: { memberId?: string } } | undefined)
  return nested?.errors?.find((e) => typeof e.memberId === 'string')?.memberId ?? nested?.response?.memberId
}

export class WriterElection {
  private state: State = { kind: 'unknown' }
  private connection: Connection | undefined
  private memberId = ''
  private generation = -1
  private lastWriterUrl: string | undefined
  private heartbeatAt = 0
  private stopped = false
  private loop: Promise<void> = Promise.resolve()
  private wake: (() => void) | undefined
  private readonly listeners = new Set<() => void>()

  constructor (private readonly options: ElectionOptions) {}

  start (): void {
    this.loop = this.run()
  }

  /** True while this instance holds the writer role with a fresh heartbeat. */
  get isWriter (): boolean {
    return this.state.kind === 'writer' && this.state.self && Date.now() - this.heartbeatAt < this.options.sessionTimeoutMs
  }

  /** The current writer's URL (this instance's own URL when it is the writer), if one is known. */
  get writerUrl (): string | undefined {
    return this.state.kind === 'writer' ? this.state.url : undefined
  }

  get currentGeneration (): number { return this.state.kind === 'writer' ? this.state.generation : -1 }

  private target (): WriterTarget | undefined {
    if (this.state.kind !== 'writer') return undefined
    if (this.state.self) return this.isWriter ? { self: true } : undefined
    return { self: false, url: this.state.url }
  }

  /** Where a write goes; waits up to `timeoutMs` for an election, then fails with 50004. */
  async writer (timeoutMs: number): Promise<WriterTarget> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const target = this.target()
      if (target !== undefined) return target
      const left = deadline - Date.now()
      if (left <= 0 || this.stopped) {
        throw errors.notWriter(this.state.kind === 'none'
          ? 'No registry instance in the group is eligible to write'
          : `No writer has been elected yet (group ${this.options.groupId}); retry shortly`)
      }
      await new Promise<void>((resolve) => {
        const done = (): void => { clearTimeout(timer); this.listeners.delete(done); resolve() }
        const timer = setTimeout(done, Math.min(left, 250))
        this.listeners.add(done)
      })
    }
  }

  private setState (next: State): void {
    const before = this.state
    this.state = next
    if (next.kind === 'writer') this.lastWriterUrl = next.url
    if (next.kind === 'writer' && (before.kind !== 'writer' || before.url !== next.url || before.self !== next.self)) {
      this.options.logger.info(next.self ? `this instance (${next.url}) is the writer (generation ${next.generation})` : `the writer is ${next.url} (generation ${next.generation})`)
    }
    for (const listener of [...this.listeners]) listener()
  }

  private async sleep (ms: number): Promise<void> {
    if (this.stopped) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.wake = undefined; resolve() }, ms)
      this.wake = () => { clearTimeout(timer); this.wake = undefined; resolve() }
    })
  }

  private async connect (host: string, port: number): Promise<Connection> {
    const connection = new Connection(this.options.clientId, { requestTimeout: this.options.sessionTimeoutMs * 2 + 30_000 })
    connection.on('error', () => {}) // failures surface as rejected requests
    await connection.connect(host, port)
    return connection
  }

  private async coordinator (): Promise<Connection> {
    if (this.connection?.isConnected() === true) return this.connection
    await this.dropConnection()
    let lastError: unknown
    for (const broker of this.options.bootstrap) {
      const [host = '127.0.0.1', port = '9092'] = broker.split(':')
      let bootstrap: Connection | undefined
      try {
        bootstrap = await this.connect(host, Number(port))
        const found = (await findCoordinatorV6.api.async(bootstrap, 0, [this.options.groupId])).coordinators[0]
        if (found === undefined || found.errorCode !== 0) throw new Error(`FindCoordinator for ${this.options.groupId}: error ${found?.errorCode}`)
        this.connection = await this.connect(found.host, found.port)
        return this.connection
      } catch (error) {
        lastError = error
      } finally {
        await bootstrap?.close().catch(() => {})
      }
    }
    throw lastError ?? new Error('no bootstrap broker')
  }

  private async dropConnection (): Promise<void> {
    const connection = this.connection
    this.connection = undefined
    await connection?.close().catch(() => {})
  }

  private async joinAndSync (connection: Connection): Promise<void> {
    const { groupId, sessionTimeoutMs } = this.options
    const metadata = encodeIdentity({ url: this.options.url, eligible: this.options.eligible })
    let joined
    for (;;) {
      try {
        joined = await joinGroupV9.api.async(connection, groupId, sessionTimeoutMs, sessionTimeoutMs, this.memberId, null, PROTOCOL_TYPE, [{ name: PROTOCOL_NAME, metadata }], null)
        break
      } catch (error) {
        // KIP-394: the first JoinGroup only hands out a member id.
        if (!errorIds(error).includes('MEMBER_ID_REQUIRED')) throw error
        this.memberId = memberIdOf(error) ?? this.memberId
      }
    }
    this.memberId = joined.memberId ?? this.memberId
    this.generation = joined.generationId
    let assignments: Array<{ memberId: string, assignment: Buffer }> = []
    if (joined.leader === this.memberId) {
      const choice = encodeAssignment(chooseWriter(joined.members.map((m) => ({ memberId: m.memberId, identity: decodeIdentity(m.metadata) })), this.lastWriterUrl))
      assignments = joined.members.map((m) => ({ memberId: m.memberId, assignment: choice }))
    }
    const synced = await syncGroupV5.api.async(connection, groupId, this.generation, this.memberId, null, PROTOCOL_TYPE, PROTOCOL_NAME, assignments)
    this.heartbeatAt = Date.now()
    const assignment = decodeAssignment(synced.assignment)
    if (assignment?.error === 0 && assignment.writer !== undefined) {
      this.setState({ kind: 'writer', url: assignment.writer.url, self: assignment.writer.memberId === this.memberId, generation: this.generation })
    } else {
      this.options.logger.warn(`group ${groupId} generation ${this.generation}: no eligible writer`)
      this.setState({ kind: 'none' })
    }
  }

  private async run (): Promise<void> {
    let backoff = 100
    const interval = Math.max(50, Math.floor(this.options.sessionTimeoutMs / 3))
    while (!this.stopped) {
      try {
        const connection = await this.coordinator()
        await this.joinAndSync(connection)
        backoff = 100
        while (!this.stopped) {
          await this.sleep(interval)
          if (this.stopped) break
          await heartbeatV4.api.async(connection, this.options.groupId, this.generation, this.memberId, null)
          this.heartbeatAt = Date.now()
        }
      } catch (error) {
        if (this.stopped) break
        this.setState({ kind: 'unknown' })
        const ids = errorIds(error)
        if (ids.includes('REBALANCE_IN_PROGRESS')) continue // rejoin at once, same member id
        if (ids.includes('UNKNOWN_MEMBER_ID') || ids.includes('ILLEGAL_GENERATION') || ids.includes('FENCED_INSTANCE_ID')) {
          this.memberId = ''
          continue
        }
        if (ids.includes('INCONSISTENT_GROUP_PROTOCOL')) {
          this.options.logger.error(`group ${this.options.groupId} is used by members of another protocol (another registry implementation?): this instance will not write`)
        } else {
          this.options.logger.warn(`writer election (group ${this.options.groupId}): ${(error as Error).message}${ids.length > 0 ? ` [${ids.join(', ')}]` : ''}`)
        }
        await this.dropConnection()
        await this.sleep(backoff)
        backoff = Math.min(backoff * 2, 2_000)
      }
    }
  }

  /** Leaves the group (the others elect a new writer at once) or, with leave=false, just stops (a crash: the others wait for the session timeout). */
  async stop (options: { leave?: boolean } = {}): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.wake?.()
    const connection = this.connection
    if (options.leave !== false && connection?.isConnected() === true && this.memberId !== '') {
      await leaveGroupV5.api.async(connection, this.options.groupId, [{ memberId: this.memberId, groupInstanceId: null, reason: 'registry shutting down' }]).catch(() => {})
    }
    this.state = { kind: 'unknown' }
    for (const listener of [...this.listeners]) listener()
    await this.dropConnection()
    await this.loop.catch(() => {})
  }
}
