import { readFileSync } from 'node:fs'
import { type ConnectionOptions } from 'node:tls'
import { parseProperties, saslClient } from '@samsa/broker'
import { ErrorCode, KafkaConnection, SaslAuthenticateApi, SaslHandshakeApi } from '@samsa/protocol'

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

/** The CLI's admin connection: the shared protocol connection, authenticated when the protocol uses SASL. */
export type AdminConnection = KafkaConnection

/** Connects to the first reachable bootstrap address and authenticates when the protocol uses SASL. */
export async function openAdminConnection (bootstrap: string, security: ClientSecurity): Promise<AdminConnection> {
  const errors: string[] = []
  for (const address of bootstrap.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const colon = address.lastIndexOf(':')
    const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1')
    const port = Number(address.slice(colon + 1))
    try {
      const connection = await KafkaConnection.open({ host, port, tls: security.tls, clientId: 'samsa-cli' })
      try {
        if (security.protocol.startsWith('SASL')) await authenticate(connection, security)
      } catch (error) {
        connection.close()
        throw error
      }
      return connection
    } catch (error) {
      errors.push(`${address}: ${(error as Error).message}`)
    }
  }
  throw new Error(`cannot connect to ${bootstrap}: ${errors.join('; ')}`)
}

async function authenticate (connection: AdminConnection, security: ClientSecurity): Promise<void> {
  const handshake = await connection.request(SaslHandshakeApi, 1, { mechanism: security.mechanism })
  if (handshake.errorCode !== ErrorCode.NONE) throw new Error(`the broker does not offer SASL mechanism ${security.mechanism} (it offers ${handshake.mechanisms.join(', ')})`)
  const sasl = saslClient(security.mechanism, security.username, security.password)
  let token: Buffer | null = sasl.first()
  while (token !== null) {
    const response = await connection.request(SaslAuthenticateApi, 2, { authBytes: token })
    if (response.errorCode !== ErrorCode.NONE) throw new Error(`authentication failed: ${response.errorMessage ?? `error ${response.errorCode}`}`)
    token = sasl.next(response.authBytes)
  }
}
