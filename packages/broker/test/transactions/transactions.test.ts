import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { AddPartitionsToTxnApi, DescribeProducersApi, DescribeTransactionsApi, ErrorCode, ListOffsetsApi, ListTransactionsApi } from '@samsa/protocol'
import {
  TxnBroker, addOffsets, addPartitions, batch, committedValues, createTopic, dataValues, endTxn, fetchPartition, initProducerId, produce,
  txnOffsetCommit
} from '../producers/txn-helpers.js'

type Options = Parameters<typeof TxnBroker.start>[0]

async function setup (t: { after: (fn: () => unknown) => void }, options: Options = {}): Promise<TxnBroker> {
  const broker = await TxnBroker.start(options)
  t.after(async () => { await broker.stop() })
  await createTopic(broker.client, 'in')
  await createTopic(broker.client, 'out')
  return broker
}

/** Opens a transaction over the given partitions and writes `count` records (values `<prefix>-<n>`) to each. */
async function openTxn (broker: TxnBroker, txnId: string, partitions: Array<[string, number]>, prefix: string, count = 2): Promise<{ producerId: number, producerEpoch: number }> {
  const { client } = broker
  const init = await initProducerId(client, txnId)
  assert.equal(init.errorCode, ErrorCode.NONE)
  assert.deepEqual(await addPartitions(client, txnId, init.producerId, init.producerEpoch, partitions), partitions.map(() => ErrorCode.NONE))
  for (const [topic, partition] of partitions) {
    const reply = await produce(client, topic, partition, batch({ producerId: init.producerId, epoch: init.producerEpoch, sequence: 0, count, transactional: true, prefix }))
    assert.equal(reply.errorCode, ErrorCode.NONE)
  }
  return init
}

test('commit: LSO holds read_committed back until the markers, then both partitions show the records', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  await produce(client, 'out', 0, batch({ producerId: -1, epoch: -1, sequence: -1, prefix: 'plain' }))
  const { producerId, producerEpoch } = await openTxn(broker, 'txn-commit', [['out', 0], ['out', 1]], 'c')
  const open = await fetchPartition(client, 'out', 0, 0, 1)
  assert.equal(open.highWatermark, 3)
  assert.equal(open.lastStableOffset, 1, 'LSO = first offset of the open transaction')
  assert.deepEqual(dataValues(open.batches), ['plain--1'], 'read_committed stops at the LSO')
  assert.deepEqual(dataValues((await fetchPartition(client, 'out', 0, 0, 0)).batches), ['plain--1', 'c-0', 'c-1'], 'read_uncommitted sees everything')
  assert.deepEqual(dataValues((await fetchPartition(client, 'out', 0, 1, 1)).batches), [], 'fetching at the LSO returns nothing yet')
  const latest = async (isolationLevel: number): Promise<number> => {
    const reply = await client.request(ListOffsetsApi, 7, { replicaId: -1, isolationLevel, topics: [{ name: 'out', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] })
    return reply.topics[0]!.partitions[0]!.offset
  }
  assert.equal(await latest(1), 1, 'ListOffsets latest under read_committed is the LSO')
  assert.equal(await latest(0), 3, 'ListOffsets latest under read_uncommitted is the high watermark')

  assert.equal(await endTxn(client, 'txn-commit', producerId, producerEpoch, true), ErrorCode.NONE)
  for (const partition of [0, 1]) {
    const done = await fetchPartition(client, 'out', partition, 0, 1)
    assert.equal(done.lastStableOffset, done.highWatermark)
    assert.deepEqual(done.abortedTransactions, [])
    assert.deepEqual(committedValues(done), partition === 0 ? ['plain--1', 'c-0', 'c-1'] : ['c-0', 'c-1'])
    const marker = done.batches[done.batches.length - 1]!
    assert.ok(marker.isControl && marker.isTransactional)
    assert.equal(marker.producerId, producerId)
    assert.equal(marker.records[0]!.key!.readInt16BE(2), 1, 'commit marker')
  }
  assert.equal(await endTxn(client, 'txn-commit', producerId, producerEpoch, true), ErrorCode.NONE, 'a retried commit succeeds')
  assert.equal(await endTxn(client, 'txn-commit', producerId, producerEpoch, false), ErrorCode.INVALID_TXN_STATE)
})

