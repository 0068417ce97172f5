import assert from 'node:assert/strict'
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ErrorCode } from '@samsa/protocol'
import { Journal } from '../../src/transactions/journal.js'
import {
  TxnBroker, addPartitions, batch, committedValues, createTopic, dataValues, endTxn, fetchPartition, initProducerId, produce
} from '../producers/txn-helpers.js'

/**
 * Crash recovery of the transaction coordinator and of producer state. A "crash" copies the data directory of a
 * running broker (what a SIGKILL leaves: no final snapshot, no clean-shutdown marker) and starts a broker on the copy.
 */
async function crashCopy (broker: TxnBroker, t: { after: (fn: () => unknown) => void }): Promise<TxnBroker> {
  const copy = mkdtempSync(join(tmpdir(), 'samsa-txn-crash-'))
  cpSync(broker.dataDir, copy, { recursive: true })
  const recovered = await TxnBroker.start({}, copy)
  t.after(async () => { await recovered.stop() })
  return recovered
}

async function setup (t: { after: (fn: () => unknown) => void }): Promise<TxnBroker> {
  const broker = await TxnBroker.start()
  t.after(async () => { await broker.stop() })
  await createTopic(broker.client, 'out')
  return broker
}

async function openTxn (broker: TxnBroker, txnId: string, prefix: string): Promise<{ producerId: number, producerEpoch: number }> {
  const init = await initProducerId(broker.client, txnId)
  assert.deepEqual(await addPartitions(broker.client, txnId, init.producerId, init.producerEpoch, [['out', 0], ['out', 1]]), [ErrorCode.NONE, ErrorCode.NONE])
  for (const partition of [0, 1]) {
    assert.equal((await produce(broker.client, 'out', partition, batch({ producerId: init.producerId, epoch: init.producerEpoch, sequence: 0, count: 2, transactional: true, prefix }))).errorCode, ErrorCode.NONE)
  }
  return init
}

test('crash after the first marker of a commit: the restarted coordinator commits every partition', async (t) => {
  const broker = await setup(t)
  const init = await openTxn(broker, 'txn-crash', 'x')
  broker.context.faults.haltAfterMarker = (id, _topic, partition) => id === 'txn-crash' && partition === 0
  assert.equal(await endTxn(broker.client, 'txn-crash', init.producerId, init.producerEpoch, true), ErrorCode.NONE)
  // Half done: partition 0 has its marker, partition 1 is still open.
  assert.equal((await fetchPartition(broker.client, 'out', 0, 0, 1)).lastStableOffset, 3)
  assert.equal((await fetchPartition(broker.client, 'out', 1, 0, 1)).lastStableOffset, 0)
  assert.equal(await endTxn(broker.client, 'txn-crash', init.producerId, init.producerEpoch, true), ErrorCode.CONCURRENT_TRANSACTIONS)

  const recovered = await crashCopy(broker, t)
  for (const partition of [0, 1]) {
    const view = await fetchPartition(recovered.client, 'out', partition, 0, 1)
    assert.equal(view.lastStableOffset, view.highWatermark, `partition ${partition} settled`)
    assert.deepEqual(committedValues(view), ['x-0', 'x-1'])
    assert.deepEqual(view.abortedTransactions, [])
  }
  assert.equal(await endTxn(recovered.client, 'txn-crash', init.producerId, init.producerEpoch, true), ErrorCode.NONE)
  // The producer continues with its next transaction.
  assert.deepEqual(await addPartitions(recovered.client, 'txn-crash', init.producerId, init.producerEpoch, [['out', 1]]), [ErrorCode.NONE])
})

test('crash after PrepareAbort, before any marker: every partition ends aborted after the restart', async (t) => {
  const broker = await setup(t)
  const init = await openTxn(broker, 'txn-crash-abort', 'y')
  broker.context.faults.haltAfterPrepare = () => true
  assert.equal(await endTxn(broker.client, 'txn-crash-abort', init.producerId, init.producerEpoch, false), ErrorCode.NONE)
  const recovered = await crashCopy(broker, t)
  for (const partition of [0, 1]) {
    const view = await fetchPartition(recovered.client, 'out', partition, 0, 1)
    assert.equal(view.lastStableOffset, view.highWatermark)
    assert.deepEqual(view.abortedTransactions, [{ producerId: init.producerId, firstOffset: 0 }])
    assert.deepEqual(committedValues(view), [])
  }
})

