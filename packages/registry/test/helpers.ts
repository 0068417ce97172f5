import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker, loadConfig, silentLogger } from '@samsa/broker'
import { startRegistry, type RunningRegistry, type StartRegistryOptions } from '../src/index.js'

export interface TestBroker { broker: Broker, bootstrap: string, dataDir: string, stop: (options?: { keepData?: boolean }) => Promise<void> }

/**
 * An in-process samsa broker on a free port with a fresh (or given) data directory. Groups rebalance without the
 * initial delay and accept short sessions, so writer elections settle quickly in tests.
 */
export async function startBroker (dataDir = mkdtempSync(join(tmpdir(), 'samsa-registry-test-')), overrides: Record<string, string> = {}): Promise<TestBroker> {
  const config = loadConfig({ env: {}, overrides: { port: '0', 'log.dirs': dataDir, 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '500', ...overrides } })
  const broker = await Broker.start(config, { logger: silentLogger })
  return {
    broker,
    bootstrap: `127.0.0.1:${broker.address.port}`,
    dataDir,
    async stop (options = {}) {
      await broker.stop()
      if (options.keepData !== true) rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

export async function startTestRegistry (broker: TestBroker, options: Partial<StartRegistryOptions> = {}): Promise<RunningRegistry> {
  return await startRegistry({ bootstrap: broker.bootstrap, port: 0, ...options })
}

export const V1 = 'application/vnd.schemaregistry.v1+json'

export interface Reply { status: number, body: any, text: string, headers: Headers }

/** A real HTTP request; JSON bodies are sent as the Confluent content type. */
export async function http (base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { Accept: V1, ...headers } }
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body)
    ;(init.headers as Record<string, string>)['Content-Type'] ??= V1
  }
  const response = await fetch(base + path, init)
  const text = await response.text()
  let parsed: unknown = text
  try { parsed = JSON.parse(text) } catch {}
  return { status: response.status, body: parsed, text, headers: response.headers }
}

/** Every record of a single-partition topic, read with @platformatic/kafka's low-level fetch (no group). */
export async function readTopic (bootstrap: string, topic: string): Promise<Array<{ key: string | null, value: string | null }>> {
  const { Consumer } = await import('@platformatic/kafka')
  const consumer = new Consumer({ clientId: 'registry-test-reader', groupId: 'registry-test-unused', bootstrapBrokers: [bootstrap] })
  try {
    const metadata = await consumer.metadata({ topics: [topic] })
    const info = metadata.topics.get(topic)
    if (info === undefined) throw new Error(`no topic ${topic}`)
    const out: Array<{ key: string | null, value: string | null }> = []
    let next = 0n
    for (;;) {
      const response = await consumer.fetch({ node: info.partitions[0]?.leader as number, maxWaitTime: 10, topics: [{ topicId: info.id, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: next, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }] })
      const answer = response.responses[0]?.partitions[0]
      if (answer === undefined) break
      for (const batch of answer.records ?? []) {
        for (const record of batch.records) {
          const offset = batch.firstOffset + BigInt(record.offsetDelta)
          if (offset < next) continue
          out.push({ key: record.key?.toString('utf8') ?? null, value: record.value === null || record.value === undefined ? null : record.value.toString('utf8') })
        }
        next = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n
      }
      if (next >= answer.highWatermark) break
    }
    return out
  } finally {
    await consumer.close()
  }
}
