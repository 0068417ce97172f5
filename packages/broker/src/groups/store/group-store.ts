import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../../logger.js'
import { StorageError } from '../../errors.js'
import { Journal, frameSize, type JournalOptions } from './journal.js'
import { decodeRecord, encodeRecord, type CommittedOffset, type GroupRecord } from './records.js'

/**
 * The durable state of the group coordinator: committed offsets and each group's persisted metadata, in memory
 * for reads and journaled (journal.ts) for restarts. Sole owner of both; the coordinator mutates them only here.
 *
 * Why a journal and not an internal compacted topic like Kafka's __consumer_offsets: the state is a small keyed
 * map that is read only at start-up, so a dedicated file with CRC frames, group-committed fsyncs and snapshot
 * rewrites gives the same guarantees (durable before acknowledged, bounded size) without depending on log
 * compaction, without a topic that Metadata would have to hide, and with a replay that is one sequential read.
 *
 * Every mutation is applied in memory first, then appended; callers that must not answer before it is durable
 * await `durable(seq)`. A write is visible to OffsetFetch at once, but OffsetFetch waits for the group's latest
 * write to be durable before it answers, so nothing a client reads can be lost by a crash.
 */
export interface StoredOffset { topic: string, partition: number, value: CommittedOffset }

interface LiveOffset { value: CommittedOffset, bytes: number }
interface LiveGroup { groupType: string, body: Buffer, bytes: number }

export const JOURNAL_DIR = '__group_coordinator'
export const JOURNAL_FILE = 'groups.journal'

export class GroupStore {
  /** group → topic → partition → offset */
  private readonly offsets = new Map<string, Map<string, Map<number, LiveOffset>>>()
  private readonly groups = new Map<string, LiveGroup>()
  private readonly lastSeqOfGroup = new Map<string, number>()
  private live = 0
  private journal!: Journal

  private constructor () {}

  static async open (dataDir: string, logger: Logger, options: JournalOptions = {}): Promise<GroupStore> {
    const store = new GroupStore()
    const dir = join(dataDir, JOURNAL_DIR)
    mkdirSync(dir, { recursive: true })
    const file = join(dir, JOURNAL_FILE)
    store.journal = await Journal.open(file, (payload) => {
      let record: GroupRecord
      try {
        record = decodeRecord(payload)
      } catch (error) {
        throw new StorageError(`group journal ${file}: ${(error as Error).message}`, error)
      }
      store.apply(record, payload.length)
    }, { liveRecords: () => store.liveRecords(), liveBytes: () => store.live }, logger, options)
    return store
  }

  /** Group ids with persisted metadata, and their type and body, as replayed at start-up. */
  persistedGroups (): Array<{ groupId: string, groupType: string, body: Buffer }> {
    return [...this.groups].map(([groupId, live]) => ({ groupId, groupType: live.groupType, body: live.body }))
  }

  /** Group ids that have committed offsets. */
  groupsWithOffsets (): string[] {
    return [...this.offsets.keys()]
  }

  get (group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(group)?.get(topic)?.get(partition)?.value
  }

  all (group: string): StoredOffset[] {
    const result: StoredOffset[] = []
    for (const [topic, partitions] of this.offsets.get(group) ?? []) {
      for (const [partition, live] of partitions) result.push({ topic, partition, value: live.value })
    }
    return result
  }

  hasOffsets (group: string): boolean {
    return this.offsets.has(group)
  }

  commit (group: string, topic: string, partition: number, value: CommittedOffset): number {
    return this.write({ type: 'offset', group, topic, partition, value })
  }

  deleteOffset (group: string, topic: string, partition: number): number {
    return this.write({ type: 'offset-delete', group, topic, partition })
  }

  putGroup (group: string, groupType: string, body: Buffer): number {
    return this.write({ type: 'group', group, groupType, body })
  }

  /** Removes the group's metadata and every offset it committed. */
  deleteGroup (group: string): number {
    return this.write({ type: 'group-delete', group })
  }

  /** Resolves when every write made so far for `group` is on disk (rejects if the journal failed). */
  durable (group: string): Promise<void> {
    const seq = this.lastSeqOfGroup.get(group)
    return seq === undefined ? Promise.resolve() : this.journal.waitDurable(seq)
  }

  waitDurable (seq: number): Promise<void> {
    return this.journal.waitDurable(seq)
  }

  get journalBytes (): number { return this.journal.sizeBytes }
  get liveBytes (): number { return this.live }

  async close (): Promise<void> {
    await this.journal.close()
  }

  private write (record: GroupRecord): number {
    const payload = encodeRecord(record)
    this.apply(record, payload.length)
    const seq = this.journal.append(payload)
    this.lastSeqOfGroup.set(record.group, seq)
    return seq
  }

  /** Applies one record to the in-memory state (live writes and replay alike). */
  private apply (record: GroupRecord, payloadLength: number): void {
    const bytes = frameSize(payloadLength)
    switch (record.type) {
      case 'offset': {
        let topics = this.offsets.get(record.group)
        if (topics === undefined) this.offsets.set(record.group, topics = new Map())
        let partitions = topics.get(record.topic)
        if (partitions === undefined) topics.set(record.topic, partitions = new Map())
        this.live += bytes - (partitions.get(record.partition)?.bytes ?? 0)
        partitions.set(record.partition, { value: record.value, bytes })
        break
      }
      case 'offset-delete': {
        const topics = this.offsets.get(record.group)
        const partitions = topics?.get(record.topic)
        const existing = partitions?.get(record.partition)
        if (existing === undefined) break
        this.live -= existing.bytes
        partitions!.delete(record.partition)
        if (partitions!.size === 0) topics!.delete(record.topic)
        if (topics!.size === 0) this.offsets.delete(record.group)
        break
      }
      case 'group': {
        this.live += bytes - (this.groups.get(record.group)?.bytes ?? 0)
        this.groups.set(record.group, { groupType: record.groupType, body: Buffer.from(record.body), bytes })
        break
      }
      case 'group-delete': {
        this.live -= this.groups.get(record.group)?.bytes ?? 0
        this.groups.delete(record.group)
        for (const partitions of this.offsets.get(record.group)?.values() ?? []) {
          for (const live of partitions.values()) this.live -= live.bytes
        }
        this.offsets.delete(record.group)
        this.lastSeqOfGroup.delete(record.group)
        break
      }
    }
  }

  private liveRecords (): Buffer[] {
    const records: Buffer[] = []
    for (const [group, live] of this.groups) records.push(encodeRecord({ type: 'group', group, groupType: live.groupType, body: live.body }))
    for (const [group, topics] of this.offsets) {
      for (const [topic, partitions] of topics) {
        for (const [partition, live] of partitions) records.push(encodeRecord({ type: 'offset', group, topic, partition, value: live.value }))
      }
    }
    return records
  }
}
