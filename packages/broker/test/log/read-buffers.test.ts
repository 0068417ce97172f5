import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, FetchApi, ProduceApi, decodeRecordBatches, encodeRecordBatch } from '@samsa/protocol'
import { recycleAfterWrite, returnReadBuffer, takeReadBuffer } from '../../src/log/read-buffers.js'
import { RawClient, startBroker } from '../helpers.js'

test('fetch-sized reads borrow slabs that come back after the write and are reused', () => {
  const first = takeReadBuffer(600 * 1024)
  assert.equal(first.length, 600 * 1024)
  assert.equal(first.buffer.byteLength, 1024 * 1024) // the 1 MiB size class
  const sent = first.subarray(0, 500 * 1024) // reads are cut back to whole batches
  const done = recycleAfterWrite([Buffer.from('header'), sent])
  assert.equal(typeof done, 'function')
  done!()
  const second = takeReadBuffer(1024 * 1024)
  assert.equal(second.buffer, first.buffer, 'the returned slab is handed out again')
  returnReadBuffer(second)
})

test('small reads and ordinary Buffers are not pooled; returning twice is harmless', () => {
  const small = takeReadBuffer(1000)
  assert.equal(recycleAfterWrite([small, Buffer.alloc(100_000)]), undefined)
  const pooled = takeReadBuffer(100_000)
  const done = recycleAfterWrite([pooled.subarray(0, 10), pooled.subarray(10)])!
  done() // two views of one slab: the slab goes back once
  done()
  const a = takeReadBuffer(100_000)
  const b = takeReadBuffer(100_000)
  assert.notEqual(a.buffer, b.buffer, 'one slab is never lent twice at the same time')
  returnReadBuffer(a)
  returnReadBuffer(b)
})

test('pipelined fetches served from recycled slabs return every batch byte for byte', async (t) => {
  const server = await startBroker()
  const client = await RawClient.connect(server.port)
  t.after(async () => { client.close(); await server.stop() })
  // Eight batches of ~100 KB with distinct contents: each read below is ≥ 64 KiB, so it borrows a slab.
  const batches = Array.from({ length: 8 }, (_, i) => encodeRecordBatch([{ value: Buffer.alloc(100_000, i + 1) }]))
  for (const batch of batches) {
    const reply = await client.request(ProduceApi, 7, { acks: -1, timeoutMs: 5000, topicData: [{ name: 'slabs', partitionData: [{ index: 0, records: Buffer.from(batch) }] }] })
    assert.equal(reply.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE)
  }
  const fetchAt = (offset: number) => client.request(FetchApi, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0,
    topics: [{ topic: 'slabs', topicId: '00000000-0000-0000-0000-000000000000', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 250_000 }] }]
  })
  for (let round = 0; round < 3; round++) {
    const replies = await Promise.all(batches.map((_, offset) => fetchAt(offset)))
    for (const [offset, reply] of replies.entries()) {
      const records = reply.responses[0]!.partitions[0]!.records!
      const decoded = decodeRecordBatches(records, { verifyCrc: true })
      assert.equal(decoded[0]!.baseOffset, offset)
      assert.ok(decoded.every((batch, i) => batch.records[0]!.value!.every((byte) => byte === offset + i + 1)), `round ${round}, offset ${offset}`)
    }
  }
})
