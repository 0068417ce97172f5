import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import type { BrokerConfig } from '../config.js'
import type { Logger } from '../logger.js'
import type { Security } from './index.js'
import { usesTls, type ListenerSpec } from './listeners.js'
import { applyMappingRules, subjectDn } from './principal-mapping.js'
import { ANONYMOUS, Session, normalizeHost } from './session.js'
import { tlsServerOptions, type ClientAuth } from './tls.js'
import { withReadBuffer } from '../network/read-buffer.js'
import type { ConnectionLimits } from '../network/connection-limits.js'

/**
 * Binds one server per listener: plain TCP for PLAINTEXT and SASL_PLAINTEXT, node:tls for SSL and SASL_SSL.
 * A TLS connection reaches the broker only after its handshake; a client certificate that does not verify, or
 * whose subject no ssl.principal.mapping.rules rule maps, is refused (and audited) before any Kafka byte is read.
 * On an SSL listener the principal is the mapped certificate subject (User:ANONYMOUS without a certificate); on
 * SASL listeners it comes from the SASL exchange.
 */
export interface BoundListener {
  readonly spec: ListenerSpec
  readonly server: Server
  readonly host: string
  readonly port: number
}

export type AcceptSocket = (socket: Socket, session: Session) => void

export async function openListeners (config: BrokerConfig, specs: ListenerSpec[], security: Security, logger: Logger, limits: ConnectionLimits, accept: AcceptSocket): Promise<BoundListener[]> {
  const bound: BoundListener[] = []
  try {
    for (const spec of specs) {
      const server = usesTls(spec.securityProtocol) ? tlsServer(config, spec, security, logger, limits, accept) : tcpServer(spec, security, limits, accept)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ port: spec.port, host: spec.host }, () => {
          server.off('error', reject)
          resolve()
        })
      })
      server.on('error', (error) => logger.error(`listener ${spec.name} error: ${error.message}`))
      const address = server.address() as AddressInfo
      bound.push({ spec, server, host: address.address, port: address.port })
    }
  } catch (error) {
    for (const listener of bound) listener.server.close()
    throw error
  }
  return bound
}

const newSession = (spec: ListenerSpec, socket: Socket, security: Security, principal = ANONYMOUS): Session =>
  new Session({ name: spec.name, securityProtocol: spec.securityProtocol }, socket.remoteAddress, principal, spec.securityProtocol === 'PLAINTEXT' || spec.securityProtocol === 'SSL' ? undefined : security.maxReceiveSize)

function tcpServer (spec: ListenerSpec, security: Security, limits: ConnectionLimits, accept: AcceptSocket): Server {
  const server = createTcpServer({ pauseOnConnect: true })
  server.on('connection', (accepted: Socket) => {
    const release = limits.admit(accepted.remoteAddress, spec.name)
    if (release === null) {
      accepted.destroy()
      return
    }
    const socket = withReadBuffer(accepted) // a new Socket owns the handle from here: count its close
    socket.once('close', release)
    accept(socket, newSession(spec, socket, security))
  })
  return server
}

function tlsServer (config: BrokerConfig, spec: ListenerSpec, security: Security, logger: Logger, limits: ConnectionLimits, accept: AcceptSocket): Server {
  const clientAuth = spec.securityProtocol === 'SSL' ? config.sslClientAuth : 'none'
  const server = createTlsServer(tlsServerOptions(config, clientAuth as ClientAuth))
  // Counted at the TCP accept, before the handshake, as Kafka counts them.
  server.on('connection', (raw: Socket) => {
    const release = limits.admit(raw.remoteAddress, spec.name)
    if (release === null) raw.destroy()
    else raw.once('close', release)
  })
  const refuse = (socket: Socket, reason: string): void => {
    const client = normalizeHost(socket.remoteAddress ?? '')
    logger.info(`TLS connection on ${spec.name} from ${client} refused: ${reason}`)
    security.record({ event: 'tls', listener: spec.name, client, result: 'failure', reason })
    socket.destroy()
  }
  server.on('tlsClientError', (error, socket) => refuse(socket, error.message))
  server.on('secureConnection', (socket: TLSSocket) => {
    const certificate = socket.getPeerX509Certificate()
    if (certificate === undefined && clientAuth === 'required') {
      refuse(socket, 'no client certificate (ssl.client.auth=required)')
      return
    }
    if (certificate !== undefined && !socket.authorized) {
      refuse(socket, `client certificate not accepted: ${String(socket.authorizationError)}`)
      return
    }
    let principal = ANONYMOUS
    if (certificate !== undefined && spec.securityProtocol === 'SSL') {
      const dn = subjectDn(certificate)
      const name = applyMappingRules(security.principalRules, dn)
      if (name === null) {
        refuse(socket, `no ssl.principal.mapping.rules rule applies to ${dn}`)
        return
      }
      principal = `User:${name}`
      security.record({ event: 'authentication', listener: spec.name, client: normalizeHost(socket.remoteAddress ?? ''), mechanism: 'SSL', principal, subject: dn, result: 'success' })
    }
    accept(socket, newSession(spec, socket, security, principal))
  })
  return server
}
