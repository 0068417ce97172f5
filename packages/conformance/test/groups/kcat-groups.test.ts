import { after, before, describe, test } from 'node:test'
import { kcatPath, skipUnlessInstalled, type TestBroker } from '../../src/index.js'
import { kcatMember, startGroupBroker, type ProcessMember } from './group-support.js'
import { runChurnScenario } from './churn.js'

/** kcat -G (librdkafka 2.0 balanced consumer, auto-commit): the churn scenario, members as kcat processes. */
describe('consumer groups: kcat -G', { skip: skipUnlessInstalled(kcatPath !== null, 'kcat') }, () => {
  let broker: TestBroker
  before(async () => { broker = await startGroupBroker() })
  after(async () => { await broker?.close() })

  test('three members with joins and leaves mid-stream; commits survive a restart and the group resumes from them', async (t) => {
    const { generations, firstPhaseMs } = await runChurnScenario({
      broker, groupId: 'kcat-churn', topic: 'kcat-churn',
      start: async (name) => kcatMember(name, broker.bootstrap, 'kcat-churn', 'kcat-churn'),
      assigned: async (m) => await (m as ProcessMember).assigned()
    })
    t.diagnostic(`first phase ${firstPhaseMs} ms; generations ${JSON.stringify(generations)}; versions ${JSON.stringify(broker.recorder.summary(/kcat/))}`)
  })
})
