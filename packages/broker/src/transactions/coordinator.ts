import { ErrorCode } from '@samsa/protocol'
import type { Logger } from '../logger.js'
import type { FaultHooks } from '../producers/faults.js'
import type { ProducerIdManager } from '../producers/producer-id-manager.js'
import type { ProducerStates } from '../producers/producer-states.js'
import type { TopicRegistry } from '../topics/topic-registry.js'
import type { TransactionConfig } from './config.js'
import { Journal, journalFile } from './journal.js'
import { TxnLocks } from './locks.js'
import { MAX_EPOCH, hasPartition, isEpochExhausted, withOffsets, withPartitions, type TxnMetadata, type TxnOffset } from './metadata.js'
import type { TxnOffsetSink } from './offset-sink.js'

/**
 * The transaction coordinator (Kafka's TransactionCoordinator + TransactionStateManager + marker channel, on one
 * node). Every transition of a transactional id is written whole to the journal and made durable before it takes
 * effect or is answered; requests for one id run one at a time (TxnLocks). EndTxn writes PrepareCommit/PrepareAbort,
 * appends a control batch to every partition of the transaction, waits for those markers to be durable, hands
 * committed offsets to the group coordinator, then writes CompleteCommit/CompleteAbort and answers. A crash in
 * between leaves Prepare* in the journal, and `recover` finishes it on the next start (markers written twice are
 * harmless: the second finds no open transaction).
 * Departure from Kafka: EndTxn answers once the transaction is complete rather than once it is prepared, and
 * InitProducerId that has to abort an ongoing transaction completes that abort and answers with the new epoch
 * instead of CONCURRENT_TRANSACTIONS — the result a Kafka client reaches after its retry.
 */
export interface CoordinatorDeps {
  dataDir: string
  topics: TopicRegistry
  producers: ProducerStates
  producerIds: ProducerIdManager
  logger: Logger
  faults: FaultHooks
  config: TransactionConfig
}

export interface InitResult { errorCode: number, producerId: number, producerEpoch: number }

export class TransactionCoordinator {
  offsetSink: TxnOffsetSink | null = null
  readonly txns = new Map<string, TxnMetadata>()
  private readonly byProducerId = new Map<number, string>()
  private readonly locks = new TxnLocks()
  private readonly timers: NodeJS.Timeout[] = []
  private readonly journal: Journal

  constructor (private readonly deps: CoordinatorDeps) {
    const { journal, entries } = Journal.open(journalFile(deps.dataDir))
    this.journal = journal
    for (const value of entries.values()) this.install(value as TxnMetadata)
    const every = (ms: number, task: () => void): void => {
      if (ms <= 0 || ms >= 2 ** 31) return
      const timer = setInterval(task, ms)
      timer.unref()
      this.timers.push(timer)
    }
    every(deps.config.abortTimedOutTransactionCleanupIntervalMs, () => { void this.abortTimedOut() })
    every(deps.config.removeExpiredTransactionalIdCleanupIntervalMs, () => { void this.expireTransactionalIds() })
  }

