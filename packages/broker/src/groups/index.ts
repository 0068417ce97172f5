/**
 * Consumer groups: the coordinator (group-coordinator.ts) owns every group and, through store/, the committed
 * offsets. classic/ implements the JoinGroup/SyncGroup protocol, consumer/ the KIP-848 consumer group protocol;
 * group.ts is what any group type provides.
 */
export { GroupCoordinator, type CoordinatorOptions } from './group-coordinator.js'
export type { Group, GroupType, GroupDescription, CommitIdentity, OffsetExpiry } from './group.js'
export { lag, type PartitionLag } from './lag.js'
export { JOURNAL_DIR, JOURNAL_FILE } from './store/group-store.js'
