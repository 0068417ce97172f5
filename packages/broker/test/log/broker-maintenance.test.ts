import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeRecordBatch } from '@samsa/protocol'
import { startBroker } from '../helpers.js'
import { recordsOf } from './helpers.js'

const T0 = 1_700_000_000_000

test('the broker runs retention and compaction every log.retention.check.interval.ms, and stops with it', async () => {
  const b = await startBroker({ 'log.retention.check.interval.ms': '30' })
  try {
    const topics = b.broker.context.topics
    const expiring = topics.create('expiring', 1).partitions[0]!
    const compacted = topics.create('compacted', 1).partitions[0]!
    // Set directly on the logs, so the test does not depend on topic-config parsing.
    expiring.configure({ segmentBytes: 1, retentionMs: 60_000, fileDeleteDelayMs: 0, cleanupPolicy: { delete: true, compact: false } })
    compacted.configure({ segmentBytes: 1, cleanupPolicy: { delete: false, compact: true } })
    for (let i = 0; i < 3; i++) {
      expiring.append(encodeRecordBatch([{ key: 'k', value: `old-${i}`, timestamp: T0 }]))
      compacted.append(encodeRecordBatch([{ key: 'k', value: `v${i}`, timestamp: Date.now() }]))
    }
    const deadline = Date.now() + 5_000
    while ((expiring.logStartOffset < 3 || recordsOf(compacted).length > 2) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.equal(expiring.logStartOffset, 3, 'expired data removed, the expired active segment too')
    assert.deepEqual(recordsOf(compacted).map((r) => r.value), ['v1', 'v2'], 'the active segment holds v2, v1 is the latest below it')
  } finally {
    await b.stop()
  }
})
