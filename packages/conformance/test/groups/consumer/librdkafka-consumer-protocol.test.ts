import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { findPython, inCI, modernLibrdkafkaLibDir, packageRoot, skipUnlessInstalled, type TestBroker } from '../../../src/index.js'
import { ProcessMember, connectAdminAndProducer, createTopic, kafkajs, produceRound, waitForCoverage, type Member } from '../group-support.js'
import { assertNoOverlap, runConsumerChurn, SESSION_MS, startConsumerGroupBroker, type OwnershipEvent } from './consumer-support.js'

/**
 * confluent-kafka-python on the current librdkafka (2.15, scripts/build-librdkafka.sh) with group.protocol=consumer:
 * ConsumerGroupHeartbeat v1 (librdkafka requires v1), incremental assign/revoke callbacks, commits with member
 * epochs. The churn scenario, then a check of the members' own ownership intervals (from their callbacks): a
 * partition's next owner gains it no earlier than its previous owner gave it up. Also: a member killed without
 * leaving is fenced after group.consumer.session.timeout.ms and its partitions move; a restarted static member
 * takes its partitions back without a rebalance.
 */
const python = findPython(['confluent_kafka'])
const modernBuilt = existsSync(join(modernLibrdkafkaLibDir, 'librdkafka.so.1'))
const skip = python === null ? skipUnlessInstalled(false, 'python3-confluent-kafka') : !modernBuilt && !inCI ? `no current librdkafka in ${modernLibrdkafkaLibDir}` : false
const driver = join(packageRoot, 'test', 'groups', 'consumer', 'kip848_member.py')

/** Ownership events and an end time for each member (its close, or when it was killed). */
class Tracker {
  readonly members: ProcessMember[] = []
  readonly ends = new Map<string, number>()

  start (bootstrap: string, name: string, groupId: string, topics: string[], extra: object = {}): ProcessMember {
    const child = spawn(python!, [driver, JSON.stringify({ bootstrap, group: groupId, topics, ...extra })], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LD_LIBRARY_PATH: [modernLibrdkafkaLibDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') }
    })
    const member = new ProcessMember(name, child)
    const stop = member.stop.bind(member)
    member.stop = async () => { await stop(); this.ends.set(name, Date.now()) }
    const kill = member.kill.bind(member)
    member.kill = async () => { this.ends.set(name, Date.now()); await kill() }
    this.members.push(member)
    return member
  }

  events (): OwnershipEvent[] {
    return this.members.flatMap((member) => member.events.flatMap((event): OwnershipEvent[] => {
      if (event.e === 'assigned') return [{ member: member.name, t: event.t, kind: 'gain', partitions: event.p ?? [] }]
      if (event.e === 'revoked' || event.e === 'lost') return [{ member: member.name, t: event.t, kind: 'lose', partitions: event.p ?? [] }]
      return []
    }))
  }

  check (): void {
    assertNoOverlap(this.events(), (name) => this.ends.get(name) ?? Date.now())
  }
}

/** The first assignment that gave the member partitions (librdkafka may first report an empty one). */
async function holdsPartitions (member: ProcessMember, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!member.events.some((event) => event.e === 'assigned' && (event.p ?? []).length > 0)) {
    if (Date.now() > deadline) throw new Error(`${member.name} got no partitions within ${timeoutMs} ms\n${member.log}`)
    await sleep(20)
  }
}

function held (member: ProcessMember): Set<number> {
  const partitions = new Set<number>()
  for (const event of member.events) {
    if (event.e === 'assigned') for (const p of event.p ?? []) partitions.add(p)
    if (event.e === 'revoked' || event.e === 'lost') for (const p of event.p ?? []) partitions.delete(p)
  }
  return partitions
}

