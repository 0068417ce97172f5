import { isIP } from 'node:net'
import { lookup } from 'node:dns/promises'
import type { BrokerConfig } from '../config.js'
import type { Logger } from '../logger.js'
import { normalizeHost } from '../security/session.js'

/**
 * Kafka's connection quotas: max.connections (all listeners) and max.connections.per.ip with its per-address
 * overrides. A connection over a limit is closed as soon as it is accepted, with one log line; Kafka instead leaves
 * an over-the-broker-limit connection in the accept backlog until one closes (docs/differences.md). Clients see a
 * closed connection and retry with their reconnect backoff.
 *
 * Overrides may name hosts: they are resolved once at start-up, as Kafka does, and an unresolvable name is a
 * warning, not a start-up failure.
 */
export class ConnectionLimits {
  private total = 0
  private readonly perIp = new Map<string, number>()
  private readonly overrides = new Map<string, number>()

  private constructor (private readonly config: BrokerConfig, private readonly logger: Logger) {}

  static async create (config: BrokerConfig, logger: Logger): Promise<ConnectionLimits> {
    const limits = new ConnectionLimits(config, logger)
    for (const item of config.maxConnectionsPerIpOverrides.split(',').filter((entry) => entry !== '')) {
      const at = item.lastIndexOf(':')
      const host = item.slice(0, at)
      const count = Number(item.slice(at + 1))
      if (isIP(host) !== 0) {
        limits.overrides.set(normalizeHost(host), count)
        continue
      }
      try {
        for (const { address } of await lookup(host, { all: true })) limits.overrides.set(normalizeHost(address), count)
      } catch (error) {
        logger.warn(`max.connections.per.ip.overrides: cannot resolve ${host} (${(error as Error).message}); its override is ignored`)
      }
    }
    return limits
  }

  /**
   * Counts a new connection from `remoteAddress`; returns the function that uncounts it when it closes, or null
   * (after logging why) when a limit is reached and the connection must be closed.
   */
  admit (remoteAddress: string | undefined, listener: string): (() => void) | null {
    const ip = normalizeHost(remoteAddress ?? '')
    const perIpLimit = this.overrides.get(ip) ?? this.config.maxConnectionsPerIp
    const fromIp = this.perIp.get(ip) ?? 0
    if (fromIp >= perIpLimit) {
      this.logger.info(`connection on ${listener} from ${ip} refused: max.connections.per.ip (${perIpLimit}) reached`)
      return null
    }
    if (this.total >= this.config.maxConnections) {
      this.logger.info(`connection on ${listener} from ${ip} refused: max.connections (${this.config.maxConnections}) reached`)
      return null
    }
    this.total++
    this.perIp.set(ip, fromIp + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      this.total--
      const left = (this.perIp.get(ip) ?? 1) - 1
      if (left > 0) this.perIp.set(ip, left)
      else this.perIp.delete(ip)
    }
  }
}
