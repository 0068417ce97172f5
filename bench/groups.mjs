#!/usr/bin/env node
// Consumer-group rebalance timing on samsa (a real `samsa broker` process, group.initial.rebalance.delay.ms=0):
//  - form: 10 members join a new group at once → time until all 10 hold an assignment of one generation (Stable);
//  - leave: one member sends LeaveGroup → time until the other 9 hold an assignment of the next generation.
// Two kinds of members: raw protocol (this file's minimal client: JoinGroup v9 with the member-id handshake,
// SyncGroup v5, Heartbeat v4 every --heartbeat-ms; broker cost plus one heartbeat interval to notice a rebalance)
// and kafkajs 2.2.4 consumers (heartbeatInterval --heartbeat-ms, all in this process).
// Usage: node bench/groups.mjs [--members N] [--runs N] [--heartbeat-ms N] [--delay-ms N] [--no-kafkajs]
// Build first (tsc -b). Results: a table on stdout, raw figures in .build/bench/groups-last-run.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { connect } from 'node:net'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { startSamsa } from './lib/servers.mjs'

const root = resolve(import.meta.dirname, '..')
const { ErrorCode, HeartbeatApi, JoinGroupApi, LeaveGroupApi, SyncGroupApi, Writer, decodeResponse, encodeRequest } = await import(join(root, 'packages', 'protocol', 'dist', 'src', 'index.js'))
const { values: opts } = parseArgs({
  options: {
    members: { type: 'string', default: '10' },
    runs: { type: 'string', default: '5' },
    'heartbeat-ms': { type: 'string', default: '100' },
    'delay-ms': { type: 'string', default: '0' },
    'no-kafkajs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})
if (opts.help) {
  console.log('node bench/groups.mjs [--members N] [--runs N] [--heartbeat-ms N] [--delay-ms N] [--no-kafkajs]')
  process.exit(0)
}
const MEMBERS = Number(opts.members)
const RUNS = Math.max(1, Number(opts.runs))
const HEARTBEAT_MS = Number(opts['heartbeat-ms'])
const PARTITIONS = 2 * MEMBERS
const TOPIC = 'bench-groups'
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const log = (message) => console.error(`[bench] ${message}`)

/** A raw-protocol client: one connection, requests answered in order. */
class Client {
  static open (address) {
    const [host, port] = address.split(':')
    return new Promise((resolvePromise, reject) => {
      const socket = connect({ host, port: Number(port) }, () => resolvePromise(new Client(socket)))
      socket.once('error', reject)
    })
  }

  constructor (socket) {
    this.socket = socket
    this.buffered = Buffer.alloc(0)
    this.waiting = []
    this.correlation = 0
    socket.setNoDelay(true)
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0)
        const frame = this.buffered.subarray(4, 4 + size)
        this.buffered = this.buffered.subarray(4 + size)
        this.waiting.shift()(frame)
      }
    })
  }

  request (api, version, body) {
    const id = ++this.correlation
    for (const chunk of encodeRequest(api, version, id, 'bench-groups', body)) this.socket.write(chunk)
    return new Promise((resolvePromise) => this.waiting.push((frame) => resolvePromise(decodeResponse(api, version, frame).body)))
  }

  close () { this.socket.destroy() }
}

const subscription = new Writer().int16(0).int32(1).string(TOPIC, false).bytes(null, false).toBuffer()
const assignmentOf = (partitions) => {
  const writer = new Writer().int16(0).int32(1).string(TOPIC, false).int32(partitions.length)
  for (const p of partitions) writer.int32(p)
  return writer.bytes(null, false).toBuffer()
}

/** A member that keeps itself in the group: join + sync, then heartbeats, rejoining when told to. */
class RawMember {
  constructor (client, groupId, onSynced) {
    Object.assign(this, { client, groupId, onSynced, memberId: '', generation: -1, running: true, synced: false })
  }

  async joinAndSync () {
    for (;;) {
      const join = await this.client.request(JoinGroupApi, 9, { groupId: this.groupId, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId: this.memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription }], reason: null })
      if (join.memberId !== '') this.memberId = join.memberId
      if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED || join.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue
      if (join.errorCode !== ErrorCode.NONE) throw new Error(`JoinGroup error ${join.errorCode}`)
      this.generation = join.generationId
      let assignments = []
      if (join.leader === this.memberId) {
        const ids = join.members.map((m) => m.memberId).sort()
        assignments = ids.map((memberId, i) => ({ memberId, assignment: assignmentOf(Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => p % ids.length === i)) }))
      }
      const sync = await this.client.request(SyncGroupApi, 5, { groupId: this.groupId, generationId: this.generation, memberId: this.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments })
      if (sync.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || sync.errorCode === ErrorCode.ILLEGAL_GENERATION) continue
      if (sync.errorCode !== ErrorCode.NONE) throw new Error(`SyncGroup error ${sync.errorCode}`)
      this.synced = true
      this.onSynced(this)
      return
    }
  }

  async run () {
    await this.joinAndSync()
    while (this.running) {
      await sleep(HEARTBEAT_MS)
      if (!this.running) break
      const heartbeat = await this.client.request(HeartbeatApi, 4, { groupId: this.groupId, generationId: this.generation, memberId: this.memberId, groupInstanceId: null })
      if (!this.running) break
      if (heartbeat.errorCode !== ErrorCode.NONE) {
        this.synced = false
        await this.joinAndSync()
      }
    }
  }

  async leave () {
    this.running = false
    await this.client.request(LeaveGroupApi, 5, { groupId: this.groupId, members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'bench' }] })
  }
}

