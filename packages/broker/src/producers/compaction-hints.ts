import type { PartitionLog } from '../log/index.js'
import type { CompactionHints } from '../log/compaction/cleaner.js'
import type { PartitionProducerState } from './producer-state.js'

/**
 * What log compaction needs from producer state (log/compaction owns the cleaning; this module owns the facts):
 * the aborted transactions overlapping a range, whose data the cleaner drops, and each producer's last data batch,
 * which the cleaner keeps so duplicate detection still works after a restart replays the compacted log.
 * The state is loaded on first use, so hints can be attached to a partition before anything else touched it.
 */
export function compactionHintsFor (log: PartitionLog, stateOf: (log: PartitionLog) => PartitionProducerState): CompactionHints {
  return {
    abortedTransactions: (from, to) => stateOf(log).aborted.entries
      .filter((entry) => entry.lastOffset >= from && entry.firstOffset < to)
      .map(({ producerId, firstOffset, lastOffset }) => ({ producerId, firstOffset, lastOffset })),
    activeProducers: () => {
      const active = new Map<number, { lastDataOffset: number, producerEpoch: number }>()
      for (const entry of stateOf(log).producers.values()) {
        const last = entry.batches[entry.batches.length - 1]
        if (last !== undefined) active.set(entry.producerId, { lastDataOffset: last.lastOffset, producerEpoch: entry.epoch })
      }
      return active
    }
  }
}
