import {
  BATCH_BASE_OFFSET, BATCH_HEADER_SIZE, BATCH_LAST_OFFSET_DELTA, BATCH_LENGTH, BATCH_LOG_OVERHEAD, BATCH_PRODUCER_ID, ControlRecordType, ErrorCode,
  controlRecord, encodeRecordBatch, readInt64, type ProduceValidation
} from '@samsa/protocol'
import type { AppendResult, PartitionLog } from '../log/index.js'
import type { Logger } from '../logger.js'
import type { TopicRegistry } from '../topics/topic-registry.js'
import { AbortedIndex } from './aborted-index.js'
import { compactionHintsFor } from './compaction-hints.js'
import type { FaultHooks } from './faults.js'
import { PartitionProducerState, lastSequence, type ProducerBatch, type ProducerEntry } from './producer-state.js'
import { readProducerBatch, replayLog } from './replay.js'
import { encodeSnapshot, readSnapshot, writeSnapshot } from './snapshot.js'

/**
 * Owner of every partition's producer state. The produce handler calls `check` before appending and `record` after;
 * a batch without a producer id (-1) costs one comparison. State is loaded on first use: the snapshot, then a
 * replay of the log from the snapshot's offset. Snapshots are written for loaded partitions periodically (once the
 * log bytes they cover are durable) and at shutdown.
 */
export interface ProducerStateConfig {
  /** producer.id.expiration.ms: idle producers without an open transaction are forgotten (Kafka: 1 day). */
  producerIdExpirationMs: number
  /** producer.id.expiration.check.interval.ms (Kafka: 10 minutes). */
  expirationCheckIntervalMs: number
  /** How often loaded partitions whose state moved get a new snapshot. */
  snapshotIntervalMs: number
}

export const DEFAULT_PRODUCER_STATE_CONFIG: Readonly<ProducerStateConfig> = Object.freeze({
  producerIdExpirationMs: 86_400_000,
  expirationCheckIntervalMs: 600_000,
  snapshotIntervalMs: 30_000
})

/** Asks the transaction coordinator whether a partition belongs to the producer's ongoing transaction. */
export type TransactionVerifier = (producerId: number, epoch: number, topic: string, partition: number) => boolean

interface PendingBatch { batch: ProducerBatch, relativeOffset: number }
export type ProduceCheck =
  | { kind: 'reject', errorCode: number, message: string }
  | { kind: 'duplicate', baseOffset: number, lastOffset: number }
  | { kind: 'append', state: PartitionProducerState, batches: PendingBatch[], topic: string, partition: number }

interface Loaded { state: PartitionProducerState, snapshotOffset: number }
const HINTS_SWEEP_MS = 5_000

export class ProducerStates {
  verifyTransaction: TransactionVerifier | null = null
  private readonly loaded = new WeakMap<PartitionLog, Loaded>()
  private readonly hinted = new WeakSet<PartitionLog>()
  private readonly timers: NodeJS.Timeout[] = []
  private snapshotting = false

  constructor (private readonly topics: TopicRegistry, private readonly config: ProducerStateConfig, private readonly logger: Logger, private readonly faults: FaultHooks) {
    const every = (ms: number, task: () => void): void => {
      if (ms <= 0 || ms >= 2 ** 31) return
      const timer = setInterval(task, ms)
      timer.unref()
      this.timers.push(timer)
    }
    every(config.expirationCheckIntervalMs, () => this.expireProducers())
    every(config.snapshotIntervalMs, () => { void this.snapshotAll() })
    this.attachCompactionHints()
    every(HINTS_SWEEP_MS, () => this.attachCompactionHints())
  }

  /** Gives every partition log (new ones at the next sweep) the hints its compaction needs from producer state. */
  attachCompactionHints (): void {
    for (const topic of this.topics.list()) {
      for (const log of topic.partitions) this.attachHints(log)
    }
  }

  private attachHints (log: PartitionLog): void {
    if (this.hinted.has(log)) return
    this.hinted.add(log)
    log.compactionHints = compactionHintsFor(log, (target) => this.forLog(target))
  }

  /** The partition's state, loading it (snapshot + replay) on first use. */
  forLog (log: PartitionLog): PartitionProducerState {
    return (this.loaded.get(log) ?? this.load(log)).state
  }

