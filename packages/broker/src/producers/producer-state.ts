import { ErrorCode } from '@samsa/protocol'
import { AbortedIndex } from './aborted-index.js'

/**
 * One partition's producer state (Kafka's ProducerStateManager, reduced to what a single node needs): per producer
 * id the epoch, the metadata of its last 5 batches (duplicate detection), the first offset of its open
 * transaction; the open transactions in offset order (last stable offset) and the aborted-transaction index.
 * Pure in-memory logic; loading, snapshots and files are producer-states.ts's business.
 */
export interface BatchMeta { firstSeq: number, lastSeq: number, firstOffset: number, lastOffset: number, timestamp: number }

export interface ProducerEntry {
  producerId: number
  epoch: number
  /** Oldest first, at most MAX_BATCHES. */
  batches: BatchMeta[]
  /** maxTimestamp of the last batch (what DescribeProducers reports). */
  lastTimestamp: number
  /** Broker wall clock of the last write: producer.id.expiration.ms counts from here. */
  lastAppendMs: number
  coordinatorEpoch: number
  /** First offset of the producer's open transaction in this partition, -1 when none. */
  txnFirstOffset: number
}

/** A batch header's producer fields, as the produce path reads them from the opaque bytes. */
export interface ProducerBatch { producerId: number, epoch: number, baseSequence: number, lastOffsetDelta: number, maxTimestamp: number, isTransactional: boolean }

export type SequenceCheck =
  | { kind: 'ok' }
  | { kind: 'duplicate', meta: BatchMeta }
  | { kind: 'reject', errorCode: number, message: string }

/** Kafka keeps this many batches per producer: the most a client may have in flight with idempotence. */
export const MAX_BATCHES = 5
const INT32_MAX = 0x7fffffff
const OK: SequenceCheck = { kind: 'ok' }

/** Last sequence of a batch: sequences wrap from Int32.MAX to 0, as in Kafka's DefaultRecordBatch. */
export function lastSequence (baseSequence: number, lastOffsetDelta: number): number {
  return baseSequence > INT32_MAX - lastOffsetDelta ? lastOffsetDelta - (INT32_MAX - baseSequence) - 1 : baseSequence + lastOffsetDelta
}

function inSequence (lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX)
}

export class PartitionProducerState {
  readonly producers = new Map<number, ProducerEntry>()
  /** producerId → first offset of its open transaction; insertion order is offset order, so the first is the LSO. */
  readonly ongoing = new Map<number, number>()
  readonly aborted: AbortedIndex
  /** Changed since the last snapshot. */
  dirty = false

  constructor (aborted: AbortedIndex) {
    this.aborted = aborted
  }

  /**
   * Kafka's client-append checks, in its order: stale epoch → INVALID_PRODUCER_EPOCH (since Kafka 2.7 also for
   * transactional producers; PRODUCER_FENCED comes from the coordinator); a batch matching one of the last 5 by
   * first and last sequence → duplicate; a new epoch must start at sequence 0; otherwise the sequence must follow
   * the last one. A producer this partition has no record of (new, expired, or deleted by retention) may start at
   * any sequence (KIP-360: Kafka 2.5+ no longer answers UNKNOWN_PRODUCER_ID for it).
   * `previous` carries the state left by earlier batches of the same request.
   */
  check (batch: ProducerBatch, previous?: { epoch: number, lastSeq: number }): SequenceCheck {
    const entry = this.producers.get(batch.producerId)
    if (batch.baseSequence < 0) return { kind: 'reject', errorCode: ErrorCode.INVALID_RECORD, message: `producer ${batch.producerId} sent a batch without a sequence number` }
    const epoch = previous?.epoch ?? entry?.epoch
    if (epoch !== undefined && batch.epoch < epoch) {
      return { kind: 'reject', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: `epoch ${batch.epoch} of producer ${batch.producerId} is older than ${epoch}` }
    }
    if (previous === undefined && entry !== undefined && batch.epoch === entry.epoch) {
      const last = lastSequence(batch.baseSequence, batch.lastOffsetDelta)
      for (const meta of entry.batches) {
        if (meta.firstSeq === batch.baseSequence && meta.lastSeq === last) return { kind: 'duplicate', meta }
      }
    }
    if (epoch === undefined) return OK
    if (batch.epoch !== epoch) {
      if (batch.baseSequence !== 0) return outOfOrder(batch, `a new epoch ${batch.epoch} must start at sequence 0`)
      return OK
    }
    const lastSeq = previous?.lastSeq ?? (entry!.batches.length > 0 ? entry!.batches[entry!.batches.length - 1]!.lastSeq : -1)
    if (!inSequence(lastSeq, batch.baseSequence)) return outOfOrder(batch, `expected sequence ${lastSeq === INT32_MAX ? 0 : lastSeq + 1}`)
    return OK
  }

