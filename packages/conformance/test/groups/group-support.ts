import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs'
import { kcatPath, pythonDir, TestBroker } from '../../src/index.js'

/**
 * Shared machinery of the consumer-group conformance tests: a broker tuned for fast rebalances, a producer, a
 * watcher that checks from the broker's side that no partition is assigned to two members of one generation,
 * member handles for clients running in child processes (Python drivers, kcat -G). The churn scenario every
 * client runs is in churn.ts.
 */
export const PARTITIONS = 12

export async function startGroupBroker (extra: string[] = []): Promise<TestBroker> {
  return await TestBroker.start({
    args: ['--num-partitions', String(PARTITIONS), '--set', 'group.initial.rebalance.delay.ms=0', '--set', 'group.min.session.timeout.ms=100', ...extra]
  })
}

export function kafkajs (bootstrap: string, clientId = 'samsa-groups-kafkajs'): Kafka {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 50 } })
}

/** A connected kafkajs admin and producer of one client, for the tests' own topic set-up and production. */
export async function connectAdminAndProducer (bootstrap: string, clientId?: string): Promise<{ admin: Admin, producer: Producer }> {
  const kafka = kafkajs(bootstrap, clientId)
  const admin = kafka.admin()
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await admin.connect()
  await producer.connect()
  return { admin, producer }
}

/** Record identity: partition and offset. */
export interface Position { partition: number, offset: number }

/** Produces `perPartition` records to every partition; returns the offsets written. */
export async function produceRound (producer: Producer, topic: string, perPartition: number, tag: string): Promise<Position[]> {
  const results = await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: PARTITIONS * perPartition }, (_, i) => ({ partition: i % PARTITIONS, key: `${tag}-${i}`, value: `${tag} record ${i}` }))
  })
  const written: Position[] = []
  for (const result of results) {
    const base = Number(result.baseOffset)
    for (let i = 0; i < perPartition; i++) written.push({ partition: result.partition, offset: base + i })
  }
  return written
}

export async function createTopic (admin: Admin, topic: string): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true })
}

/** A member of a group, whatever client runs it. */
export interface Member {
  readonly name: string
  /** Every record delivered to the application, in order. */
  readonly consumed: Position[]
  /** Commits what it consumed and leaves the group. */
  stop: () => Promise<void>
}

/** Decodes ConsumerProtocolAssignment (any version): topic → partitions. Empty blobs assign nothing. */
export function decodeAssignment (blob: Buffer): Map<string, number[]> {
  const result = new Map<string, number[]>()
  if (blob.length < 6) return result
  let position = 2
  const topics = blob.readInt32BE(position)
  position += 4
  for (let t = 0; t < topics; t++) {
    const length = blob.readInt16BE(position)
    const topic = blob.toString('utf8', position + 2, position + 2 + length)
    position += 2 + length
    const count = blob.readInt32BE(position)
    position += 4
    const partitions: number[] = []
    for (let p = 0; p < count; p++, position += 4) partitions.push(blob.readInt32BE(position))
    result.set(topic, partitions)
  }
  return result
}

/**
 * Polls DescribeGroups while the scenario runs. Whenever the group is Stable, the members' assignments (as the
 * broker hands them out in that generation) must be pairwise disjoint. Also records how many Stable snapshots
 * it saw and the largest member count.
 */
export class AssignmentWatcher {
  stableSnapshots = 0
  violations: string[] = []
  private running = true
  private readonly loop: Promise<void>

  constructor (private readonly admin: Admin, private readonly groupId: string, private readonly topic: string) {
    this.loop = this.run()
  }

  private async run (): Promise<void> {
    while (this.running) {
      try {
        const { groups } = await this.admin.describeGroups([this.groupId])
        const group = groups[0]
        if (group !== undefined && group.state === 'Stable') {
          this.stableSnapshots += 1
          const owner = new Map<number, string>()
          for (const member of group.members) {
            for (const partition of decodeAssignment(member.memberAssignment).get(this.topic) ?? []) {
              const other = owner.get(partition)
              if (other !== undefined) this.violations.push(`partition ${partition} assigned to ${other} and ${member.memberId}`)
              owner.set(partition, member.memberId)
            }
          }
        }
      } catch {}
      await sleep(40)
    }
  }

  async stop (): Promise<void> {
    this.running = false
    await this.loop
    assert.deepEqual(this.violations, [], 'no partition owned by two members of one generation')
    assert.ok(this.stableSnapshots > 0, 'the group was seen Stable')
  }
}