test('abort: read_committed gets the aborted transaction in abortedTransactions, read_uncommitted the records', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  const first = await openTxn(broker, 'txn-abort', [['out', 0]], 'a', 3)
  assert.equal(await endTxn(client, 'txn-abort', first.producerId, first.producerEpoch, false), ErrorCode.NONE)
  // A second, committed transaction of the same producer after the aborted one.
  assert.deepEqual(await addPartitions(client, 'txn-abort', first.producerId, first.producerEpoch, [['out', 0]]), [ErrorCode.NONE])
  assert.equal((await produce(client, 'out', 0, batch({ producerId: first.producerId, epoch: first.producerEpoch, sequence: 3, transactional: true, prefix: 'ok' }))).errorCode, ErrorCode.NONE)
  assert.equal(await endTxn(client, 'txn-abort', first.producerId, first.producerEpoch, true), ErrorCode.NONE)

  const committed = await fetchPartition(client, 'out', 0, 0, 1)
  assert.deepEqual(committed.abortedTransactions, [{ producerId: first.producerId, firstOffset: 0 }])
  assert.deepEqual(committedValues(committed), ['ok-3'])
  assert.deepEqual(dataValues((await fetchPartition(client, 'out', 0, 0, 0)).batches), ['a-0', 'a-1', 'a-2', 'ok-3'])
  // Fetching after the aborted range: no aborted transaction is reported.
  assert.deepEqual((await fetchPartition(client, 'out', 0, 4, 1)).abortedTransactions, [])
  // Old Fetch versions (v4) carry the same fields.
  assert.deepEqual((await fetchPartition(client, 'out', 0, 0, 1, 4)).abortedTransactions, [{ producerId: first.producerId, firstOffset: 0 }])
})

test('interleaved transactions: the LSO is the earliest open one; aborted ranges of one producer do not hide another', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  const a = await openTxn(broker, 'txn-a', [['out', 0]], 'a')
  const b = await openTxn(broker, 'txn-b', [['out', 0]], 'b')
  assert.equal((await fetchPartition(client, 'out', 0, 0, 1)).lastStableOffset, 0)
  assert.equal(await endTxn(client, 'txn-b', b.producerId, b.producerEpoch, false), ErrorCode.NONE)
  assert.equal((await fetchPartition(client, 'out', 0, 0, 1)).lastStableOffset, 0, 'a is still open')
  assert.equal(await endTxn(client, 'txn-a', a.producerId, a.producerEpoch, true), ErrorCode.NONE)
  const done = await fetchPartition(client, 'out', 0, 0, 1)
  assert.equal(done.lastStableOffset, done.highWatermark)
  assert.deepEqual(done.abortedTransactions, [{ producerId: b.producerId, firstOffset: 2 }])
  assert.deepEqual(committedValues(done), ['a-0', 'a-1'])
})

