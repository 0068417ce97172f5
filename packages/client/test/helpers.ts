import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Broker, loadConfig, silentLogger as brokerLogger } from '@samsa/broker'
import { Registry } from 'prom-client'
import { KafkaManager, silentLogger, type KafkaManagerOptions } from '../src/index.js'

export interface TestBroker {
  broker: Broker
  port: number
  bootstrap: string
  dataDir: string
  /** Stops the broker, keeping its data and port, and returns a function that starts it again. */
  kill: () => Promise<() => Promise<void>>
  stop: () => Promise<void>
}

/** Settings that keep group tests fast: no initial rebalance delay, short session timeouts allowed. */
export const FAST_GROUPS = { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000', 'num.partitions': '3' }

/** An in-process samsa broker on a free port of 127.0.0.1 with a fresh data directory. */
export async function startBroker (overrides: Record<string, string> = {}): Promise<TestBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-client-test-'))
  const settings = { ...FAST_GROUPS, ...overrides }
  let broker = await Broker.start(loadConfig({ env: {}, overrides: { port: '0', 'log.dirs': dataDir, ...settings } }), { logger: brokerLogger })
  const port = broker.address.port
  const handle: TestBroker = {
    get broker () { return broker },
    port,
    bootstrap: `127.0.0.1:${port}`,
    dataDir,
    async kill () {
      await broker.stop()
      return async () => {
        broker = await Broker.start(loadConfig({ env: {}, overrides: { port: String(port), 'log.dirs': dataDir, ...settings } }), { logger: brokerLogger })
      }
    },
    async stop () {
      await broker.stop().catch(() => {})
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  return handle
}

let counter = 0
/** A topic name no other test uses. */
export function uniqueTopic (prefix = 't'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`
}

/** A manager on the test broker with a private metrics registry, silent logs and fast retries. */
export function testManager (broker: TestBroker, options: KafkaManagerOptions = {}): KafkaManager & { registry: Registry } {
  const registry = new Registry()
  const manager = new KafkaManager({
    clientId: 'sdk-test',
    brokers: [broker.bootstrap],
    env: {},
    logger: silentLogger,
    metrics: { registry },
    retry: { initialRetryTime: 50, retries: 5, maxRetryTime: 1000 },
    ...options
  })
  return Object.assign(manager, { registry })
}

/** Polls `check` until it returns something other than undefined/false. */
export async function eventually<T> (check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined && value !== false) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last !== undefined ? `: ${String(last)}` : ''}`)
    await sleep(25)
  }
}

/** A promise with its resolve function, for handlers to signal tests. */
export function deferred<T = void> (): { promise: Promise<T>, resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => { resolve = r })
  return { promise, resolve }
}