/** Resolves when `members` are all synced in one generation (checked whenever one of them syncs). */
function allSynced (members) {
  return new Promise((resolvePromise) => {
    const check = () => {
      const generations = new Set(members.map((m) => m.generation))
      if (members.every((m) => m.synced) && generations.size === 1) resolvePromise(performance.now())
    }
    for (const m of members) m.onSynced = check
    check()
  })
}

async function rawRun (address, run) {
  const groupId = `raw-${run}`
  const clients = await Promise.all(Array.from({ length: MEMBERS }, () => Client.open(address)))
  const members = clients.map((client) => new RawMember(client, groupId, () => {}))
  const formed = allSynced(members)
  const started = performance.now()
  const loops = members.map((m) => m.run())
  const formMs = (await formed) - started
  const leaving = members[0]
  const rest = members.slice(1)
  const before = rest[0].generation
  for (const m of rest) m.synced = false
  const next = new Promise((resolvePromise) => {
    const check = () => { if (rest.every((m) => m.synced && m.generation > before) && new Set(rest.map((m) => m.generation)).size === 1) resolvePromise(performance.now()) }
    for (const m of rest) m.onSynced = check
  })
  const leftAt = performance.now()
  await leaving.leave()
  const leaveMs = (await next) - leftAt
  for (const m of members) m.running = false
  await Promise.allSettled(loops)
  for (const client of clients) client.close()
  return { formMs, leaveMs, generation: rest[0].generation }
}

async function kafkajsRun (address, run) {
  const require = createRequire(join(root, 'packages', 'conformance', 'package.json'))
  const { Kafka, logLevel } = require('kafkajs')
  const groupId = `kjs-${run}`
  // kafkajs' GROUP_JOIN event has no generation id: count joins and note when each consumer last joined.
  const lastJoinAt = new Array(MEMBERS).fill(0)
  let joinEvents = 0
  const consumers = Array.from({ length: MEMBERS }, (_, i) => {
    const consumer = new Kafka({ clientId: `bench-kjs-${i}`, brokers: [address], logLevel: logLevel.NOTHING }).consumer({ groupId, heartbeatInterval: HEARTBEAT_MS, sessionTimeout: 30_000, rebalanceTimeout: 30_000, maxWaitTimeInMs: 100 })
    consumer.on(consumer.events.GROUP_JOIN, () => { lastJoinAt[i] = performance.now(); joinEvents += 1 })
    return consumer
  })
  /** Waits until every consumer in `ids` joined after `since` and no further join happened for 300 ms. */
  const settled = async (ids, since) => {
    for (;;) {
      while (!ids.every((i) => lastJoinAt[i] > since)) await sleep(2)
      const seen = joinEvents
      await sleep(300)
      if (joinEvents === seen) return Math.max(...ids.map((i) => lastJoinAt[i]))
    }
  }
  await Promise.all(consumers.map(async (c) => { await c.connect(); await c.subscribe({ topic: TOPIC, fromBeginning: true }) }))
  const started = performance.now()
  await Promise.all(consumers.map((c) => c.run({ eachMessage: async () => {} })))
  const everyone = consumers.map((_, i) => i)
  const formMs = (await settled(everyone, started)) - started
  const rest = everyone.slice(1)
  const leftAt = performance.now()
  await consumers[0].disconnect()
  const leaveMs = (await settled(rest, leftAt)) - leftAt
  await Promise.all(rest.map((i) => consumers[i].disconnect()))
  return { formMs, leaveMs, joins: joinEvents }
}

const extraArgs = ['--set', `group.initial.rebalance.delay.ms=${opts['delay-ms']}`]
const server = await startSamsa(root, { partitions: PARTITIONS, extraArgs })
const results = { members: MEMBERS, heartbeatMs: HEARTBEAT_MS, initialDelayMs: Number(opts['delay-ms']), raw: [], kafkajs: [] }
try {
  // The topic exists before the members subscribe (auto-created by a metadata request of the first kafkajs client).
  const address = server.address
  log(`samsa at ${address}; ${MEMBERS} members, heartbeat ${HEARTBEAT_MS} ms, ${RUNS} runs`)
  for (let run = 0; run < RUNS; run++) results.raw.push(await rawRun(address, run))
  if (!opts['no-kafkajs']) {
    for (let run = 0; run < RUNS; run++) results.kafkajs.push(await kafkajsRun(address, run))
  }
} finally {
  await server.stop()
}

const row = (label, runs, pick) => runs.length === 0 ? null : `| ${label} | ${median(runs.map(pick)).toFixed(1)} | ${Math.min(...runs.map(pick)).toFixed(1)} | ${Math.max(...runs.map(pick)).toFixed(1)} |`
const lines = [
  `${MEMBERS} members, heartbeat interval ${HEARTBEAT_MS} ms, group.initial.rebalance.delay.ms=${opts['delay-ms']}, ${RUNS} runs`,
  '',
  '| measurement (ms) | median | min | max |',
  '| --- | --- | --- | --- |',
  row(`raw protocol: ${MEMBERS} members join → all Stable`, results.raw, (r) => r.formMs),
  row(`raw protocol: one leaves → ${MEMBERS - 1} Stable again`, results.raw, (r) => r.leaveMs),
  row(`kafkajs: ${MEMBERS} consumers run() → all joined`, results.kafkajs, (r) => r.formMs),
  row(`kafkajs: one disconnects → ${MEMBERS - 1} rejoined`, results.kafkajs, (r) => r.leaveMs)
].filter((line) => line !== null)
console.log(lines.join('\n'))
const buildDir = join(root, '.build', 'bench')
mkdirSync(buildDir, { recursive: true })
writeFileSync(join(buildDir, 'groups-last-run.json'), JSON.stringify(results, null, 2))
