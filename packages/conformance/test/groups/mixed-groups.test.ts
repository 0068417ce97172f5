import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { findPython, kcatPath, skipUnlessInstalled, type TestBroker } from '../../src/index.js'
import { ProcessMember, kcatMember, startGroupBroker } from './group-support.js'
import { runChurnScenario } from './churn.js'
import { PlatformaticMember } from './platformatic-member.js'

/**
 * Clients of different families in one group, as the classic protocol allows when they share an assignor name
 * and the consumer protocol's encoding: confluent-kafka-python and kafka-python (both prefer "range") start the
 * group; @platformatic/kafka (only "roundrobin") joins mid-stream, so the broker must switch the group to the one
 * protocol everybody supports; after the broker restart kcat -G resumes from the committed offsets.
 */
const confluent = findPython(['confluent_kafka'])
const kafkaPython = findPython(['kafka'])
const installed = confluent !== null && kafkaPython !== null && kcatPath !== null

describe('consumer groups: mixed clients in one group', { skip: skipUnlessInstalled(installed, 'python3-confluent-kafka, python3-kafka and kcat') }, () => {
  let broker: TestBroker
  before(async () => { broker = await startGroupBroker() })
  after(async () => { await broker?.close() })

  test('librdkafka + kafka-python + platformatic churn, kcat resumes after a restart', async (t) => {
    const groupId = 'mixed'
    const request = { bootstrap: broker.bootstrap, group: groupId, topics: [groupId] }
    const { generations } = await runChurnScenario({
      broker, groupId, topic: groupId,
      start: async (name) => {
        switch (name) {
          case 'A': return ProcessMember.python(confluent!, 'group_confluent.py', name, request)
          case 'B': return ProcessMember.python(kafkaPython!, 'group_kafka_python.py', name, request)
          case 'C': return await PlatformaticMember.start(broker.bootstrap, name, groupId, groupId, 'samsa-mixed-')
          default: return kcatMember(name, broker.bootstrap, groupId, groupId)
        }
      },
      assigned: async (member) => await (member as ProcessMember | PlatformaticMember).assigned()
    })
    const protocols = [...broker.broker.stderr.matchAll(/group mixed: generation \d+ with (\d+) member\(s\), protocol (\S+)/g)].map((match) => `${match[1]}:${match[2]}`)
    assert.ok(protocols.includes('3:roundrobin'), `with platformatic in the group the protocol is roundrobin: ${protocols.join(' ')}`)
    assert.ok(protocols.includes('2:range') || protocols.includes('1:range'), `before it, range: ${protocols.join(' ')}`)
    t.diagnostic(`generations ${JSON.stringify(generations)}; protocols ${protocols.join(' ')}`)
  })
})
