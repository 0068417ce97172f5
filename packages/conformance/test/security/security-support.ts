import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cliBin, runOk } from '../../src/index.js'

/**
 * A real `samsa broker` with several listeners (PLAINTEXT first, then SSL, SASL_SSL, SASL_PLAINTEXT; mTLS on SSL),
 * development certificates from `samsa certs`, and users from `samsa users add --data-dir` (so the CLI's offline
 * path is exercised too). The broker prints one "samsa listener NAME (PROTOCOL) on host:port" line per listener.
 */
export interface SecureBrokerOptions {
  users?: Record<string, string>
  /** Extra `--set key=value` settings. */
  settings?: Record<string, string>
  clientAuth?: 'none' | 'requested' | 'required'
}

export interface Certificates { dir: string, ca: string, client: (name: string) => { cert: string, key: string } }

export const PASSWORDS = { admin: 'admin-secret', alice: 'alice-secret', bob: 'bob-secret' } as const

export class SecureBroker {
  readonly listeners = new Map<string, string>()
  private exited: Promise<void> | undefined
  private stderrTail = ''

  private constructor (readonly dir: string, readonly certs: Certificates, private child?: ChildProcess) {}

  static async start (options: SecureBrokerOptions = {}): Promise<SecureBroker> {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-security-'))
    const certsDir = join(dir, 'certs')
    await samsa(['certs', '--out', certsDir, '--client', 'alice', '--client', 'bob', '--client', 'admin'])
    const certs: Certificates = { dir: certsDir, ca: join(certsDir, 'ca.pem'), client: (name) => ({ cert: join(certsDir, `client-${name}.pem`), key: join(certsDir, `client-${name}.key`) }) }
    const dataDir = join(dir, 'data')
    for (const [user, password] of Object.entries(options.users ?? PASSWORDS)) {
      await samsa(['users', 'add', user, '--password', password, '--iterations', '4096', '--data-dir', dataDir])
    }
    const broker = new SecureBroker(dir, certs)
    const settings: Record<string, string> = {
      listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'ssl.keystore.location': join(certsDir, 'broker.keystore.pem'),
      'ssl.truststore.location': certs.ca,
      'ssl.client.auth': options.clientAuth ?? 'required',
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'connection.failed.authentication.delay.ms': '50',
      'group.initial.rebalance.delay.ms': '0',
      'audit.log.file': join(dir, 'audit.log'),
      ...options.settings
    }
    await broker.spawn(['broker', '--data-dir', dataDir, ...Object.entries(settings).flatMap(([key, value]) => ['--set', `${key}=${value}`])])
    return broker
  }

  /** "host:port" of a listener by name. */
  listener (name: string): string {
    const address = this.listeners.get(name)
    if (address === undefined) throw new Error(`no listener ${name}`)
    return address
  }

  get stderr (): string { return this.stderrTail }

  /** The broker's audit log (audit.log.file), parsed. */
  auditEvents (): Array<Record<string, unknown>> {
    return readFileSync(join(this.dir, 'audit.log'), 'utf8').trim().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>)
  }

  /** Writes a Kafka client.properties file (for `samsa acls/users --command-config`). */
  clientProperties (name: string, properties: Record<string, string>): string {
    const file = join(this.dir, `${name}.properties`)
    writeFileSync(file, Object.entries(properties).map(([key, value]) => `${key}=${value}`).join('\n') + '\n')
    return file
  }

  async close (): Promise<void> {
    if (this.child !== undefined) {
      this.child.kill('SIGTERM')
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000)
      await this.exited
      clearTimeout(timer)
    }
    rmSync(this.dir, { recursive: true, force: true })
  }

  private async spawn (args: string[]): Promise<void> {
    const child = spawn(process.execPath, [cliBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    this.exited = new Promise((resolve) => child.once('exit', () => { this.child = undefined; resolve() }))
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => { this.stderrTail = (this.stderrTail + chunk).slice(-32_768) })
    await new Promise<void>((resolve, reject) => {
      let stdout = ''
      const timer = setTimeout(() => reject(new Error(`broker not ready\n${stdout}\n${this.stderrTail}`)), 20_000)
      child.stdout!.setEncoding('utf8')
      child.stdout!.on('data', (chunk: string) => {
        stdout += chunk
        for (const match of stdout.matchAll(/samsa listener (\S+) \((\S+)\) on (\S+)/g)) this.listeners.set(match[1]!, match[3]!)
        if (/samsa broker listening on/.test(stdout)) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`broker exited with ${code}\n${stdout}\n${this.stderrTail}`)) })
    })
  }
}

/** Runs the samsa CLI to completion; throws with its output unless it exits 0. */
export async function samsa (args: string[], input?: string): Promise<string> {
  const result = await runOk(process.execPath, [cliBin, ...args], { input, timeoutMs: 30_000 })
  return result.stdout.toString('utf8')
}

/** Runs the samsa CLI and returns its exit code and output (for expected failures). */
export async function samsaStatus (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const { run } = await import('../../src/index.js')
  const result = await run(process.execPath, [cliBin, ...args], { timeoutMs: 30_000 })
  return { code: result.code, stdout: result.stdout.toString('utf8'), stderr: result.stderr }
}

/** A topic name unique to one test. */
let counter = 0
export const uniqueTopic = (prefix: string): string => `${prefix}-${process.pid}-${++counter}`

/** Broker settings of the ACL suites: the authorizer on, admin a super user, client certificates map to their CN. */
export const AUTHORIZER_SETTINGS = {
  'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
  'super.users': 'User:admin',
  'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+),OU=clients,O=samsa$/$1/,DEFAULT'
}

/** admin's client.properties for the CLI: SCRAM-SHA-512 over TLS on the SASL_SSL listener. */
export function adminProperties (broker: SecureBroker): string {
  return broker.clientProperties('admin', {
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${PASSWORDS.admin}";`,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': broker.certs.ca
  })
}

/**
 * alice's ACLs, made with `samsa acls` as an operator would: everything on topics and groups starting with
 * "alice-", WRITE on the transactional id alice-tx. bob has no ACL at all.
 */
export async function grantAliceAcls (broker: SecureBroker): Promise<void> {
  const base = ['acls', '--bootstrap', broker.listener('SASL_SSL'), '--command-config', adminProperties(broker), '--add', '--allow-principal', 'User:alice']
  await samsa([...base, '--operation', 'All', '--topic', 'alice-', '--group', 'alice-', '--resource-pattern-type', 'prefixed'])
  await samsa([...base, '--operation', 'Write', '--operation', 'Describe', '--transactional-id', 'alice-tx'])
}
