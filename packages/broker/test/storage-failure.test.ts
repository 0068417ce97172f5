import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode, FetchApi, MetadataApi, ProduceApi, decodeRecordBatches, encodeRecordBatch } from '@samsa/protocol'
import { RawClient, startBroker } from './helpers.js'

/** The registry's journal, reached through private fields (a test of what happens when the disk fails). */
interface JournalInternals { file: { fd: number } }

test('a failed journal write: KAFKA_STORAGE_ERROR for the partition, the connection and the broker carry on', async (t) => {
  const server = await startBroker()
  const client = await RawClient.connect(server.port)
  const journal = (server.broker.context.topics as unknown as { journal: JournalInternals }).journal
  const realFd = journal.file.fd
  t.after(async () => {
    client.close()
    journal.file.fd = realFd
    await server.stop()
  })
  const produce = async (value: string, acks = -1): Promise<number | undefined> => {
    const response = await client.request(ProduceApi, 7, { acks, timeoutMs: 5000, topicData: [{ name: 'disk', partitionData: [{ index: 0, records: encodeRecordBatch([{ value }]) }] }] })
    return response.responses[0]?.partitionResponses[0]?.errorCode
  }

  assert.equal(await produce('kept'), ErrorCode.NONE)
  journal.file.fd = 2 ** 30 // no such descriptor: the next journal write fails with EBADF, as a dying disk would
  assert.equal(await produce('not acknowledged'), ErrorCode.KAFKA_STORAGE_ERROR)
  // Once the journal has failed, nothing is appended any more (a later write could not be made durable either).
  assert.equal(await produce('refused'), ErrorCode.KAFKA_STORAGE_ERROR)
  assert.equal(await produce('refused too', 1), ErrorCode.KAFKA_STORAGE_ERROR)

  // Same connection: other requests are still served, and the acknowledged record reads back.
  const metadata = await client.request(MetadataApi, 9, { topics: [{ name: 'disk' }] })
  assert.equal(metadata.topics[0]?.errorCode, ErrorCode.NONE)
  const fetched = await client.request(FetchApi, 11, {
    maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20,
    topics: [{ topic: 'disk', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }]
  })
  const records = fetched.responses[0]?.partitions[0]?.records ?? Buffer.alloc(0)
  const values = decodeRecordBatches(records).flatMap((batch) => batch.records.map((record) => record.value?.toString()))
  assert.equal(values[0], 'kept')
})
