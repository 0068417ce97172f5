/**
 * Transaction bookkeeping while the cleaner walks batches in offset order (Kafka's CleanedTransactionMetadata):
 * - data batches of an aborted transaction are discarded (they never count as a key's latest value);
 * - an ABORT marker is kept while this pass still saw batches of its transaction, a COMMIT marker while this pass
 *   saw transactional batches of that producer since its previous marker — a marker is only removed once nothing
 *   of its transaction is left, and then only after delete.retention.ms (the delete horizon on the marker batch).
 *
 * Which transactions were aborted comes from the producer-state owner's aborted-transaction index (Kafka: the
 * .txnindex files), through PartitionLog.compactionHints; without hints no transaction counts as aborted.
 */
export interface AbortedTransaction { producerId: number, firstOffset: number, lastOffset: number }

export enum ControlType { Abort = 0, Commit = 1 }

export class CleanedTransactions {
  private readonly aborted: AbortedTransaction[]
  private next = 0
  private readonly ongoingCommitted = new Set<number>()
  /** producerId → last offset of a batch of its aborted transaction seen in this pass (-1: none yet). */
  private readonly ongoingAborted = new Map<number, number>()

  constructor (aborted: AbortedTransaction[]) {
    this.aborted = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset)
  }

  private consumeUpTo (offset: number): void {
    while (this.next < this.aborted.length && this.aborted[this.next].firstOffset <= offset) {
      const txn = this.aborted[this.next++]
      if (!this.ongoingAborted.has(txn.producerId)) this.ongoingAborted.set(txn.producerId, -1)
    }
  }

  /** A data batch: true when it belongs to an aborted transaction (and may be discarded). */
  onBatch (producerId: number, isTransactional: boolean, lastOffset: number): boolean {
    this.consumeUpTo(lastOffset)
    if (!isTransactional) return false
    if (this.ongoingAborted.has(producerId)) {
      this.ongoingAborted.set(producerId, lastOffset)
      return true
    }
    this.ongoingCommitted.add(producerId)
    return false
  }

  /** A control batch: true when its transaction has nothing left, so the marker may go (after its horizon). */
  onControlBatch (producerId: number, lastOffset: number, type: ControlType | null): boolean {
    this.consumeUpTo(lastOffset)
    if (type === null) return true // an emptied control batch: nothing left to protect
    if (type === ControlType.Abort) {
      const lastSeen = this.ongoingAborted.get(producerId)
      this.ongoingAborted.delete(producerId)
      return lastSeen === undefined || lastSeen < 0
    }
    if (type === ControlType.Commit) return !this.ongoingCommitted.delete(producerId)
    return false
  }
}