describe('consumer groups, KIP-848 protocol: librdkafka 2.15 (confluent-kafka-python)', { skip }, () => {
  let broker: TestBroker
  before(async () => { broker = await startConsumerGroupBroker() })
  after(async () => { await broker?.close() })

  test('three members joining and leaving mid-stream; ownership intervals never overlap; commits survive a restart', async (t) => {
    const tracker = new Tracker()
    const result = await runConsumerChurn({
      broker, groupId: 'rdk-kip848', topic: 'rdk-kip848',
      start: async (name) => tracker.start(broker.bootstrap, name, 'rdk-kip848', ['rdk-kip848']),
      assigned: async (member: Member) => await holdsPartitions(member as ProcessMember)
    })
    tracker.check()
    const versions = broker.recorder.summary(/^rdkafka$/)
    assert.deepEqual(versions.ConsumerGroupHeartbeat ?? versions.api68, [1], 'ConsumerGroupHeartbeat v1')
    assert.ok((versions.JoinGroup ?? []).length === 0, 'no classic JoinGroup')
    t.diagnostic(`first phase ${result.firstPhaseMs} ms; states ${result.states.join(',')}; versions ${JSON.stringify(versions)}`)
  })

  test('a member killed without leaving is fenced after the session timeout; the survivor takes over its partitions', async () => {
    const topic = 'rdk-kip848-evict'
    const admin = kafkajs(broker.bootstrap).admin()
    await admin.connect()
    const tracker = new Tracker()
    try {
      await createTopic(admin, topic)
      const survivor = tracker.start(broker.bootstrap, 'survivor', 'rdk-evict', [topic])
      await holdsPartitions(survivor)
      const victim = tracker.start(broker.bootstrap, 'victim', 'rdk-evict', [topic])
      await holdsPartitions(victim)
      await victim.kill()
      const killedAt = Date.now()
      while (held(survivor).size < 12) {
        assert.ok(Date.now() - killedAt < 15_000, `survivor holds ${held(survivor).size} partitions`)
        await sleep(20)
      }
      const took = Date.now() - killedAt
      assert.ok(took >= SESSION_MS - 300, `taken over after ${took} ms, before the ${SESSION_MS} ms session ran out`)
      assert.match(broker.broker.stderr, /group rdk-evict: member \S+ failed its session timeout of 3000 ms/)
      await survivor.stop()
      tracker.check()
    } finally {
      await admin.disconnect()
    }
  })

  test('static membership: a restarted instance gets its partitions back without a rebalance', async () => {
    const topic = 'rdk-kip848-static'
    const { admin, producer } = await connectAdminAndProducer(broker.bootstrap)
    const tracker = new Tracker()
    try {
      await createTopic(admin, topic)
      const one = tracker.start(broker.bootstrap, 'static-1', 'rdk-static', [topic], { instance_id: 'instance-1' })
      const two = tracker.start(broker.bootstrap, 'static-2', 'rdk-static', [topic], { instance_id: 'instance-2' })
      while (held(one).size + held(two).size !== 12 || held(one).size === 0 || held(two).size === 0) await sleep(20)
      const written = await produceRound(producer, topic, 3, 'static')
      await waitForCoverage(written, [one, two])
      const partitionsOfTwo = [...held(two)].sort((a, b) => a - b)
      const epochLines = (): number => broker.broker.stderr.split('\n').filter((line) => line.includes('group rdk-static: group epoch')).length
      const epochsBefore = epochLines()
      const eventsOfOne = one.events.length
      // librdkafka leaves with epoch -2 when a static member closes: the broker keeps its partitions.
      await two.stop()
      const restarted = tracker.start(broker.bootstrap, 'static-2b', 'rdk-static', [topic], { instance_id: 'instance-2' })
      await holdsPartitions(restarted)
      assert.deepEqual([...held(restarted)].sort((a, b) => a - b), partitionsOfTwo, 'the same partitions as before')
      const more = await produceRound(producer, topic, 3, 'static-after')
      await waitForCoverage(more, [one, restarted])
      assert.equal(epochLines(), epochsBefore, 'no new group epoch')
      assert.deepEqual(one.events.slice(eventsOfOne).filter((e) => e.e === 'assigned' || e.e === 'revoked').map((e) => e.e), [], 'the other member saw nothing')
      await Promise.all([one.stop(), restarted.stop()])
      tracker.check()
    } finally {
      await producer.disconnect()
      await admin.disconnect()
    }
  })
})
