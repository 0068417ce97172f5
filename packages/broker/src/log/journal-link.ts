/**
 * One partition's link to the write-ahead journal (journal.ts): its appends go into the journal under the
 * partition's key, and it remembers which journal sequence number makes which offsets durable, so that
 * PartitionLog.flushedUpTo can wait for the right group-commit round.
 */
import type { Journal, JournalMember } from './journal.js'

export class JournalLink {
  readonly journal: Journal
  private readonly key: Buffer
  /**
   * Offsets from here on were appended through the journal (durable once their entry is); older ones — found on
   * disk at open, or replayed from the journal — become durable by syncing the segments.
   */
  readonly from: number
  /** Appends whose journal entry may not be durable yet, oldest first: [end offset, journal sequence] pairs. */
  private pending: number[] = []
  private head = 0

  constructor (journal: Journal, key: string, from: number) {
    this.journal = journal
    this.key = Buffer.from(key)
    this.from = from
  }

  /** Journals an append that ended at `lastOffset` (already in the segment); `segmentsDurable` as in prune. */
  append (member: JournalMember, lastOffset: number, records: Buffer, segmentsDurable: number): void {
    const seq = this.journal.append(member, this.key, lastOffset, records)
    if (this.pending.length - this.head >= 64) this.prune(segmentsDurable)
    this.pending.push(lastOffset + 1, seq)
  }

  /**
   * The journal sequence that makes `offset` durable, 0 when it already is. `segmentsDurable`: the offset below
   * which the segments are fsynced (entries below it need no journal round either).
   */
  sequenceFor (offset: number, segmentsDurable: number): number {
    this.prune(segmentsDurable)
    const list = this.pending
    for (let i = this.head; i < list.length; i += 2) if (list[i] > offset) return list[i + 1]
    return 0
  }

  /** Drops entries made durable by the journal or by a segment sync. */
  private prune (segmentsDurable: number): void {
    const pending = this.pending
    const durableSeq = this.journal.durableSequence
    let head = this.head
    while (head < pending.length && (pending[head + 1] <= durableSeq || pending[head] <= segmentsDurable)) head += 2
    if (head === pending.length) {
      this.pending = []
      head = 0
    } else if (head > 1024) {
      this.pending = pending.slice(head)
      head = 0
    }
    this.head = head
  }
}