test('transactional produce to a partition not added to the transaction → INVALID_TXN_STATE; AddPartitions checks topics', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  const { producerId, producerEpoch } = await initProducerId(client, 'txn-strict')
  assert.equal((await produce(client, 'out', 0, batch({ producerId, epoch: producerEpoch, sequence: 0, transactional: true }))).errorCode, ErrorCode.INVALID_TXN_STATE)
  assert.deepEqual(await addPartitions(client, 'txn-strict', producerId, producerEpoch, [['out', 0], ['missing-topic', 0], ['out', 9]]),
    [ErrorCode.OPERATION_NOT_ATTEMPTED, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
  assert.deepEqual(await addPartitions(client, 'txn-strict', producerId + 1, producerEpoch, [['out', 0]]), [ErrorCode.INVALID_PRODUCER_ID_MAPPING])
  assert.deepEqual(await addPartitions(client, 'unknown-id', producerId, producerEpoch, [['out', 0]]), [ErrorCode.INVALID_PRODUCER_ID_MAPPING])
  assert.equal(await endTxn(client, 'txn-strict', producerId, producerEpoch, true), ErrorCode.INVALID_TXN_STATE, 'nothing to commit')
  // A non-transactional write from a producer with an open transaction here is refused too.
  assert.deepEqual(await addPartitions(client, 'txn-strict', producerId, producerEpoch, [['out', 0]]), [ErrorCode.NONE])
  assert.equal((await produce(client, 'out', 0, batch({ producerId, epoch: producerEpoch, sequence: 0, transactional: true }))).errorCode, ErrorCode.NONE)
  assert.equal((await produce(client, 'out', 0, batch({ producerId, epoch: producerEpoch, sequence: 1 }))).errorCode, ErrorCode.INVALID_TXN_STATE)
})

test('a new instance fences the old one: its open transaction is aborted and its requests are refused', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  const zombie = await openTxn(broker, 'txn-fence', [['out', 1]], 'z')
  const fresh = await initProducerId(client, 'txn-fence')
  assert.equal(fresh.errorCode, ErrorCode.NONE)
  assert.equal(fresh.producerId, zombie.producerId)
  assert.equal(fresh.producerEpoch, zombie.producerEpoch + 2, 'one bump to abort the zombie, one for the new instance (as after Kafka\'s retry)')
  assert.equal((await produce(client, 'out', 1, batch({ producerId: zombie.producerId, epoch: zombie.producerEpoch, sequence: 2, transactional: true }))).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH)
  assert.equal(await endTxn(client, 'txn-fence', zombie.producerId, zombie.producerEpoch, true), ErrorCode.PRODUCER_FENCED)
  assert.equal(await endTxn(client, 'txn-fence', zombie.producerId, zombie.producerEpoch, true, 1), ErrorCode.INVALID_PRODUCER_EPOCH, 'v0-1 predate PRODUCER_FENCED')
  assert.deepEqual(await addPartitions(client, 'txn-fence', zombie.producerId, zombie.producerEpoch, [['out', 1]]), [ErrorCode.PRODUCER_FENCED])
  const view = await fetchPartition(client, 'out', 1, 0, 1)
  assert.deepEqual(view.abortedTransactions, [{ producerId: zombie.producerId, firstOffset: 0 }])
  assert.deepEqual(committedValues(view), [])
  assert.equal(view.batches[view.batches.length - 1]!.producerEpoch, zombie.producerEpoch + 1, 'the abort marker carries the fencing epoch')
})

test('KIP-360: InitProducerId with the current id/epoch bumps it; a stale epoch is fenced; a lost answer can be retried', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  const first = await initProducerId(client, 'txn-360')
  const bumped = await initProducerId(client, 'txn-360', { producerId: first.producerId, epoch: first.producerEpoch })
  assert.deepEqual([bumped.errorCode, bumped.producerId, bumped.producerEpoch], [ErrorCode.NONE, first.producerId, first.producerEpoch + 1])
  const retried = await initProducerId(client, 'txn-360', { producerId: first.producerId, epoch: first.producerEpoch })
  assert.deepEqual([retried.errorCode, retried.producerEpoch], [ErrorCode.NONE, bumped.producerEpoch], 'retry of the same bump')
  const other = await initProducerId(client, 'txn-360') // another instance: resets lastEpoch, fencing the first
  assert.equal((await initProducerId(client, 'txn-360', { producerId: first.producerId, epoch: first.producerEpoch })).errorCode, ErrorCode.PRODUCER_FENCED)
  assert.equal((await initProducerId(client, 'txn-360', { producerId: first.producerId, epoch: first.producerEpoch, version: 3 })).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH)
  assert.equal((await initProducerId(client, 'txn-360', { producerId: 999_999, epoch: 0 })).errorCode, ErrorCode.PRODUCER_FENCED)
  assert.equal((await initProducerId(client, 'txn-360', { producerId: other.producerId, epoch: other.producerEpoch })).producerEpoch, other.producerEpoch + 1)
  assert.equal((await initProducerId(client, 'txn-360', { timeoutMs: 0 })).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT)
  assert.equal((await initProducerId(client, 'txn-360', { timeoutMs: 900_001 })).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT)
  assert.equal((await initProducerId(client, '')).errorCode, ErrorCode.INVALID_REQUEST)
})

