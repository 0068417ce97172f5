import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Broker, loadConfig, saslClient, silentLogger } from '@samsa/broker'
import { ErrorCode, KafkaConnection, SaslAuthenticateApi, SaslHandshakeApi } from '@samsa/protocol'

/**
 * Shared by the CLI tests: runs bin/samsa.js as a child process without blocking this process (so a broker running
 * in-process here keeps answering), and temporary directories removed when the test process exits.
 */
export const BIN = resolve(import.meta.dirname, '../../bin/samsa.js')

export interface CliResult { code: number | null, stdout: string, stderr: string }

export async function samsa (args: string[], input?: string): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  child.stdin.end(input ?? '')
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const code = await new Promise<number | null>((done) => child.once('close', (status) => done(status)))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

export function scratchDir (prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** An in-process broker (PLAINTEXT first, then the given listeners on free ports) on a data directory. */
export interface RunningBroker { broker: Broker, address: (listener: string) => string, stop: () => Promise<void> }

export async function startBroker (dataDir: string, extraListeners: string[], settings: Record<string, string> = {}): Promise<RunningBroker> {
  const listeners = ['PLAINTEXT', ...extraListeners].map((name) => `${name}://127.0.0.1:0`).join(',')
  const config = loadConfig({ env: {}, overrides: { 'log.dirs': dataDir, listeners, 'connection.failed.authentication.delay.ms': '0', ...settings } })
  const broker = await Broker.start(config, { logger: silentLogger })
  return {
    broker,
    address (name) {
      const listener = broker.listeners.find((entry) => entry.name === name)
      if (listener === undefined) throw new Error(`no listener ${name}`)
      return `127.0.0.1:${listener.port}`
    },
    stop: async () => { await broker.stop() }
  }
}

/** Whether user/password can log in with the mechanism on a SASL_PLAINTEXT address ("host:port"). */
export async function canLogin (address: string, mechanism: string, user: string, password: string): Promise<boolean> {
  const [host, port] = address.split(':')
  const connection = await KafkaConnection.open({ host: host!, port: Number(port), clientId: 'samsa-cli-test' })
  try {
    const handshake = await connection.request(SaslHandshakeApi, 1, { mechanism })
    if (handshake.errorCode !== ErrorCode.NONE) return false
    const sasl = saslClient(mechanism, user, password)
    let token: Buffer | null = sasl.first()
    while (token !== null) {
      const response = await connection.request(SaslAuthenticateApi, 2, { authBytes: token })
      if (response.errorCode !== ErrorCode.NONE) return false
      token = sasl.next(response.authBytes)
    }
    return true
  } catch {
    return false
  } finally {
    connection.close()
  }
}
