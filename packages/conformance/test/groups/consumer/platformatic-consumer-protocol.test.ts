import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { TestBroker } from '../../../src/index.js'
import { runConsumerChurn, startConsumerGroupBroker } from './consumer-support.js'
import { PlatformaticMember } from './platformatic-kip848-member.js'

/**
 * @platformatic/kafka Consumer with groupProtocol 'consumer' (ConsumerGroupHeartbeat v1, client-made member ids,
 * OffsetCommit/OffsetFetch v9 with member epochs): the churn scenario with in-process members. Because all members
 * live in this process, a sampler can also check the clients' own view: at no instant do two members hold the same
 * partition in their `assignments`.
 */
describe('consumer groups, KIP-848 protocol: @platformatic/kafka', () => {
  let broker: TestBroker
  before(async () => { broker = await startConsumerGroupBroker() })
  after(async () => { await broker?.close() })

  test('three members joining and leaving mid-stream; nobody holds a partition another holds; commits survive a restart', async (t) => {
    const overlaps: string[] = []
    let samples = 0
    const sampler = setInterval(() => {
      samples += 1
      const holder = new Map<string, string>()
      for (const member of PlatformaticMember.live) {
        for (const partition of member.held()) {
          const other = holder.get(partition)
          if (other !== undefined) overlaps.push(`${partition} held by ${other} and ${member.name}`)
          holder.set(partition, member.name)
        }
      }
    }, 5)
    try {
      const result = await runConsumerChurn({
        broker, groupId: 'plt-kip848', topic: 'plt-kip848',
        start: async (name) => await PlatformaticMember.start(broker.bootstrap, name, 'plt-kip848', 'plt-kip848'),
        assigned: async (member) => await (member as PlatformaticMember).assigned()
      })
      t.diagnostic(`first phase ${result.firstPhaseMs} ms; states ${result.states.join(',')}; client samples ${samples}; versions ${JSON.stringify(broker.recorder.summary(/platformatic-/))}`)
    } finally {
      clearInterval(sampler)
    }
    assert.deepEqual(overlaps.slice(0, 5), [], 'no partition held by two clients at once')
    assert.ok(samples > 100)
    const versions = broker.recorder.summary(/kip848-platformatic/)
    assert.ok(Object.values(versions).length > 0)
  })
})