/** Every written record was delivered to some member at least once. */
export function assertCovered (written: Position[], members: Member[], what = ''): void {
  const seen = new Set(members.flatMap((member) => member.consumed.map(({ partition, offset }) => `${partition}:${offset}`)))
  const missing = written.filter(({ partition, offset }) => !seen.has(`${partition}:${offset}`))
  assert.deepEqual(missing.slice(0, 10), [], `${what}: ${missing.length} record(s) never consumed`)
}

export async function waitForCoverage (written: Position[], members: Member[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const seen = new Set(members.flatMap((member) => member.consumed.map(({ partition, offset }) => `${partition}:${offset}`)))
    if (written.every(({ partition, offset }) => seen.has(`${partition}:${offset}`))) return
    if (Date.now() > deadline) {
      assertCovered(written, members, 'timed out')
      return
    }
    await sleep(50)
  }
}

/** Committed offsets of the group per partition (-1 for none), read with kafkajs' admin. */
export async function committedOffsets (admin: Admin, groupId: string, topic: string): Promise<number[]> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] })
  const offsets = new Array<number>(PARTITIONS).fill(-1)
  for (const { partition, offset } of entry!.partitions) offsets[partition] = Number(offset)
  return offsets
}

/** A member process speaking JSON lines (python/group_*.py). */
export class ProcessMember implements Member {
  readonly consumed: Position[] = []
  readonly events: Array<{ e: string, p?: number[], t: number, name?: string }> = []
  private readonly exited: Promise<void>
  private stderr = ''

  constructor (readonly name: string, readonly child: ChildProcess) {
    let buffered = ''
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk
      let newline: number
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline)
        buffered = buffered.slice(newline + 1)
        if (line.trim() === '') continue
        const event = JSON.parse(line) as { e: string, r?: Array<[number, number]>, t: number }
        if (event.e === 'records') for (const [partition, offset] of event.r!) this.consumed.push({ partition, offset })
        else this.events.push(event)
      }
    })
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => { this.stderr = (this.stderr + chunk).slice(-8000) })
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()))
  }

  static python (python: string, script: string, name: string, request: object): ProcessMember {
    const child = spawn(python, [join(pythonDir, script), JSON.stringify(request)], { stdio: ['pipe', 'pipe', 'pipe'] })
    return new ProcessMember(name, child)
  }

  /** Resolves once the member reported its first assignment. */
  async assigned (timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!this.events.some((event) => event.e === 'assigned')) {
      if (Date.now() > deadline) throw new Error(`${this.name} got no assignment within ${timeoutMs} ms\n${this.stderr}`)
      await sleep(20)
    }
  }

  async stop (): Promise<void> {
    this.child.stdin!.end('stop\n')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000)
    await this.exited
    clearTimeout(timer)
  }

  /** A crash: no commit, no LeaveGroup. */
  async kill (): Promise<void> {
    this.child.kill('SIGKILL')
    await this.exited
  }

  get log (): string { return this.stderr }
}

/** kcat -G: a balanced consumer printing "partition offset" lines; SIGTERM makes it commit and leave. */
export function kcatMember (name: string, bootstrap: string, groupId: string, topic: string): ProcessMember {
  const child = spawn(kcatPath!, [
    '-b', bootstrap, '-G', groupId, topic, '-f', '{"e":"records","r":[[%p,%o]],"t":0}\\n', '-u',
    '-X', 'auto.offset.reset=earliest', '-X', 'heartbeat.interval.ms=100', '-X', 'session.timeout.ms=6000',
    '-X', 'auto.commit.interval.ms=100', '-X', 'fetch.wait.max.ms=100', '-X', 'client.id=samsa-groups-kcat'
  ], { stdio: ['pipe', 'pipe', 'pipe'] })
  const member = new ProcessMember(name, child)
  // kcat reports its rebalances on stderr: "% Group <g> rebalanced (memberid ...): assigned: <topic> [0], ..."
  child.stderr!.on('data', (chunk: string) => {
    if (/rebalanced[^\n]*assigned:/.test(chunk)) member.events.push({ e: 'assigned', t: Date.now() })
  })
  member.stop = async () => {
    child.kill('SIGTERM')
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) resolve()
      else child.once('exit', () => resolve())
    })
  }
  return member
}
