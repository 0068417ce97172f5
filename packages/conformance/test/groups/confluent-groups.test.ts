import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { findPython, skipUnlessInstalled, type TestBroker } from '../../src/index.js'
import { ProcessMember, connectAdminAndProducer, createTopic, kafkajs, produceRound, startGroupBroker, waitForCoverage, type Position } from './group-support.js'
import { runChurnScenario } from './churn.js'

/**
 * confluent-kafka-python on Debian's librdkafka 2.0 with subscribe(): the churn scenario (members joining and
 * leaving mid-stream, commits across a broker restart), static membership (a restarted instance gets its old
 * partitions without a rebalance), and session-timeout eviction of a member that died without leaving.
 */
const python = findPython(['confluent_kafka'])

describe('consumer groups: confluent-kafka-python (librdkafka 2.0)', { skip: skipUnlessInstalled(python !== null, 'python3-confluent-kafka') }, () => {
  let broker: TestBroker
  before(async () => { broker = await startGroupBroker() })
  after(async () => { await broker?.close() })

  const member = (name: string, groupId: string, topic: string, extra: object = {}): ProcessMember =>
    ProcessMember.python(python!, 'group_confluent.py', name, { bootstrap: broker.bootstrap, group: groupId, topics: [topic], ...extra })

  test('three members with joins and leaves mid-stream; commits survive a restart and the group resumes from them', async (t) => {
    const { firstPhaseMs, generations } = await runChurnScenario({
      broker, groupId: 'ck-churn', topic: 'ck-churn',
      start: async (name) => member(name, 'ck-churn', 'ck-churn'),
      assigned: async (m) => await (m as ProcessMember).assigned()
    })
    assert.ok(firstPhaseMs < 30_000)
    const versions = broker.recorder.summary(/^rdkafka$/)
    assert.ok((versions.JoinGroup ?? []).length > 0, `librdkafka used JoinGroup ${JSON.stringify(versions)}`)
    t.diagnostic(`first phase ${firstPhaseMs} ms; generations ${JSON.stringify(generations)}; versions ${JSON.stringify(versions)}`)
  })

  test('static membership: a restarted instance takes its partitions back without a rebalance', async () => {
    const topic = 'ck-static'
    const { admin, producer } = await connectAdminAndProducer(broker.bootstrap)
    try {
      await createTopic(admin, topic)
      const config = { config: { 'session.timeout.ms': 10_000 } }
      const one = member('static-1', 'ck-static', topic, { instance_id: 'instance-1', ...config })
      const two = member('static-2', 'ck-static', topic, { instance_id: 'instance-2', ...config })
      await Promise.all([one.assigned(), two.assigned()])
      // Wait for the final assignment of both (the second join rebalances the first member).
      const settled = async (): Promise<void> => {
        for (;;) {
          const lastOne = one.events.filter((e) => e.e === 'assigned').at(-1)?.p ?? []
          const lastTwo = two.events.filter((e) => e.e === 'assigned').at(-1)?.p ?? []
          if (lastOne.length + lastTwo.length === 12 && lastOne.length > 0 && lastTwo.length > 0) return
          await sleep(20)
        }
      }
      await settled()
      const written: Position[] = await produceRound(producer, topic, 5, 'static')
      await waitForCoverage(written, [one, two])
      const rebalancesBefore = rebalanceLines(broker.broker.stderr, 'ck-static')
      const eventsOfOne = one.events.length
      const partitionsOfTwo = two.events.filter((e) => e.e === 'assigned').at(-1)!.p
      await two.kill() // no LeaveGroup: a static member is expected back
      const restarted = member('static-2b', 'ck-static', topic, { instance_id: 'instance-2', ...config })
      await restarted.assigned()
      assert.deepEqual(restarted.events.find((e) => e.e === 'assigned')!.p, partitionsOfTwo, 'the same partitions as before')
      const more = await produceRound(producer, topic, 5, 'static-after')
      await waitForCoverage(more, [one, restarted])
      assert.equal(rebalanceLines(broker.broker.stderr, 'ck-static'), rebalancesBefore, 'no rebalance on the broker')
      assert.deepEqual(one.events.slice(eventsOfOne).filter((e) => e.e !== 'committed').map((e) => e.e), [], 'the other member saw nothing')
      await Promise.all([one.stop(), restarted.stop()])
    } finally {
      await producer.disconnect()
      await admin.disconnect()
    }
  })

  test('a member that dies without leaving is evicted after its session timeout; the survivor takes over', async () => {
    const topic = 'ck-evict'
    const kafka = kafkajs(broker.bootstrap)
    const admin = kafka.admin()
    await admin.connect()
    try {
      await createTopic(admin, topic)
      const config = { config: { 'session.timeout.ms': 1500 } }
      const survivor = member('survivor', 'ck-evict', topic, config)
      await survivor.assigned()
      const victim = member('victim', 'ck-evict', topic, config)
      await victim.assigned()
      await sleep(200)
      await victim.kill()
      const killedAt = Date.now()
      for (;;) {
        const last = survivor.events.filter((e) => e.e === 'assigned').at(-1)?.p ?? []
        if (last.length === 12) break
        assert.ok(Date.now() - killedAt < 15_000, 'survivor never got every partition back')
        await sleep(20)
      }
      const took = Date.now() - killedAt
      assert.ok(took >= 1300, `took over after ${took} ms, before the 1500 ms session timeout ran out`)
      assert.match(broker.broker.stderr, /group ck-evict: member \S+ failed its session timeout of 1500 ms/)
      await survivor.stop()
    } finally {
      await admin.disconnect()
    }
  })
})

function rebalanceLines (stderr: string, groupId: string): number {
  return stderr.split('\n').filter((line) => line.includes(`group ${groupId}: preparing to rebalance`)).length
}
