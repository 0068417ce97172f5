/**
 * One member of a classic group: what it sent in its last JoinGroup, the assignment the leader gave it, and the
 * JoinGroup / SyncGroup requests of it that are being held until the rebalance gets there.
 */
export interface MemberProtocol { name: string, metadata: Buffer }

export interface JoinResult {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leaderId: string
  memberId: string
  skipAssignment: boolean
  /** Filled for the leader only: every member with its metadata for the chosen protocol. */
  members: Array<{ memberId: string, groupInstanceId: string | null, metadata: Buffer }>
}

export interface SyncResult {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

export const EMPTY_BYTES = Buffer.alloc(0)

export function joinError (memberId: string, errorCode: number): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leaderId: '', memberId, skipAssignment: false, members: [] }
}

export function syncError (errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BYTES }
}

export class ClassicMember {
  memberId: string
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly clientHost: string
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  readonly protocolType: string
  protocols: MemberProtocol[]
  assignment: Buffer = EMPTY_BYTES
  /** The held JoinGroup of this member, answered when the join phase completes. */
  joinWaiter: ((result: JoinResult) => void) | null = null
  /** The held SyncGroup of this member, answered when the leader's assignment is stored. */
  syncWaiter: ((result: SyncResult) => void) | null = null
  /** Joined during the current rebalance: not yet protected by having taken part in a generation. */
  isNew = false
  heartbeatSatisfied = false
  heartbeatTimer: NodeJS.Timeout | null = null

  constructor (init: { memberId: string, groupInstanceId: string | null, clientId: string, clientHost: string, rebalanceTimeoutMs: number, sessionTimeoutMs: number, protocolType: string, protocols: MemberProtocol[] }) {
    this.memberId = init.memberId
    this.groupInstanceId = init.groupInstanceId
    this.clientId = init.clientId
    this.clientHost = init.clientHost
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs
    this.sessionTimeoutMs = init.sessionTimeoutMs
    this.protocolType = init.protocolType
    this.protocols = init.protocols
  }

  get isAwaitingJoin (): boolean { return this.joinWaiter !== null }
  get isAwaitingSync (): boolean { return this.syncWaiter !== null }
  get isStatic (): boolean { return this.groupInstanceId !== null }

  /** Metadata this member sent for `protocol` (empty if it does not support it). */
  metadataFor (protocol: string | null): Buffer {
    return this.protocols.find((candidate) => candidate.name === protocol)?.metadata ?? EMPTY_BYTES
  }

  /** Same protocols, same order, same metadata bytes: a rejoin that changes nothing. */
  matches (protocols: MemberProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false
    return protocols.every((protocol, index) => protocol.name === this.protocols[index]!.name && protocol.metadata.equals(this.protocols[index]!.metadata))
  }

  /** The member's most preferred protocol among `candidates` (its list is in preference order). */
  vote (candidates: ReadonlySet<string>): string {
    const choice = this.protocols.find((protocol) => candidates.has(protocol.name))
    if (choice === undefined) throw new Error(`member ${this.memberId} supports none of ${[...candidates].join(', ')}`)
    return choice.name
  }

  /** Answers the held JoinGroup, if any. Returns whether there was one. */
  answerJoin (result: JoinResult): boolean {
    const waiter = this.joinWaiter
    if (waiter === null) return false
    this.joinWaiter = null
    waiter(result)
    return true
  }

  answerSync (result: SyncResult): boolean {
    const waiter = this.syncWaiter
    if (waiter === null) return false
    this.syncWaiter = null
    waiter(result)
    return true
  }
}