  /** Produce, before the append. Null: nothing to do (no producer id). Synchronous, so nothing interleaves. */
  check (log: PartitionLog, topic: string, partition: number, records: Buffer, validation: ProduceValidation & { ok: true }): ProduceCheck | null {
    // An empty log has nothing to replay: loading its state now, for free, spares the first Fetch (which needs the
    // LSO) a replay of everything appended meanwhile (measured: +100 ms of broker CPU per million records read).
    if (log.logEndOffset === log.logStartOffset && !this.loaded.has(log)) this.load(log)
    if (validation.producerId < 0 && validation.batchCount === 1) return null
    const batches: PendingBatch[] = []
    let relativeOffset = 0
    for (let pos = 0; pos < records.length;) {
      if (readInt64(records, pos + BATCH_PRODUCER_ID) >= 0) batches.push({ batch: readProducerBatch(records, pos), relativeOffset })
      relativeOffset += records.readInt32BE(pos + BATCH_LAST_OFFSET_DELTA) + 1
      pos += records.readInt32BE(pos + BATCH_LENGTH) + BATCH_LOG_OVERHEAD
    }
    if (batches.length === 0) return null
    const state = this.forLog(log)
    let previous: { epoch: number, lastSeq: number } | undefined
    for (const { batch } of batches) {
      if (previous !== undefined && batch.producerId !== batches[0]!.batch.producerId) {
        return { kind: 'reject', errorCode: ErrorCode.INVALID_RECORD, message: 'batches of several producers in one partition' }
      }
      const result = state.check(batch, previous)
      if (result.kind === 'duplicate') {
        return previous === undefined ? { kind: 'duplicate', baseOffset: result.meta.firstOffset, lastOffset: result.meta.lastOffset } : outOfOrder(batch)
      }
      if (result.kind === 'reject') return result
      const transactional = state.checkTransactional(batch)
      if (transactional.kind === 'reject') return transactional
      if (batch.isTransactional && !state.inTransaction(batch.producerId) && this.verifyTransaction?.(batch.producerId, batch.epoch, topic, partition) !== true) {
        // Kafka 3.6+ verifies the partition was added to the transaction (KIP-890 part 1); a single node can ask directly.
        return { kind: 'reject', errorCode: ErrorCode.INVALID_TXN_STATE, message: `${topic}-${partition} is not part of producer ${batch.producerId}'s transaction` }
      }
      previous = { epoch: batch.epoch, lastSeq: lastSequence(batch.baseSequence, batch.lastOffsetDelta) }
    }
    return { kind: 'append', state, batches, topic, partition }
  }

  /** Produce, right after the append of a checked request. */
  record (check: ProduceCheck | null, appended: AppendResult): void {
    if (check === null || check.kind !== 'append') return
    const now = Date.now()
    for (const { batch, relativeOffset } of check.batches) check.state.apply(batch, appended.baseOffset + relativeOffset, now)
    if (this.faults.dropProduceResponse?.(check.topic, check.partition) === true) {
      throw new InjectedFault(`dropped the produce response for ${check.topic}-${check.partition} after the append`)
    }
  }

  /** Appends a commit/abort marker for the producer and closes its transaction in this partition. */
  appendMarker (log: PartitionLog, producerId: number, epoch: number, commit: boolean, coordinatorEpoch = 0): number {
    const state = this.forLog(log)
    const type = commit ? ControlRecordType.Commit : ControlRecordType.Abort
    const now = Date.now()
    const batch = encodeRecordBatch([controlRecord(type, coordinatorEpoch, now)], { producerId, producerEpoch: epoch, baseSequence: -1, isControl: true, isTransactional: true })
    const appended = log.append(batch)
    state.applyMarker(producerId, epoch, commit, appended.baseOffset, coordinatorEpoch, log.logEndOffset, now)
    return appended.baseOffset
  }

  lastStableOffset (log: PartitionLog): number {
    return this.forLog(log).lastStableOffset(log.logEndOffset)
  }

  /**
   * read_committed view of whole batches read from `fetchOffset`: batches at or beyond the LSO are cut off, and the
   * aborted transactions overlapping what is returned are listed so the consumer can drop their records.
   */
  readCommitted (log: PartitionLog, fetchOffset: number, records: Buffer): { records: Buffer, abortedTransactions: Array<{ producerId: number, firstOffset: number }> } {
    const state = this.forLog(log)
    const lso = state.lastStableOffset(log.logEndOffset)
    let end = 0
    let upperBound = fetchOffset
    while (records.length - end >= BATCH_HEADER_SIZE) {
      const base = readInt64(records, end + BATCH_BASE_OFFSET)
      const size = records.readInt32BE(end + BATCH_LENGTH) + BATCH_LOG_OVERHEAD
      if (base >= lso || end + size > records.length) break
      upperBound = base + records.readInt32BE(end + BATCH_LAST_OFFSET_DELTA) + 1
      end += size
    }
    const bounded = end === records.length ? records : records.subarray(0, end)
    return { records: bounded, abortedTransactions: end === 0 ? [] : state.aborted.between(fetchOffset, upperBound) }
  }

