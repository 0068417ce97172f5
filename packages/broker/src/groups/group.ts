/**
 * What the coordinator needs from a group, whatever protocol its members speak: "classic" groups (JoinGroup /
 * SyncGroup, classic/) and KIP-848 "consumer" groups (ConsumerGroupHeartbeat, consumer/) implement it and live in
 * the same map, so that one group id names one group, as in Kafka.
 */
export type GroupType = 'classic' | 'consumer'

export interface CommitIdentity {
  memberId: string
  groupInstanceId: string | null
  /** Generation (classic) or member epoch (consumer groups, OffsetCommit v9+); -1 for commits from outside. */
  generationIdOrMemberEpoch: number
  apiVersion: number
  /** TxnOffsetCommit: members are checked when named, but any state is fine and outsiders may commit. */
  transactional?: boolean
}

/**
 * Which committed offsets may expire (offsets.retention.minutes):
 * - since-empty: every offset, counted from when the group became empty (`since`), or from the commit for a
 *   group that never had members;
 * - since-commit: offsets of topics the group does not consume, counted from their commit;
 * - none: nothing expires while the group is in this state.
 */
export type OffsetExpiry =
  | { kind: 'none' }
  | { kind: 'since-empty', since: number | null }
  | { kind: 'since-commit', consumed: ReadonlySet<string> }

/** DescribeGroups' view of a group. Metadata and assignments are only shown while the group is Stable. */
export interface GroupDescription {
  state: string
  protocolType: string
  protocolData: string
  members: Array<{ memberId: string, groupInstanceId: string | null, clientId: string, clientHost: string, metadata: Buffer, assignment: Buffer }>
}

export interface Group {
  readonly groupId: string
  readonly type: GroupType
  /** State as DescribeGroups and ListGroups spell it (Empty, Stable, ...). */
  readonly stateName: string
  /** ListGroups protocolType: "" for a group that only stores offsets. */
  readonly protocolTypeName: string
  /** No members: DeleteGroups may delete it. */
  readonly isEmpty: boolean
  /** Set once the group has been deleted or expired; requests that still hold it must not use it. */
  readonly isDead: boolean
  /** Error code for an OffsetCommit from this identity (NONE to accept); may count as a liveness signal. */
  validateOffsetCommit: (commit: CommitIdentity) => number
  /** Error code for an OffsetFetch naming a member (v9+); NONE to accept. */
  validateOffsetFetch: (memberId: string | null, memberEpoch: number) => number
  /** OffsetDelete: a group-level error, or which topics the group still consumes (their offsets stay). */
  offsetDeletion: () => { errorCode: number } | { consumes: (topic: string) => boolean }
  expiry: () => OffsetExpiry
  describe: () => GroupDescription
  /** Marks the group Dead and releases it: answers requests it holds, stops its timers. */
  dispose: () => void
}
