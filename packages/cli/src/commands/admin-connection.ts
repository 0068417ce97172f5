import { readFileSync } from 'node:fs'
import { connect as connectTcp, type Socket } from 'node:net'
import { connect as connectTls, type ConnectionOptions } from 'node:tls'
import { parseProperties, saslClient } from '@samsa/broker'
import {
  ErrorCode, SaslAuthenticateApi, SaslHandshakeApi, decodeResponse, encodeRequest,
  type ApiDefinition, type DeepPartial, type RequestOf, type ResponseOf
} from '@samsa/protocol'

/**
 * One connection from the CLI's --bootstrap commands (users, acls) to a broker, with the client security settings
 * of a Kafka client.properties file (--command-config), in Kafka or librdkafka key names:
 *   security.protocol             PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL
 *   sasl.mechanism(s)             PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
 *   sasl.jaas.config              ... username="u" password="p";   (or sasl.username / sasl.password)
 *   ssl.truststore.location       PEM CA file (or ssl.ca.location)
 *   ssl.keystore.location         PEM with key + certificate (or ssl.certificate.location + ssl.key.location)
 *   ssl.endpoint.identification.algorithm   empty = do not check the broker's host name
 */
export interface ClientSecurity {
  protocol: string
  mechanism: string
  username: string
  password: string
  tls: ConnectionOptions | undefined
}

export function clientSecurity (file: string | undefined): ClientSecurity {
  const props = file === undefined ? {} : parseProperties(readFileSync(file, 'utf8'))
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase()
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) throw new Error(`unknown security.protocol ${protocol}`)
  const jaas = props['sasl.jaas.config'] ?? ''
  const fromJaas = (key: string): string | undefined => new RegExp(`${key}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(jaas)?.[1]?.replace(/\\(.)/g, '$1')
  let tls: ConnectionOptions | undefined
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    tls = {}
    const ca = props['ssl.truststore.location'] ?? props['ssl.ca.location']
    if (ca !== undefined) tls.ca = readFileSync(ca)
    const keystore = props['ssl.keystore.location']
    const certificate = props['ssl.certificate.location'] ?? keystore
    const key = props['ssl.key.location'] ?? keystore
    if (certificate !== undefined) tls.cert = readFileSync(certificate)
    if (key !== undefined) tls.key = readFileSync(key)
    const passphrase = props['ssl.key.password']
    if (passphrase !== undefined) tls.passphrase = passphrase
    if (props['ssl.endpoint.identification.algorithm'] === '') tls.checkServerIdentity = () => undefined
  }
  return {
    protocol,
    mechanism: (props['sasl.mechanism'] ?? props['sasl.mechanisms'] ?? 'PLAIN').toUpperCase(),
    username: props['sasl.username'] ?? fromJaas('username') ?? '',
    password: props['sasl.password'] ?? fromJaas('password') ?? '',
    tls
  }
}

export class AdminConnection {
  private buffered = Buffer.alloc(0)
  private readonly waiting: Array<{ resolve: (frame: Buffer) => void, reject: (error: Error) => void }> = []
  private correlationId = 0
  private failure: Error | undefined

  private constructor (private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0)
        const frame = this.buffered.subarray(4, 4 + size)
        this.buffered = this.buffered.subarray(4 + size)
        this.waiting.shift()?.resolve(frame)
      }
    })
    const fail = (error: Error): void => {
      this.failure ??= error
      for (const waiter of this.waiting.splice(0)) waiter.reject(this.failure)
    }
    socket.on('error', fail)
    socket.on('close', () => fail(new Error('the broker closed the connection')))
  }

  /** Connects to the first reachable bootstrap address and authenticates when the protocol uses SASL. */
  static async open (bootstrap: string, security: ClientSecurity): Promise<AdminConnection> {
    const errors: string[] = []
    for (const address of bootstrap.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
      const colon = address.lastIndexOf(':')
      const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1')
      const port = Number(address.slice(colon + 1))
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const socket: Socket = security.tls === undefined
            ? connectTcp({ host, port }, () => resolve(socket))
            : connectTls({ host, port, servername: /^[\d.:]+$/.test(host) ? undefined : host, ...security.tls }, () => resolve(socket))
          socket.once('error', reject)
          socket.setTimeout(15_000, () => socket.destroy(new Error('timed out')))
        })
        socket.setTimeout(0)
        const connection = new AdminConnection(socket)
        if (security.protocol.startsWith('SASL')) await connection.authenticate(security)
        return connection
      } catch (error) {
        errors.push(`${address}: ${(error as Error).message}`)
      }
    }
    throw new Error(`cannot connect to ${bootstrap}: ${errors.join('; ')}`)
  }

  async request<A extends ApiDefinition> (api: A, version: number, body: DeepPartial<RequestOf<A>>): Promise<ResponseOf<A>> {
    if (this.failure !== undefined) throw this.failure
    const correlationId = ++this.correlationId
    const frame = new Promise<Buffer>((resolve, reject) => this.waiting.push({ resolve, reject }))
    for (const chunk of encodeRequest(api, version, correlationId, 'samsa-cli', body)) this.socket.write(chunk)
    const decoded = decodeResponse(api, version, await frame)
    if (decoded.correlationId !== correlationId) throw new Error(`unexpected correlation id ${decoded.correlationId}`)
    return decoded.body
  }

  close (): void {
    this.socket.destroy()
  }

  private async authenticate (security: ClientSecurity): Promise<void> {
    const handshake = await this.request(SaslHandshakeApi, 1, { mechanism: security.mechanism })
    if (handshake.errorCode !== ErrorCode.NONE) throw new Error(`the broker does not offer SASL mechanism ${security.mechanism} (it offers ${handshake.mechanisms.join(', ')})`)
    const sasl = saslClient(security.mechanism, security.username, security.password)
    let token: Buffer | null = sasl.first()
    while (token !== null) {
      const response = await this.request(SaslAuthenticateApi, 2, { authBytes: token })
      if (response.errorCode !== ErrorCode.NONE) throw new Error(`authentication failed: ${response.errorMessage ?? `error ${response.errorCode}`}`)
      token = sasl.next(response.authBytes)
    }
  }
}
