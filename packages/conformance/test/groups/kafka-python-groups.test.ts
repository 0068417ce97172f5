import { after, before, describe, test } from 'node:test'
import { findPython, skipUnlessInstalled, type TestBroker } from '../../src/index.js'
import { ProcessMember, startGroupBroker } from './group-support.js'
import { runChurnScenario } from './churn.js'

/**
 * kafka-python 2.0 (Debian python3-kafka) KafkaConsumer in a group: old, non-flexible JoinGroup/SyncGroup
 * versions (no member-id handshake), synchronous commits, LeaveGroup on close.
 */
const python = findPython(['kafka'])

describe('consumer groups: kafka-python', { skip: skipUnlessInstalled(python !== null, 'python3-kafka') }, () => {
  let broker: TestBroker
  before(async () => { broker = await startGroupBroker() })
  after(async () => { await broker?.close() })

  test('three members with joins and leaves mid-stream; commits survive a restart and the group resumes from them', async (t) => {
    const { generations, firstPhaseMs } = await runChurnScenario({
      broker, groupId: 'kp-churn', topic: 'kp-churn',
      start: async (name) => ProcessMember.python(python!, 'group_kafka_python.py', name, { bootstrap: broker.bootstrap, group: 'kp-churn', topics: ['kp-churn'] }),
      assigned: async (m) => await (m as ProcessMember).assigned()
    })
    t.diagnostic(`first phase ${firstPhaseMs} ms; generations ${JSON.stringify(generations)}; versions ${JSON.stringify(broker.recorder.summary(/^kafka-python/))}`)
  })
})
