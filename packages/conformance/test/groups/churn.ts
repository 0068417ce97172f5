import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Admin } from 'kafkajs'
import type { TestBroker } from '../../src/index.js'
import {
  AssignmentWatcher, committedOffsets, connectAdminAndProducer, createTopic, PARTITIONS, produceRound, waitForCoverage,
  type Member, type Position
} from './group-support.js'

/**
 * The churn scenario every client runs (issue 4), on the classic protocol (runChurnScenario) and, with a watcher of
 * its own, on the consumer protocol (consumer/consumer-support.ts): a 12-partition topic, members A and B, records
 * produced while C joins and A leaves; every record consumed at least once and no partition held by two members at
 * once (as the watcher sees the group from the broker's side). Then the remaining members stop (committing), the
 * broker process restarts on the same data directory, the committed offsets are still there, and a new member of
 * the group consumes exactly the records produced since.
 */
export interface ChurnOptions {
  broker: TestBroker
  groupId: string
  topic: string
  /** Starts a member of this client in the group. */
  start: (name: string) => Promise<Member>
  /** Waits until a member has its first assignment. */
  assigned: (member: Member) => Promise<void>
}

export interface ChurnRun<W extends { stop: () => Promise<void> }, R> extends ChurnOptions {
  /** The client id of the orchestrating kafkajs admin and producer. */
  orchestratorId: string
  /** Starts watching the group; its stop() asserts what it saw. */
  watch: (admin: Admin) => Promise<W>
  /** Checks the first phase once the watcher stopped; what it returns is returned as `firstPhase`. */
  checkFirstPhase: (watcher: W) => R
}

export async function runChurn<W extends { stop: () => Promise<void> }, R> (run: ChurnRun<W, R>): Promise<{ firstPhaseMs: number, firstPhase: R }> {
  const { broker, groupId, topic, start, assigned } = run
  const { admin, producer } = await connectAdminAndProducer(broker.bootstrap, run.orchestratorId)
  try {
    await createTopic(admin, topic)
    const started = Date.now()
    const written: Position[] = await produceRound(producer, topic, 20, 'before')
    const watcher = await run.watch(admin)
    const a = await start('A')
    const b = await start('B')
    await Promise.all([assigned(a), assigned(b)])
    written.push(...await produceRound(producer, topic, 10, 'round-1'))
    const c = await start('C')
    written.push(...await produceRound(producer, topic, 10, 'round-2'))
    await assigned(c)
    await a.stop()
    written.push(...await produceRound(producer, topic, 10, 'round-3'))
    await waitForCoverage(written, [a, b, c])
    await Promise.all([b.stop(), c.stop()])
    await watcher.stop()
    const firstPhaseMs = Date.now() - started
    const firstPhase = run.checkFirstPhase(watcher)

    const ends = new Array<number>(PARTITIONS).fill(0)
    for (const { partition, offset } of written) ends[partition] = Math.max(ends[partition]!, offset + 1)
    assert.deepEqual(await committedOffsets(admin, groupId, topic), ends, 'everything consumed was committed')
    await producer.disconnect()
    await admin.disconnect()

    await broker.broker.restart()
    await admin.connect()
    await producer.connect()
    assert.deepEqual(await committedOffsets(admin, groupId, topic), ends, 'commits survive a broker restart')
    const later = await produceRound(producer, topic, 5, 'after-restart')
    const d = await start('D')
    await waitForCoverage(later, [d])
    await sleep(300) // anything below the committed offsets would have arrived by now
    await d.stop()
    const below = d.consumed.filter(({ partition, offset }) => offset < ends[partition]!)
    assert.deepEqual(below.slice(0, 5), [], `the restarted group resumed from the committed offsets (${below.length} re-read)`)
    return { firstPhaseMs, firstPhase }
  } finally {
    await producer.disconnect().catch(() => {})
    await admin.disconnect().catch(() => {})
  }
}

/** The classic-protocol churn: DescribeGroups watches each Stable generation; the broker log shows the generations. */
export async function runChurnScenario (options: ChurnOptions): Promise<{ firstPhaseMs: number, generations: Array<{ generation: number, members: number }> }> {
  const { firstPhaseMs, firstPhase: generations } = await runChurn({
    ...options,
    orchestratorId: 'samsa-groups-orchestrator',
    watch: async (admin) => new AssignmentWatcher(admin, options.groupId, options.topic),
    checkFirstPhase: () => {
      const generations = generationsOf(options.broker.broker.stderr, options.groupId)
      assert.ok(Math.max(...generations.map((g) => g.members)) >= 3 || generations.length >= 4, `membership changed as planned: ${JSON.stringify(generations)}`)
      return generations
    }
  })
  return { firstPhaseMs, generations }
}

/** The generations the broker formed for a group, from its log: "group g: generation 3 with 2 member(s)". */
export function generationsOf (stderr: string, groupId: string): Array<{ generation: number, members: number }> {
  const pattern = new RegExp(`group ${groupId}: generation (\\d+) with (\\d+) member`, 'g')
  return [...stderr.matchAll(pattern)].map((match) => ({ generation: Number(match[1]), members: Number(match[2]) }))
}
