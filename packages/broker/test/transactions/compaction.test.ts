import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CreateTopicsApi, ErrorCode, encodeRecordBatch } from '@samsa/protocol'
import { LogMaintenance } from '../../src/log/index.js'
import { TxnBroker, addPartitions, endTxn, fetchPartition, initProducerId, produce } from '../producers/txn-helpers.js'

/**
 * Compaction (log/compaction) with transactions: the aborted-transaction index and the producers' last batches come
 * from producer state through PartitionLog.compactionHints. Aborted data is dropped, markers are kept (for now),
 * committed data is compacted by key like any other.
 */
test('compaction drops aborted records, keeps markers and the latest committed value per key', async (t) => {
  const broker = await TxnBroker.start()
  t.after(async () => { await broker.stop() })
  const { client } = broker
  const created = await client.request(CreateTopicsApi, 5, {
    topics: [{ name: 'compacted', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [
      { name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: '300' }, { name: 'min.cleanable.dirty.ratio', value: '0.01' }
    ] }],
    timeoutMs: 5000,
    validateOnly: false
  })
  assert.equal(created.topics[0]!.errorCode, ErrorCode.NONE)
  const init = await initProducerId(client, 'txn-compact')
  const txn = async (records: Array<[string, string]>, sequence: number, commit: boolean): Promise<void> => {
    assert.deepEqual(await addPartitions(client, 'txn-compact', init.producerId, init.producerEpoch, [['compacted', 0]]), [ErrorCode.NONE])
    const batch = encodeRecordBatch(records.map(([key, value]) => ({ key, value })), { producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: sequence, isTransactional: true })
    assert.equal((await produce(client, 'compacted', 0, batch)).errorCode, ErrorCode.NONE)
    assert.equal(await endTxn(client, 'txn-compact', init.producerId, init.producerEpoch, commit), ErrorCode.NONE)
  }
  await txn([['k1', 'old'], ['k2', 'kept']], 0, true)
  await txn([['k1', 'aborted'], ['k3', 'aborted-only']], 2, false)
  await txn([['k1', 'new']], 4, true)
  // Plain records roll the segments, so that everything above is in cleanable (non-active) segments.
  for (let i = 0; i < 8; i++) await produce(client, 'compacted', 0, encodeRecordBatch([{ key: `filler-${i}`, value: 'x'.repeat(200) }]))

  const before = await fetchPartition(client, 'compacted', 0, 0, 0)
  assert.deepEqual(before.abortedTransactions, [])
  const maintenance = new LogMaintenance({ intervalMs: 60_000, logs: () => broker.context.topics.list().flatMap((topic) => topic.partitions) })
  const report = await maintenance.runOnce()
  assert.equal(report.logsCleaned, 1)

  const after = await fetchPartition(client, 'compacted', 0, 0, 0)
  const data = after.batches.filter((b) => !b.isControl).flatMap((b) => b.records.map((r) => `${r.key?.toString()}=${r.value?.toString()}`))
  assert.ok(!data.some((entry) => entry.includes('aborted')), `aborted records are gone: ${data}`)
  assert.ok(!data.includes('k1=old'), 'superseded committed value compacted away')
  assert.ok(data.includes('k1=new') && data.includes('k2=kept'))
  assert.equal(after.batches.filter((b) => b.isControl).length, 3, 'commit, abort and commit markers are kept')
  assert.equal(after.highWatermark, before.highWatermark)
  // read_committed still sees the same committed view.
  const committed = await fetchPartition(client, 'compacted', 0, 0, 1)
  assert.ok(committed.batches.length > 0)
})