test('an exhausted epoch rotates to a new producer id', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  const first = await initProducerId(client, 'txn-rotate')
  const meta = broker.context.transactions.txns.get('txn-rotate')!
  broker.context.transactions.txns.set('txn-rotate', { ...meta, producerEpoch: 32766 })
  const rotated = await initProducerId(client, 'txn-rotate')
  assert.notEqual(rotated.producerId, first.producerId)
  assert.equal(rotated.producerEpoch, 0)
})

test('transaction.timeout.ms: a hung transaction is aborted and its producer fenced', async (t) => {
  const broker = await setup(t, { transactions: { abortTimedOutTransactionCleanupIntervalMs: 50 } })
  const { client } = broker
  const init = await initProducerId(client, 'txn-hung', { timeoutMs: 200 })
  await addPartitions(client, 'txn-hung', init.producerId, init.producerEpoch, [['in', 0]])
  await produce(client, 'in', 0, batch({ producerId: init.producerId, epoch: init.producerEpoch, sequence: 0, transactional: true }))
  assert.equal((await fetchPartition(client, 'in', 0, 0, 1)).lastStableOffset, 0)
  const deadline = Date.now() + 5000
  while ((await fetchPartition(client, 'in', 0, 0, 1)).lastStableOffset === 0 && Date.now() < deadline) await sleep(50)
  const view = await fetchPartition(client, 'in', 0, 0, 1)
  assert.equal(view.lastStableOffset, view.highWatermark)
  assert.deepEqual(view.abortedTransactions, [{ producerId: init.producerId, firstOffset: 0 }])
  assert.equal(await endTxn(client, 'txn-hung', init.producerId, init.producerEpoch, true), ErrorCode.PRODUCER_FENCED)
  const described = await client.request(DescribeTransactionsApi, 0, { transactionalIds: ['txn-hung'] })
  assert.equal(described.transactionStates[0]!.transactionState, 'CompleteAbort')
})

test('offsets in a transaction: AddOffsetsToTxn + TxnOffsetCommit reach the group only on commit', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  const committed: Array<{ groupId: string, offsets: unknown[] }> = []
  broker.context.transactions.offsetSink = { validateMember: () => ErrorCode.NONE, commitOffsets: async (groupId, offsets) => { committed.push({ groupId, offsets }) } }
  const init = await openTxn(broker, 'txn-offsets', [['out', 0]], 'o')
  assert.deepEqual(await txnOffsetCommit(client, 'txn-offsets', 'g1', init.producerId, init.producerEpoch, [['in', 0, 5]]), [ErrorCode.INVALID_TXN_STATE], 'group not added yet')
  assert.equal(await addOffsets(client, 'txn-offsets', init.producerId, init.producerEpoch, 'g1'), ErrorCode.NONE)
  assert.deepEqual(await txnOffsetCommit(client, 'txn-offsets', 'g1', init.producerId, init.producerEpoch, [['in', 0, 5], ['in', 1, 7]]), [ErrorCode.NONE, ErrorCode.NONE])
  assert.deepEqual(await txnOffsetCommit(client, 'txn-offsets', 'g1', init.producerId, init.producerEpoch, [['in', 0, 6], ['nope', 0, 1]]), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
  assert.deepEqual(await txnOffsetCommit(client, 'txn-offsets', 'g1', init.producerId, init.producerEpoch - 1, [['in', 0, 5]]), [ErrorCode.INVALID_PRODUCER_EPOCH])
  assert.equal(broker.context.transactions.hasPendingOffsets('g1', 'in', 0), true)
  assert.deepEqual(committed, [])
  assert.equal(await endTxn(client, 'txn-offsets', init.producerId, init.producerEpoch, true), ErrorCode.NONE)
  assert.deepEqual(committed, [{ groupId: 'g1', offsets: [{ topic: 'in', partition: 0, offset: 6, leaderEpoch: -1, metadata: 'meta' }, { topic: 'in', partition: 1, offset: 7, leaderEpoch: -1, metadata: 'meta' }] }])
  assert.equal(broker.context.transactions.hasPendingOffsets('g1'), false)
  // Aborted: nothing reaches the group.
  assert.equal(await addOffsets(client, 'txn-offsets', init.producerId, init.producerEpoch, 'g1'), ErrorCode.NONE)
  assert.deepEqual(await txnOffsetCommit(client, 'txn-offsets', 'g1', init.producerId, init.producerEpoch, [['in', 0, 99]]), [ErrorCode.NONE])
  assert.equal(await endTxn(client, 'txn-offsets', init.producerId, init.producerEpoch, false), ErrorCode.NONE)
  assert.equal(committed.length, 1)
})

