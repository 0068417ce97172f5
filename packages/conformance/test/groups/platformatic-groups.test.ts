import { after, before, describe, test } from 'node:test'
import type { TestBroker } from '../../src/index.js'
import { startGroupBroker } from './group-support.js'
import { runChurnScenario } from './churn.js'
import { PlatformaticMember } from './platformatic-member.js'

/**
 * @platformatic/kafka Consumer with the classic group protocol ("roundrobin", flexible JoinGroup/SyncGroup
 * versions): the churn scenario with in-process members, autocommit after each fetch and on close.
 */
describe('consumer groups: @platformatic/kafka (classic protocol)', () => {
  let broker: TestBroker
  before(async () => { broker = await startGroupBroker() })
  after(async () => { await broker?.close() })

  test('three members with joins and leaves mid-stream; commits survive a restart and the group resumes from them', async (t) => {
    const { generations, firstPhaseMs } = await runChurnScenario({
      broker, groupId: 'plt-churn', topic: 'plt-churn',
      start: async (name) => await PlatformaticMember.start(broker.bootstrap, name, 'plt-churn', 'plt-churn', 'samsa-groups-platformatic-'),
      assigned: async (m) => await (m as PlatformaticMember).assigned()
    })
    t.diagnostic(`first phase ${firstPhaseMs} ms; generations ${JSON.stringify(generations)}; versions ${JSON.stringify(broker.recorder.summary(/platformatic-/))}`)
  })
})