  /** Finishes the transactions a crash left between their commit/abort decision and its completion. */
  async recover (): Promise<void> {
    const pending = [...this.txns.values()].filter((meta) => meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort')
    for (const meta of pending) {
      await this.locks.run(meta.transactionalId, async () => await this.complete(this.txns.get(meta.transactionalId)!))
      this.deps.logger.info(`completed ${meta.state} of transactional id ${meta.transactionalId} left by the previous run`)
    }
  }

  initProducerId (transactionalId: string | null, timeoutMs: number, expected: { producerId: number, epoch: number } | null): Promise<InitResult> {
    const fail = (errorCode: number): InitResult => ({ errorCode, producerId: -1, producerEpoch: -1 })
    if (transactionalId === null) return Promise.resolve({ errorCode: ErrorCode.NONE, producerId: this.deps.producerIds.nextId(), producerEpoch: 0 })
    if (transactionalId === '') return Promise.resolve(fail(ErrorCode.INVALID_REQUEST))
    if (timeoutMs <= 0 || timeoutMs > this.deps.config.transactionMaxTimeoutMs) return Promise.resolve(fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT))
    return this.locks.run(transactionalId, async () => {
      const now = Date.now()
      let meta = this.txns.get(transactionalId) ?? {
        transactionalId, producerId: this.deps.producerIds.nextId(), lastProducerId: -1, producerEpoch: -1, lastProducerEpoch: -1,
        timeoutMs, state: 'Empty', partitions: {}, offsets: {}, startMs: -1, updateMs: now
      }
      // KIP-360: a producer naming its current id/epoch may only continue from that id (or the one before a rotation).
      if (expected !== null && !(meta.producerEpoch === -1 || expected.producerId === meta.producerId ||
        (expected.producerId === meta.lastProducerId && isEpochExhausted(expected.epoch)))) return fail(ErrorCode.PRODUCER_FENCED)
      if ((meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') && !await this.complete(meta)) return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
      meta = this.txns.get(transactionalId) ?? meta
      if (meta.state === 'Ongoing') {
        // A new producer instance fences the old one: abort its transaction with a bumped epoch.
        if (!await this.fenceAndAbort(meta)) return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
        meta = this.txns.get(transactionalId)!
      }
      let next: TxnMetadata
      if (isEpochExhausted(meta.producerEpoch) && (expected === null || expected.epoch === meta.producerEpoch)) {
        next = { ...meta, producerId: this.deps.producerIds.nextId(), lastProducerId: meta.producerId, producerEpoch: 0, lastProducerEpoch: expected !== null ? meta.producerEpoch : -1 }
      } else {
        const bumped = meta.producerEpoch + 1
        if (expected === null) next = { ...meta, producerEpoch: bumped, lastProducerEpoch: -1 }
        else if (meta.producerEpoch === -1 || expected.epoch === meta.producerEpoch) next = { ...meta, producerEpoch: bumped, lastProducerEpoch: meta.producerEpoch }
        else if (expected.epoch === meta.lastProducerEpoch) next = meta // a retry of a bump whose answer was lost
        else return fail(ErrorCode.PRODUCER_FENCED)
      }
      next = { ...next, timeoutMs, state: 'Empty', partitions: {}, offsets: {}, startMs: -1, updateMs: now }
      await this.write(next)
      return { errorCode: ErrorCode.NONE, producerId: next.producerId, producerEpoch: next.producerEpoch }
    })
  }

  /** AddPartitionsToTxn (verifyOnly = the v4+ check a partition leader makes). One error for the whole request. */
  addPartitions (transactionalId: string, producerId: number, epoch: number, partitions: Array<{ topic: string, partition: number }>): Promise<number> {
    return this.addToTransaction(transactionalId, producerId, epoch,
      (meta) => partitions.every(({ topic, partition }) => hasPartition(meta, topic, partition)),
      (base) => ({ partitions: withPartitions(base, partitions) }))
  }

  /** Which of `partitions` belong to the ongoing transaction (AddPartitionsToTxn v4+ verifyOnly). */
  verifyPartitions (transactionalId: string, producerId: number, epoch: number, partitions: Array<{ topic: string, partition: number }>): number[] {
    const meta = this.txns.get(transactionalId)
    const error = this.checkProducer(meta, producerId, epoch)
    return partitions.map(({ topic, partition }) => error !== ErrorCode.NONE
      ? error
      : meta!.state === 'Ongoing' && hasPartition(meta!, topic, partition) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE)
  }

  /** AddOffsetsToTxn: the group's offsets become part of the transaction (Kafka adds its __consumer_offsets partition). */
  addOffsets (transactionalId: string, producerId: number, epoch: number, groupId: string): Promise<number> {
    return this.addToTransaction(transactionalId, producerId, epoch,
      (meta) => meta.offsets[groupId] !== undefined,
      (base) => ({ offsets: { ...base.offsets, [groupId]: [] } }))
  }

  /**
   * AddPartitionsToTxn and AddOffsetsToTxn: the producer's transaction becomes (or stays) Ongoing with `extend`
   * applied to it, unless it is Ongoing and `present` already. A transaction that was not Ongoing starts empty.
   */
  private addToTransaction (transactionalId: string, producerId: number, epoch: number,
    present: (meta: TxnMetadata) => boolean, extend: (base: TxnMetadata) => Partial<TxnMetadata>): Promise<number> {
    return this.locks.run(transactionalId, async () => {
      const meta = this.txns.get(transactionalId)
      const error = this.checkProducer(meta, producerId, epoch)
      if (error !== ErrorCode.NONE) return error
      if (meta!.state === 'PrepareCommit' || meta!.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS
      const ongoing = meta!.state === 'Ongoing'
      if (ongoing && present(meta!)) return ErrorCode.NONE
      const base = ongoing ? meta! : { ...meta!, partitions: {}, offsets: {}, startMs: Date.now() }
      await this.write({ ...base, ...extend(base), state: 'Ongoing', updateMs: Date.now() })
      return ErrorCode.NONE
    })
  }

  /** TxnOffsetCommit: offsets held in the transaction until it commits. */
  txnOffsetCommit (transactionalId: string, groupId: string, producerId: number, epoch: number, member: { generationId: number, memberId: string, groupInstanceId: string | null }, offsets: TxnOffset[]): Promise<number> {
    return this.locks.run(transactionalId, async () => {
      const meta = this.txns.get(transactionalId)
      if (meta === undefined || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
      // What Kafka's append to __consumer_offsets answers for an old epoch.
      if (meta.producerEpoch !== epoch) return ErrorCode.INVALID_PRODUCER_EPOCH
      if (meta.state !== 'Ongoing' || meta.offsets[groupId] === undefined) return ErrorCode.INVALID_TXN_STATE
      const memberError = this.offsetSink?.validateMember(groupId, member.generationId, member.memberId, member.groupInstanceId) ?? ErrorCode.NONE
      if (memberError !== ErrorCode.NONE) return memberError
      await this.write({ ...meta, offsets: withOffsets(meta, groupId, offsets), updateMs: Date.now() })
      return ErrorCode.NONE
    })
  }

  endTxn (transactionalId: string, producerId: number, epoch: number, commit: boolean): Promise<number> {
    return this.locks.run(transactionalId, async () => {
      const meta = this.txns.get(transactionalId)
      if (meta === undefined || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
      if (meta.producerEpoch !== epoch) return ErrorCode.PRODUCER_FENCED
      switch (meta.state) {
        case 'Ongoing': {
          const prepared: TxnMetadata = { ...meta, state: commit ? 'PrepareCommit' : 'PrepareAbort', updateMs: Date.now() }
          await this.write(prepared)
          await this.complete(prepared) // the decision is durable: the client is answered as Kafka would, even if completion waits
          return ErrorCode.NONE
        }
        case 'CompleteCommit': return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
        case 'CompleteAbort': return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE
        case 'PrepareCommit':
        case 'PrepareAbort':
          if (commit !== (meta.state === 'PrepareCommit')) return ErrorCode.INVALID_TXN_STATE
          return await this.complete(meta) ? ErrorCode.NONE : ErrorCode.CONCURRENT_TRANSACTIONS
        default: return ErrorCode.INVALID_TXN_STATE
      }
    })
  }

  /** For the produce path: does this partition belong to the producer's ongoing transaction at this epoch? */
  isPartitionInTransaction (producerId: number, epoch: number, topic: string, partition: number): boolean {
    const transactionalId = this.byProducerId.get(producerId)
    const meta = transactionalId === undefined ? undefined : this.txns.get(transactionalId)
    return meta !== undefined && meta.producerId === producerId && meta.producerEpoch === epoch && meta.state === 'Ongoing' && hasPartition(meta, topic, partition)
  }

  /** Does the group have offsets waiting in an open transaction (OffsetFetch requireStable, KIP-447)? */
  hasPendingOffsets (groupId: string, topic?: string, partition?: number): boolean {
    for (const meta of this.txns.values()) {
      const offsets = meta.state === 'Ongoing' || meta.state === 'PrepareCommit' ? meta.offsets[groupId] : undefined
      if (offsets === undefined) continue
      if (topic === undefined || offsets.some((offset) => offset.topic === topic && offset.partition === partition)) return true
    }
    return false
  }

  /** Aborts (and fences) transactions open longer than their timeout; retries completions that failed earlier. */
  async abortTimedOut (now = Date.now()): Promise<void> {
    for (const meta of [...this.txns.values()]) {
      const expired = meta.state === 'Ongoing' && meta.startMs >= 0 && now - meta.startMs > meta.timeoutMs
      const stuck = meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort'
      if (!expired && !stuck) continue
      await this.locks.run(meta.transactionalId, async () => {
        const current = this.txns.get(meta.transactionalId)
        if (current === undefined) return
        if (current.state === 'Ongoing' && now - current.startMs > current.timeoutMs) {
          this.deps.logger.info(`aborting transaction of ${current.transactionalId} (producer ${current.producerId}): open longer than ${current.timeoutMs} ms`)
          await this.fenceAndAbort(current)
        } else if (current.state === 'PrepareCommit' || current.state === 'PrepareAbort') {
          await this.complete(current)
        }
      }).catch((error) => this.deps.logger.warn(`transaction timeout handling for ${meta.transactionalId} failed: ${(error as Error).message}`))
    }
  }

  /** Forgets transactional ids idle (no transaction open) for transactional.id.expiration.ms. */
  async expireTransactionalIds (now = Date.now()): Promise<void> {
    for (const meta of [...this.txns.values()]) {
      if (!isIdle(meta) || now - meta.updateMs < this.deps.config.transactionalIdExpirationMs) continue
      await this.locks.run(meta.transactionalId, async () => {
        const current = this.txns.get(meta.transactionalId)
        if (current === undefined || !isIdle(current) || now - current.updateMs < this.deps.config.transactionalIdExpirationMs) return
        await this.journal.put(current.transactionalId, null)
        this.txns.delete(current.transactionalId)
        if (this.byProducerId.get(current.producerId) === current.transactionalId) this.byProducerId.delete(current.producerId)
      })
    }
  }

  async close (): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    await this.locks.idle()
    await this.journal.close()
  }

  // ---- internals ----

  private checkProducer (meta: TxnMetadata | undefined, producerId: number, epoch: number): number {
    if (meta === undefined || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (meta.producerEpoch !== epoch) return ErrorCode.PRODUCER_FENCED
    return ErrorCode.NONE
  }

  /** Bumps the epoch of an ongoing transaction (the old producer is now fenced) and aborts it with that epoch. */
  private async fenceAndAbort (meta: TxnMetadata): Promise<boolean> {
    const epoch = meta.producerEpoch < MAX_EPOCH ? meta.producerEpoch + 1 : meta.producerEpoch
    const fenced: TxnMetadata = { ...meta, producerEpoch: epoch, lastProducerEpoch: -1, state: 'PrepareAbort', updateMs: Date.now() }
    await this.write(fenced)
    return await this.complete(fenced)
  }

  /**
   * Writes the markers of a prepared transaction, waits until they are durable, applies committed offsets, then
   * records the completion. False when a fault hook stopped it or a step failed (the state stays Prepare*).
   */
  private async complete (meta: TxnMetadata): Promise<boolean> {
    const { transactionalId } = meta
    const commit = meta.state === 'PrepareCommit'
    try {
      if (this.deps.faults.haltAfterPrepare?.(transactionalId) === true) return false
      const flushed: Array<Promise<void>> = []
      for (const [topic, partitions] of Object.entries(meta.partitions)) {
        for (const partition of partitions) {
          const log = this.deps.topics.get(topic)?.partitions[partition]
          if (log === undefined) continue // deleted since: nothing left to mark
          const offset = this.deps.producers.appendMarker(log, meta.producerId, meta.producerEpoch, commit)
          flushed.push(log.flushedUpTo(offset))
          if (this.deps.faults.haltAfterMarker?.(transactionalId, topic, partition) === true) return false
        }
      }
      await Promise.all(flushed)
      if (commit) {
        for (const [groupId, offsets] of Object.entries(meta.offsets)) {
          if (offsets.length === 0) continue
          if (this.offsetSink === null) this.deps.logger.warn(`transaction of ${transactionalId} committed offsets of group ${groupId}, but no group coordinator is attached`)
          else await this.offsetSink.commitOffsets(groupId, offsets)
        }
      }
      // Not awaited: the outcome is already durable (Prepare* + markers on disk). If this record is lost in a crash,
      // recovery completes the transaction again with the same outcome; any later record of this id is written
      // after it, so its fsync covers this one. Saves one fsync per transaction on the EndTxn path.
      const completed: TxnMetadata = { ...meta, state: commit ? 'CompleteCommit' : 'CompleteAbort', partitions: {}, offsets: {}, updateMs: Date.now() }
      this.journal.put(transactionalId, completed).catch((error) => this.deps.logger.error(`journal write for ${transactionalId} failed: ${(error as Error).message}`))
      this.install(completed)
      return true
    } catch (error) {
      this.deps.logger.error(`completing ${meta.state} of ${transactionalId} failed (retried later): ${(error as Error).message}`)
      return false
    }
  }

  private async write (meta: TxnMetadata): Promise<void> {
    await this.journal.put(meta.transactionalId, meta)
    this.install(meta)
  }

  private install (meta: TxnMetadata): void {
    const previous = this.txns.get(meta.transactionalId)
    if (previous !== undefined && previous.producerId !== meta.producerId && this.byProducerId.get(previous.producerId) === meta.transactionalId) {
      this.byProducerId.delete(previous.producerId)
    }
    this.txns.set(meta.transactionalId, meta)
    this.byProducerId.set(meta.producerId, meta.transactionalId)
  }
}

function isIdle (meta: TxnMetadata): boolean {
  return meta.state === 'Empty' || meta.state === 'CompleteCommit' || meta.state === 'CompleteAbort'
}
