import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker, loadConfig, silentLogger } from '@samsa/broker'
import { findPython, inCI, modernLibrdkafkaLibDir, pythonDir, skipUnlessInstalled } from '../../src/index.js'

/**
 * Shared pieces of the transaction conformance tests. Most tests run the real `samsa` process (harness TestBroker);
 * the ones that need a fault-injection hook (drop one Produce response) start the broker in-process, where
 * `broker.context.faults` is reachable.
 */
export class InProcessBroker {
  private constructor (readonly broker: Broker, private readonly dataDir: string) {}

  static async start (partitions = 2): Promise<InProcessBroker> {
    const dataDir = mkdtempSync(join(tmpdir(), 'samsa-txn-conformance-'))
    const config = loadConfig({ env: {}, warn: () => {}, overrides: { port: '0', 'log.dirs': dataDir, 'num.partitions': String(partitions) } })
    return new InProcessBroker(await Broker.start(config, { logger: silentLogger }), dataDir)
  }

  get bootstrap (): string { return `127.0.0.1:${this.broker.address.port}` }
  get faults (): Broker['context']['faults'] { return this.broker.context.faults }

  /** Makes the broker drop the response of the next `count` idempotent produces to `topic` (closing the connection). */
  dropProduceResponses (topic: string, count = 1): () => number {
    let left = count
    this.faults.dropProduceResponse = (name) => name === topic && left-- > 0
    return () => count - Math.max(left, 0)
  }

  async close (): Promise<void> {
    await this.broker.stop()
    rmSync(this.dataDir, { recursive: true, force: true })
  }
}

export const python = findPython(['confluent_kafka'])
export const kafkaPython = findPython(['kafka'])

export interface LibrdkafkaVariant { name: string, env: Record<string, string>, skip: string | false }

/** Debian's librdkafka 2.0.2, and the current one from scripts/build-librdkafka.sh when it was built. */
export function librdkafkaVariants (): LibrdkafkaVariant[] {
  const missingPython = python === null ? skipUnlessInstalled(false, 'python3 with confluent_kafka') : false
  const built = existsSync(join(modernLibrdkafkaLibDir, 'librdkafka.so.1'))
  return [
    { name: 'librdkafka 2.0.2 (Debian)', env: {}, skip: missingPython },
    {
      name: 'current librdkafka (.build)',
      env: { LD_LIBRARY_PATH: [modernLibrdkafkaLibDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') },
      skip: missingPython !== false ? missingPython : !built && !inCI ? `no modern librdkafka in ${modernLibrdkafkaLibDir}` : false
    }
  ]
}

export interface DriverRun<T> { result: Promise<T>, lines: string[], kill: () => void }

/**
 * Starts a Python driver from packages/conformance/python with a JSON request on stdin. Never blocks the event loop
 * (the in-process broker must keep serving). `result` is the JSON of the last stdout line; every stdout line is kept
 * in `lines` (progress reports); `kill` sends SIGKILL.
 */
export function startDriver<T = any> (interpreter: string, script: string, request: object, env: Record<string, string> = {}, timeoutMs = 120_000): DriverRun<T> {
  const child = spawn(interpreter, [join(pythonDir, script)], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  const lines: string[] = []
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk
    let newline: number
    while ((newline = stdout.indexOf('\n')) >= 0) {
      lines.push(stdout.slice(0, newline))
      stdout = stdout.slice(newline + 1)
    }
  })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-8000) })
  child.stdin.end(JSON.stringify(request))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const result = new Promise<T>((resolve, reject) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const last = lines[lines.length - 1]
      if (code !== 0 || last === undefined) {
        reject(new Error(`${script} exited with ${code ?? signal}\nstderr: ${stderr}\nstdout: ${lines.join('\n').slice(-2000)}`))
        return
      }
      resolve(JSON.parse(last) as T)
    })
  })
  return { result, lines, kill: () => child.kill('SIGKILL') }
}

export async function runPython<T = any> (interpreter: string, script: string, request: object, env: Record<string, string> = {}): Promise<T> {
  return await startDriver<T>(interpreter, script, request, env).result
}

export function uniqueName (prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`
}
