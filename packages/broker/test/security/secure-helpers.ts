import { type ConnectionOptions } from 'node:tls'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ErrorCode, KafkaConnection, SaslAuthenticateApi, SaslHandshakeApi, connectSocket, type ResponseOf } from '@samsa/protocol'
import { createDevCertificates, newCredential, saslClient, type DevCertificateFiles, type ScramMechanism } from '../../src/index.js'
import { startBroker, type TestBroker } from '../helpers.js'

/**
 * Test helpers for the security suite: the shared protocol connection over TCP or TLS (nextFrame yields null once
 * the broker closes it), SASL logins through it, users, and development certificates.
 */
export class SecureClient extends KafkaConnection {
  /** Over TLS when tls is given; the server name defaults to localhost, which the development certificates name. */
  static async connect (port: number, tls?: ConnectionOptions): Promise<SecureClient> {
    const socket = await connectSocket({ host: '127.0.0.1', port, tls: tls === undefined ? undefined : { servername: 'localhost', ...tls } })
    return new SecureClient(socket, { clientId: 'samsa-security-test' })
  }
}

/** SaslHandshake v1 + SaslAuthenticate (v2 by default). Returns the last SaslAuthenticate response. */
export async function saslLogin (client: SecureClient, mechanism: string, user: string, password: string, authenticateVersion = 2): Promise<ResponseOf<typeof SaslAuthenticateApi>> {
  const handshake = await client.request(SaslHandshakeApi, 1, { mechanism })
  if (handshake.errorCode !== ErrorCode.NONE) throw new Error(`handshake failed with ${handshake.errorCode}`)
  const sasl = saslClient(mechanism, user, password)
  let token: Buffer | null = sasl.first()
  for (;;) {
    const response = await client.request(SaslAuthenticateApi, authenticateVersion, { authBytes: token })
    if (response.errorCode !== ErrorCode.NONE) return response
    token = sasl.next(response.authBytes)
    if (token === null) return response
  }
}

/** Stores SCRAM-SHA-256 and -512 credentials for a user in a running in-process broker. */
export function addUser (server: TestBroker, user: string, password: string, mechanisms: ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512']): void {
  const credentials = server.broker.context.security.credentials
  for (const mechanism of mechanisms) credentials.upsert(user, mechanism, newCredential(mechanism, password, 4096))
  credentials.save()
}

export function listenerPort (server: TestBroker, name: string): number {
  const listener = server.broker.listeners.find((entry) => entry.name === name)
  if (listener === undefined) throw new Error(`no listener ${name}`)
  return listener.port
}

/** A broker with PLAINTEXT (first) plus the given extra listeners on free ports. */
export async function startSecureBroker (extraListeners: string[], overrides: Record<string, string> = {}): Promise<TestBroker> {
  const listeners = ['PLAINTEXT://127.0.0.1:0', ...extraListeners.map((name) => `${name}://127.0.0.1:0`)].join(',')
  return await startBroker({ listeners, 'connection.failed.authentication.delay.ms': '0', ...overrides })
}

let certificates: DevCertificateFiles | undefined
/** One set of development certificates per test process (clients alice and bob). */
export function devCertificates (): DevCertificateFiles {
  if (certificates === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-certs-'))
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    certificates = createDevCertificates({ dir, clients: ['alice', 'bob'] })
  }
  return certificates
}

/** A temporary directory removed when the test process exits. */
export function scratchDir (prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  return dir
}