test('an open transaction survives a clean restart and a crash: LSO kept, the producer can still commit', async (t) => {
  const broker = await setup(t)
  const init = await openTxn(broker, 'txn-open', 'o')
  await produce(broker.client, 'out', 0, batch({ producerId: -1, epoch: -1, sequence: -1, prefix: 'after' }))
  const crashed = await crashCopy(broker, t) // no snapshot at all: state comes from replaying the log
  assert.equal((await fetchPartition(crashed.client, 'out', 0, 0, 1)).lastStableOffset, 0)
  await broker.restart() // clean: state comes from the snapshot
  const view = await fetchPartition(broker.client, 'out', 0, 0, 1)
  assert.deepEqual([view.lastStableOffset, view.highWatermark], [0, 3])
  // Sequence state survived too: the next batch continues at 2.
  assert.equal((await produce(broker.client, 'out', 0, batch({ producerId: init.producerId, epoch: init.producerEpoch, sequence: 5, transactional: true }))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
  assert.equal((await produce(broker.client, 'out', 0, batch({ producerId: init.producerId, epoch: init.producerEpoch, sequence: 2, transactional: true, prefix: 'o' }))).errorCode, ErrorCode.NONE)
  assert.equal(await endTxn(broker.client, 'txn-open', init.producerId, init.producerEpoch, true), ErrorCode.NONE)
  assert.deepEqual(committedValues(await fetchPartition(broker.client, 'out', 0, 0, 1)), ['o-0', 'o-1', 'after--1', 'o-2'])
})

test('aborted-transaction index is rebuilt after a crash and kept across clean restarts', async (t) => {
  const broker = await setup(t)
  const first = await openTxn(broker, 'txn-idx', 'a')
  assert.equal(await endTxn(broker.client, 'txn-idx', first.producerId, first.producerEpoch, false), ErrorCode.NONE)
  const expected = [{ producerId: first.producerId, firstOffset: 0 }]
  const crashed = await crashCopy(broker, t)
  assert.deepEqual((await fetchPartition(crashed.client, 'out', 0, 0, 1)).abortedTransactions, expected)
  await broker.restart()
  assert.deepEqual((await fetchPartition(broker.client, 'out', 0, 0, 1)).abortedTransactions, expected)
  assert.deepEqual(dataValues((await fetchPartition(broker.client, 'out', 0, 0, 0)).batches), ['a-0', 'a-1'])
})

test('journal: last value per key wins, null deletes, a torn tail is cut off, compaction keeps live values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-journal-'))
  try {
    const file = join(dir, 'journal.log')
    const { journal } = Journal.open(file)
    await journal.put('a', { n: 1 })
    await journal.put('b', { n: 2 })
    await Promise.all([journal.put('a', { n: 3 }), journal.put('c', { n: 4 }), journal.put('b', null)])
    await journal.close()
    appendFileSync(file, Buffer.from([0, 0, 0, 50, 1, 2, 3])) // a record header whose payload never made it
    const reopened = Journal.open(file)
    assert.deepEqual([...reopened.entries], [['a', { n: 3 }], ['c', { n: 4 }]])
    const sizeAfterRepair = statSync(file).size
    assert.equal(reopened.journal.fileBytes, sizeAfterRepair)
    // Corrupt the last record (the deletion of b): it is dropped, earlier ones stay.
    await reopened.journal.close()
    const bytes = readFileSync(file)
    bytes[bytes.length - 2]! ^= 0xff
    writeFileSync(file, bytes)
    assert.deepEqual([...Journal.open(file).entries], [['b', { n: 2 }], ['a', { n: 3 }], ['c', { n: 4 }]], 'the deletion of b was lost')

    const big = Journal.open(join(dir, 'big.log')).journal
    const padding = 'x'.repeat(10_000)
    for (let i = 0; i < 300; i++) await big.put(`k${i % 3}`, { i, padding })
    assert.ok(big.fileBytes < 1_100_000, `compacted to ${big.fileBytes} bytes after writing 3 MB`)
    await big.close()
    assert.deepEqual([...Journal.open(join(dir, 'big.log')).entries].map(([key, value]) => [key, (value as { i: number }).i]), [['k0', 297], ['k1', 298], ['k2', 299]])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