  /** DescribeProducers: the producers this partition knows. */
  describe (log: PartitionLog): ProducerEntry[] {
    return [...this.forLog(log).producers.values()]
  }

  /** Writes a snapshot for every loaded partition whose state or log end moved since its last one. */
  async snapshotAll (force = false): Promise<void> {
    if (this.snapshotting) return
    this.snapshotting = true
    try {
      for (const { log, loaded } of this.loadedLogs()) {
        const offset = log.logEndOffset
        if (!force && !loaded.state.dirty && offset - loaded.snapshotOffset < 10_000) continue
        if (offset === loaded.snapshotOffset && !loaded.state.dirty) continue
        const encoded = encodeSnapshot(offset, loaded.state.producers.values())
        loaded.state.dirty = false
        try {
          await log.flushedUpTo(offset - 1)
          loaded.state.aborted.sync()
          writeSnapshot(log.dir, encoded)
          loaded.snapshotOffset = offset
        } catch (error) {
          loaded.state.dirty = true
          this.logger.debug(`producer-state snapshot of ${log.dir} skipped: ${(error as Error).message}`)
        }
      }
    } finally {
      this.snapshotting = false
    }
  }

  /**
   * Shutdown, after the logs were flushed and closed: a final snapshot at each log end (so the next start replays
   * nothing) and the aborted indexes closed.
   */
  close (): void {
    for (const timer of this.timers) clearInterval(timer)
    for (const { log, loaded } of this.loadedLogs()) {
      try {
        loaded.state.aborted.close()
        if (loaded.snapshotOffset !== log.logEndOffset || loaded.state.dirty) writeSnapshot(log.dir, encodeSnapshot(log.logEndOffset, loaded.state.producers.values()))
      } catch (error) {
        this.logger.warn(`producer-state snapshot of ${log.dir} failed: ${(error as Error).message}`)
      }
    }
  }

  expireProducers (nowMs = Date.now()): void {
    for (const { log, loaded } of this.loadedLogs()) {
      loaded.state.expire(nowMs, this.config.producerIdExpirationMs)
      loaded.state.aborted.trimBelow(log.logStartOffset)
    }
  }

  private * loadedLogs (): Generator<{ log: PartitionLog, loaded: Loaded }> {
    for (const topic of this.topics.list()) {
      for (const log of topic.partitions) {
        const loaded = this.loaded.get(log)
        if (loaded !== undefined) yield { log, loaded }
      }
    }
  }

  private load (log: PartitionLog): Loaded {
    const started = Date.now()
    const snapshot = readSnapshot(log.dir)
    const usable = snapshot !== null && snapshot.offset <= log.logEndOffset
    const replayStart = usable ? Math.max(snapshot.offset, log.logStartOffset) : log.logStartOffset
    const state = new PartitionProducerState(AbortedIndex.open(log.dir, replayStart, log.logStartOffset))
    if (usable) {
      for (const entry of snapshot.producers) {
        state.producers.set(entry.producerId, entry)
        if (entry.txnFirstOffset >= 0) state.ongoing.set(entry.producerId, entry.txnFirstOffset)
      }
      sortOngoing(state)
    }
    replayLog(state, log, replayStart)
    const loaded: Loaded = { state, snapshotOffset: usable && replayStart === log.logEndOffset ? snapshot.offset : -1 }
    state.dirty = false
    this.loaded.set(log, loaded)
    this.attachHints(log)
    const ms = Date.now() - started
    if (ms > 100) this.logger.info(`loaded producer state of ${log.dir} in ${ms} ms (replayed from offset ${replayStart})`)
    return loaded
  }
}

/** A snapshot lists producers by id; the ongoing map must be in first-offset order for the LSO. */
function sortOngoing (state: PartitionProducerState): void {
  const sorted = [...state.ongoing].sort((a, b) => a[1] - b[1])
  state.ongoing.clear()
  for (const [producerId, first] of sorted) state.ongoing.set(producerId, first)
}

function outOfOrder (batch: ProducerBatch): ProduceCheck {
  return { kind: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `producer ${batch.producerId} repeated a batch inside one request` }
}

/** Thrown by a fault hook: the connection treats it like any handler fault and closes without answering. */
export class InjectedFault extends Error {}