test('DescribeTransactions, ListTransactions and DescribeProducers show an open transaction', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  const init = await openTxn(broker, 'txn-describe', [['out', 0], ['in', 1]], 'd')
  await addOffsets(client, 'txn-describe', init.producerId, init.producerEpoch, 'group-x')
  const described = (await client.request(DescribeTransactionsApi, 0, { transactionalIds: ['txn-describe', 'nope'] })).transactionStates
  assert.equal(described[0]!.transactionState, 'Ongoing')
  assert.equal(described[0]!.producerId, init.producerId)
  assert.equal(described[0]!.transactionTimeoutMs, 60_000)
  assert.ok(described[0]!.transactionStartTimeMs > Date.now() - 60_000)
  assert.deepEqual(described[0]!.topics.map((topic) => topic.topic).sort(), ['__consumer_offsets', 'in', 'out'])
  assert.equal(described[1]!.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)

  const all = await client.request(ListTransactionsApi, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1 })
  assert.deepEqual(all.transactionStates, [{ transactionalId: 'txn-describe', producerId: init.producerId, transactionState: 'Ongoing' }])
  const filtered = await client.request(ListTransactionsApi, 0, { stateFilters: ['CompleteCommit', 'Bogus'], producerIdFilters: [] })
  assert.deepEqual(filtered.transactionStates, [])
  assert.deepEqual(filtered.unknownStateFilters, ['Bogus'])
  assert.equal((await client.request(ListTransactionsApi, 1, { stateFilters: [], producerIdFilters: [], durationFilter: 3_600_000 })).transactionStates.length, 0)

  const producers = await client.request(DescribeProducersApi, 0, { topics: [{ name: 'out', partitionIndexes: [0] }] })
  assert.equal(producers.topics[0]!.partitions[0]!.activeProducers[0]!.currentTxnStartOffset, 0)
})

test('AddPartitionsToTxn v4 (broker-to-broker form): add and verifyOnly', async (t) => {
  const broker = await setup(t)
  const { client } = broker
  const init = await initProducerId(client, 'txn-v4')
  const request = (verifyOnly: boolean, partitions: number[]) => client.request(AddPartitionsToTxnApi, 4, {
    transactions: [{ transactionalId: 'txn-v4', producerId: init.producerId, producerEpoch: init.producerEpoch, verifyOnly, topics: [{ name: 'out', partitions }] }]
  })
  const verifyBefore = await request(true, [0])
  assert.equal(verifyBefore.resultsByTransaction[0]!.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode, ErrorCode.INVALID_TXN_STATE)
  assert.equal((await request(false, [0])).resultsByTransaction[0]!.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode, ErrorCode.NONE)
  const verified = await request(true, [0, 1])
  assert.deepEqual(verified.resultsByTransaction[0]!.topicResults[0]!.resultsByPartition.map((p) => p.partitionErrorCode), [ErrorCode.NONE, ErrorCode.INVALID_TXN_STATE])
})
