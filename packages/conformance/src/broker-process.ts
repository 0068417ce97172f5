import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cliBin } from './paths.js'

/**
 * The real broker, as a user runs it: `node packages/cli/bin/samsa.js broker --port 0 --data-dir <dir> ...` (the
 * esbuild bundle after `npm run build`, as `npm test` does).
 * The suite never imports the broker in-process, so what it proves is what the `samsa` command does, including
 * start-up, the ready line, SIGTERM shutdown and recovery after SIGKILL.
 */
export interface BrokerProcessOptions {
  /** Extra CLI arguments, e.g. ['--num-partitions', '3', '--set', 'message.max.bytes=10000']. */
  args?: string[]
  /** Extra environment (SAMSA_LOG_LEVEL=debug, ...). */
  env?: Record<string, string>
  /** Data directory; a fresh temporary one (removed by cleanup()) when omitted. */
  dataDir?: string
  readyTimeoutMs?: number
}

export interface ExitStatus { code: number | null, signal: NodeJS.Signals | null }

const READY_LINE = /samsa broker listening on (\S+):(\d+) \(data in (.*)\)/
const STDERR_KEEP = 64 * 1024

export class BrokerProcess {
  host = '127.0.0.1'
  port = 0
  readonly dataDir: string
  private child: ChildProcess | undefined
  private exited: Promise<ExitStatus> | undefined
  private stderrTail = ''
  private readonly ownsDataDir: boolean

  private constructor (private readonly options: BrokerProcessOptions) {
    this.ownsDataDir = options.dataDir === undefined
    this.dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'samsa-conformance-'))
  }

  static async start (options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
    const broker = new BrokerProcess(options)
    try {
      await broker.spawn(0)
    } catch (error) {
      broker.cleanup()
      throw error
    }
    return broker
  }

  /** "host:port" for client bootstrap lists. */
  get bootstrap (): string { return `${this.host}:${this.port}` }

  get running (): boolean { return this.child !== undefined }

  /** The last 64 KiB of the broker's stderr, for assertion messages. */
  get stderr (): string { return this.stderrTail }

  /** Graceful stop: SIGTERM, then wait for the process to exit. */
  async stop (timeoutMs = 15_000): Promise<ExitStatus> {
    return await this.signal('SIGTERM', timeoutMs)
  }

  /** Crash: SIGKILL, no chance to flush or write a clean-shutdown marker. */
  async kill (): Promise<ExitStatus> {
    return await this.signal('SIGKILL', 15_000)
  }

  /** Starts the broker again on the same data directory and, by default, the same port (stable for clients). */
  async restart (options: { samePort?: boolean } = {}): Promise<void> {
    if (this.child !== undefined) await this.stop()
    await this.spawn(options.samePort === false ? 0 : this.port)
  }

  /** Kills a still-running broker and removes the temporary data directory this object created. */
  cleanup (): void {
    if (this.child !== undefined) {
      this.child.kill('SIGKILL')
      this.child = undefined
    }
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true })
  }

  private async signal (signal: NodeJS.Signals, timeoutMs: number): Promise<ExitStatus> {
    const child = this.child
    const exited = this.exited
    if (child === undefined || exited === undefined) throw new Error('broker is not running')
    child.kill(signal)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`broker did not exit within ${timeoutMs} ms after ${signal}\n${this.stderrTail}`)), timeoutMs)
    })
    try {
      return await Promise.race([exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  private async spawn (port: number): Promise<void> {
    const args = [cliBin, 'broker', '--port', String(port), '--data-dir', this.dataDir, ...(this.options.args ?? [])]
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.child = child
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined
        resolve({ code, signal })
      })
    })
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEEP)
    })
    const timeoutMs = this.options.readyTimeoutMs ?? 20_000
    await new Promise<void>((resolve, reject) => {
      let stdout = ''
      const timer = setTimeout(() => fail(new Error(`broker not ready within ${timeoutMs} ms`)), timeoutMs)
      const onData = (chunk: string): void => {
        stdout += chunk
        const match = READY_LINE.exec(stdout)
        if (match === null) return
        clearTimeout(timer)
        child.stdout!.off('data', onData)
        child.off('exit', onExit)
        this.host = match[1]!
        this.port = Number(match[2])
        child.stdout!.resume() // keep draining: a full pipe would block the broker
        resolve()
      }
      const onExit = (code: number | null, signal: string | null): void => {
        fail(new Error(`broker exited before it was ready (code ${code}, signal ${signal})`))
      }
      function fail (error: Error): void {
        clearTimeout(timer)
        child.kill('SIGKILL')
        reject(new Error(`${error.message}\nstdout: ${stdout}\nstderr: ${stderrTail()}`))
      }
      const stderrTail = (): string => this.stderrTail
      child.stdout!.setEncoding('utf8')
      child.stdout!.on('data', onData)
      child.once('exit', onExit)
    })
  }
}