  /** Transactional checks that need no coordinator: a non-transactional write while the producer's txn is open. */
  checkTransactional (batch: ProducerBatch): SequenceCheck {
    const entry = this.producers.get(batch.producerId)
    if (!batch.isTransactional && entry !== undefined && entry.txnFirstOffset >= 0) {
      return { kind: 'reject', errorCode: ErrorCode.INVALID_TXN_STATE, message: `expected a transactional write from producer ${batch.producerId}` }
    }
    return OK
  }

  /** True when the producer already has an open transaction here (no coordinator check needed). */
  inTransaction (producerId: number): boolean {
    return this.ongoing.has(producerId)
  }

  /** Records an appended batch (also used by replay, where nothing is checked). */
  apply (batch: ProducerBatch, firstOffset: number, nowMs: number): void {
    let entry = this.producers.get(batch.producerId)
    if (entry === undefined) {
      entry = { producerId: batch.producerId, epoch: batch.epoch, batches: [], lastTimestamp: -1, lastAppendMs: nowMs, coordinatorEpoch: -1, txnFirstOffset: -1 }
      this.producers.set(batch.producerId, entry)
    } else if (batch.epoch !== entry.epoch) {
      entry.epoch = batch.epoch
      entry.batches = []
    }
    const lastOffset = firstOffset + batch.lastOffsetDelta
    if (batch.baseSequence >= 0) {
      entry.batches.push({ firstSeq: batch.baseSequence, lastSeq: lastSequence(batch.baseSequence, batch.lastOffsetDelta), firstOffset, lastOffset, timestamp: batch.maxTimestamp })
      if (entry.batches.length > MAX_BATCHES) entry.batches.shift()
    }
    entry.lastTimestamp = batch.maxTimestamp
    entry.lastAppendMs = nowMs
    if (batch.isTransactional && entry.txnFirstOffset < 0) {
      entry.txnFirstOffset = firstOffset
      this.ongoing.set(batch.producerId, firstOffset)
    }
    this.dirty = true
  }

  /**
   * A commit/abort marker at `offset` ends the producer's open transaction here. An abort adds the transaction to
   * the aborted index with the LSO after it completes (what lets a fetch stop scanning the index early).
   */
  applyMarker (producerId: number, epoch: number, commit: boolean, offset: number, coordinatorEpoch: number, leo: number, nowMs: number): void {
    let entry = this.producers.get(producerId)
    if (entry === undefined) {
      entry = { producerId, epoch, batches: [], lastTimestamp: -1, lastAppendMs: nowMs, coordinatorEpoch, txnFirstOffset: -1 }
      this.producers.set(producerId, entry)
    } else if (epoch > entry.epoch) {
      entry.epoch = epoch
      entry.batches = []
    }
    entry.coordinatorEpoch = coordinatorEpoch
    entry.lastAppendMs = nowMs
    const firstOffset = entry.txnFirstOffset
    entry.txnFirstOffset = -1
    this.ongoing.delete(producerId)
    if (!commit && firstOffset >= 0) {
      this.aborted.add({ producerId, firstOffset, lastOffset: offset, lastStableOffset: this.lastStableOffset(leo) })
    }
    this.dirty = true
  }

  /** First offset of the earliest open transaction, else the high watermark (= log end offset here). */
  lastStableOffset (highWatermark: number): number {
    for (const first of this.ongoing.values()) return Math.min(first, highWatermark)
    return highWatermark
  }

  /** Drops producers idle for `expirationMs` that have no open transaction (producer.id.expiration.ms). */
  expire (nowMs: number, expirationMs: number): number {
    let removed = 0
    for (const [producerId, entry] of this.producers) {
      if (entry.txnFirstOffset < 0 && nowMs - entry.lastAppendMs >= expirationMs) {
        this.producers.delete(producerId)
        removed++
      }
    }
    if (removed > 0) this.dirty = true
    return removed
  }
}

function outOfOrder (batch: ProducerBatch, why: string): SequenceCheck {
  return { kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `producer ${batch.producerId} epoch ${batch.epoch} sent sequence ${batch.baseSequence}: ${why}` }
}
