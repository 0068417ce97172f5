import { BrokerConfigError } from '../errors.js'
import type { BrokerConfig } from '../config.js'

/**
 * Kafka's listener configuration: `listeners=PLAINTEXT://127.0.0.1:9092,SASL_SSL://127.0.0.1:9094`, names mapped to
 * security protocols by `listener.security.protocol.map` (the default maps each protocol name to itself, so
 * custom names such as CLIENT need an entry: CLIENT:SASL_SSL), and `advertised.listeners` with the same names.
 * The first listener is the one `host`/`port` (and the CLI's --host/--port) address.
 */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL'
const PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']

export interface ListenerAddress { name: string, host: string, port: number }

export interface ListenerSpec extends ListenerAddress {
  securityProtocol: SecurityProtocol
  /** From advertised.listeners, when given for this listener's name. */
  advertised: { host: string, port: number } | undefined
}

export const DEFAULT_PROTOCOL_MAP = 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL'

export const usesTls = (protocol: SecurityProtocol): boolean => protocol === 'SSL' || protocol === 'SASL_SSL'
export const usesSasl = (protocol: SecurityProtocol): boolean => protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL'

/** "NAME://host:port,..." (a bare "host:port" is a PLAINTEXT listener; an empty host is 127.0.0.1). */
export function parseListenerList (raw: string, key: string): ListenerAddress[] {
  const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '')
  const listeners = items.map((item) => {
    const match = /^(?:([A-Za-z0-9_]+):\/\/)?(\[[0-9A-Fa-f:.]*\]|[^:/[\]]*):(\d+)$/.exec(item)
    const port = Number(match?.[3])
    if (match === null || port > 65535) throw new BrokerConfigError(`invalid value "${raw}" for ${key}: expected NAME://host:port[,NAME://host:port...]`)
    const host = match[2]!.replace(/^\[(.*)\]$/, '$1')
    return { name: (match[1] ?? 'PLAINTEXT').toUpperCase(), host: host === '' ? '127.0.0.1' : host, port }
  })
  if (listeners.length === 0) throw new BrokerConfigError(`invalid value "${raw}" for ${key}: no listener`)
  const names = new Set<string>()
  for (const listener of listeners) {
    if (names.has(listener.name)) throw new BrokerConfigError(`invalid value "${raw}" for ${key}: listener name ${listener.name} appears twice`)
    names.add(listener.name)
  }
  return listeners
}

export function parseProtocolMap (raw: string): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>()
  for (const entry of raw.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const [name, protocol] = entry.split(':').map((part) => part.trim().toUpperCase())
    if (name === undefined || name === '' || !PROTOCOLS.includes(protocol as SecurityProtocol)) {
      throw new BrokerConfigError(`invalid value "${raw}" for listener.security.protocol.map: expected NAME:PROTOCOL pairs with PROTOCOL one of ${PROTOCOLS.join(', ')}`)
    }
    map.set(name, protocol as SecurityProtocol)
  }
  return map
}

/** Every listener with its security protocol; throws BrokerConfigError on an inconsistent configuration. */
export function resolveListeners (config: BrokerConfig): ListenerSpec[] {
  const addresses = config.listeners.length === 0
    ? [{ name: 'PLAINTEXT', host: config.host, port: config.port }]
    : config.listeners.map((listener, index) => index === 0 ? { ...listener, host: config.host, port: config.port } : listener)
  const protocols = parseProtocolMap(config.listenerSecurityProtocolMap)
  const advertised = new Map((config.advertisedListeners === '' ? [] : parseListenerList(config.advertisedListeners, 'advertised.listeners')).map((entry) => [entry.name, entry]))
  const ports = new Set<number>()
  const specs = addresses.map((address): ListenerSpec => {
    const securityProtocol = protocols.get(address.name)
    if (securityProtocol === undefined) throw new BrokerConfigError(`listener ${address.name} has no security protocol: add ${address.name}:<protocol> to listener.security.protocol.map`)
    if (address.port !== 0 && ports.has(address.port)) throw new BrokerConfigError(`listeners: port ${address.port} is used by two listeners`)
    ports.add(address.port)
    const entry = advertised.get(address.name)
    return { ...address, securityProtocol, advertised: entry === undefined ? undefined : { host: entry.host, port: entry.port } }
  })
  for (const name of advertised.keys()) {
    if (!specs.some((spec) => spec.name === name)) throw new BrokerConfigError(`advertised.listeners names ${name}, which is not in listeners`)
  }
  return specs
}
