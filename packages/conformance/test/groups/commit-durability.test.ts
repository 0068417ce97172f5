import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { TestBroker } from '../../src/index.js'
import { PARTITIONS, createTopic, kafkajs, startGroupBroker } from './group-support.js'

/**
 * An acknowledged OffsetCommit is on disk: the broker is killed with SIGKILL right after a burst of commits is
 * acknowledged (kafkajs admin.setOffsets, i.e. OffsetCommit from outside group management), restarted on the same
 * data directory, and every acknowledged offset and its group are still there.
 */
describe('committed offsets survive SIGKILL', () => {
  let broker: TestBroker
  before(async () => { broker = await startGroupBroker() })
  after(async () => { await broker?.close() })

  test('40 groups × 12 partitions committed concurrently, then SIGKILL: all there after the restart', async () => {
    const admin = kafkajs(broker.bootstrap, 'samsa-groups-durability').admin()
    await admin.connect()
    const topic = 'durable-commits'
    await createTopic(admin, topic)
    const groups = Array.from({ length: 40 }, (_, g) => `durable-${g}`)
    const offsetOf = (g: number, partition: number): number => 1000 * g + partition * 7 + 1
    await Promise.all(groups.map(async (groupId, g) => await admin.setOffsets({
      groupId, topic, partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, offset: String(offsetOf(g, partition)) }))
    })))
    await admin.disconnect()
    await broker.broker.kill()
    await broker.broker.restart()
    const after = kafkajs(broker.bootstrap, 'samsa-groups-durability').admin()
    await after.connect()
    try {
      for (const [g, groupId] of groups.entries()) {
        const [entry] = await after.fetchOffsets({ groupId, topics: [topic] })
        const offsets = entry!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset))
        assert.deepEqual(offsets, Array.from({ length: PARTITIONS }, (_, partition) => offsetOf(g, partition)), groupId)
      }
      const listed = await after.listGroups()
      assert.equal(listed.groups.filter((group) => group.groupId.startsWith('durable-')).length, 40)
    } finally {
      await after.disconnect()
    }
  })
})
