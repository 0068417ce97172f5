import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { BrokerConfigError } from './errors.js'

/**
 * Broker configuration with Kafka's key names. Sources, later ones winning: built-in defaults, a
 * server.properties-style file, SAMSA_* environment variables (SAMSA_NUM_PARTITIONS → num.partitions), then
 * explicit overrides (CLI flags). Unknown keys produce a warning; invalid values refuse to start.
 */
export interface BrokerConfig {
  host: string
  port: number
  advertisedHost: string
  advertisedPort: number
  dataDir: string
  nodeId: number
  numPartitions: number
  defaultReplicationFactor: number
  minInsyncReplicas: number
  autoCreateTopicsEnable: boolean
  messageMaxBytes: number
  socketRequestMaxBytes: number
  logSegmentBytes: number
  logRollMs: number
  logIndexIntervalBytes: number
  logFlushIntervalMessages: number
  logFlushIntervalMs: number
  logRetentionMs: number
  logRetentionBytes: number
  logRetentionCheckIntervalMs: number
  compressionType: string
}

type Parser = (raw: string, key: string) => unknown
interface KeySpec { field: keyof BrokerConfig, parse: Parser, enforced: boolean, doc: string }

const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Parser => (raw, key) => {
  const value = Number(raw.trim())
  if (!Number.isInteger(value) || value < min || value > max) throw new BrokerConfigError(`invalid value "${raw}" for ${key}: expected an integer in [${min}, ${max}]`)
  return value
}
const boolean: Parser = (raw, key) => {
  const value = raw.trim().toLowerCase()
  if (value === 'true') return true
  if (value === 'false') return false
  throw new BrokerConfigError(`invalid value "${raw}" for ${key}: expected true or false`)
}
const text: Parser = (raw) => raw.trim()
const oneOf = (...allowed: string[]): Parser => (raw, key) => {
  const value = raw.trim()
  if (!allowed.includes(value)) throw new BrokerConfigError(`invalid value "${raw}" for ${key}: expected one of ${allowed.join(', ')}`)
  return value
}
const hoursToMs: Parser = (raw, key) => (integer(-1)(raw, key) as number) * 3_600_000
const LONG_MAX = Number.MAX_SAFE_INTEGER

export const CONFIG_KEYS: Readonly<Record<string, KeySpec>> = {
  host: { field: 'host', parse: text, enforced: true, doc: 'Address the listener binds to.' },
  port: { field: 'port', parse: integer(0, 65535), enforced: true, doc: 'TCP port of the listener (0 = any free port).' },
  'advertised.host': { field: 'advertisedHost', parse: text, enforced: true, doc: 'Host returned to clients in Metadata (defaults to host).' },
  'advertised.port': { field: 'advertisedPort', parse: integer(0, 65535), enforced: true, doc: 'Port returned to clients in Metadata (defaults to the bound port).' },
  'log.dirs': { field: 'dataDir', parse: text, enforced: true, doc: 'Data directory (one directory).' },
  'log.dir': { field: 'dataDir', parse: text, enforced: true, doc: 'Alias of log.dirs.' },
  'node.id': { field: 'nodeId', parse: integer(0, 2 ** 31 - 1), enforced: true, doc: 'Broker id reported in Metadata.' },
  'broker.id': { field: 'nodeId', parse: integer(0, 2 ** 31 - 1), enforced: true, doc: 'Alias of node.id.' },
  'num.partitions': { field: 'numPartitions', parse: integer(1, 100_000), enforced: true, doc: 'Partitions of auto-created topics.' },
  'default.replication.factor': { field: 'defaultReplicationFactor', parse: integer(1, 32767), enforced: false, doc: 'Recorded; a single node keeps one copy.' },
  'min.insync.replicas': { field: 'minInsyncReplicas', parse: integer(1, 32767), enforced: false, doc: 'Recorded; a single node keeps one copy.' },
  'auto.create.topics.enable': { field: 'autoCreateTopicsEnable', parse: boolean, enforced: true, doc: 'Create unknown topics on Metadata/Produce.' },
  'message.max.bytes': { field: 'messageMaxBytes', parse: integer(0, 2 ** 31 - 1), enforced: true, doc: 'Largest record batch accepted (MESSAGE_TOO_LARGE above).' },
  'socket.request.max.bytes': { field: 'socketRequestMaxBytes', parse: integer(1, 2 ** 31 - 1), enforced: true, doc: 'Largest request frame; larger frames close the connection.' },
  'log.segment.bytes': { field: 'logSegmentBytes', parse: integer(14, 2 ** 31 - 1), enforced: true, doc: 'Segment size before a roll.' },
  'log.roll.ms': { field: 'logRollMs', parse: integer(1), enforced: true, doc: 'Segment age before a roll.' },
  'log.roll.hours': { field: 'logRollMs', parse: hoursToMs, enforced: true, doc: 'Segment age before a roll, in hours.' },
  'log.index.interval.bytes': { field: 'logIndexIntervalBytes', parse: integer(0), enforced: true, doc: 'Bytes between sparse index entries.' },
  'log.flush.interval.messages': { field: 'logFlushIntervalMessages', parse: integer(1), enforced: true, doc: 'fsync after this many messages even without acks=all.' },
  'log.flush.interval.ms': { field: 'logFlushIntervalMs', parse: integer(0), enforced: true, doc: 'fsync at least this often (0 = only on demand).' },
  'log.retention.ms': { field: 'logRetentionMs', parse: integer(-1), enforced: false, doc: 'Retention time (enforcement: topic administration issue).' },
  'log.retention.hours': { field: 'logRetentionMs', parse: hoursToMs, enforced: false, doc: 'Retention time in hours.' },
  'log.retention.bytes': { field: 'logRetentionBytes', parse: integer(-1), enforced: false, doc: 'Retention size per partition.' },
  'log.retention.check.interval.ms': { field: 'logRetentionCheckIntervalMs', parse: integer(1), enforced: false, doc: 'How often retention runs.' },
  'compression.type': { field: 'compressionType', parse: oneOf('producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'), enforced: false, doc: 'Broker-side recompression (only "producer" today).' }
}

/** Kafka keys accepted for compatibility that have no meaning in a single Node.js process. */
export const ACCEPTED_NOT_APPLICABLE = new Set(['num.network.threads', 'num.io.threads', 'num.replica.fetchers', 'zookeeper.connect', 'process.roles', 'controller.quorum.voters', 'controller.listener.names', 'inter.broker.listener.name', 'listener.security.protocol.map'])

export const DEFAULT_CONFIG: Readonly<BrokerConfig> = {
  host: '127.0.0.1',
  port: 9092,
  advertisedHost: '',
  advertisedPort: 0,
  dataDir: './data',
  nodeId: 1,
  numPartitions: 1,
  defaultReplicationFactor: 1,
  minInsyncReplicas: 1,
  autoCreateTopicsEnable: true,
  messageMaxBytes: 1048588,
  socketRequestMaxBytes: 104857600,
  logSegmentBytes: 1073741824,
  logRollMs: 7 * 24 * 3_600_000,
  logIndexIntervalBytes: 4096,
  logFlushIntervalMessages: LONG_MAX,
  logFlushIntervalMs: 0,
  logRetentionMs: 7 * 24 * 3_600_000,
  logRetentionBytes: -1,
  logRetentionCheckIntervalMs: 300_000,
  compressionType: 'producer'
}

export interface LoadOptions {
  file?: string
  env?: NodeJS.ProcessEnv
  overrides?: Record<string, string>
  warn?: (message: string) => void
}

/** Parses "key=value" lines; '#' and '!' start comments, as in Java properties files. */
export function parseProperties (text: string): Record<string, string> {
  const result: Record<string, string> = {}
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    const separator = line.search(/[=:]/)
    if (separator <= 0) throw new BrokerConfigError(`malformed config line "${line}": expected key=value`)
    result[line.slice(0, separator).trim()] = line.slice(separator + 1).trim()
  }
  return result
}

export function loadConfig (options: LoadOptions = {}): BrokerConfig {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`WARN ${message}\n`))
  const config: BrokerConfig = { ...DEFAULT_CONFIG }
  const apply = (entries: Record<string, string>, source: string): void => {
    for (const [key, raw] of Object.entries(entries)) {
      if (key === 'listeners') {
        applyListeners(config, raw)
        continue
      }
      const spec = CONFIG_KEYS[key]
      if (spec === undefined) {
        warn(`${source}: unknown config key "${key}" ignored`)
        continue
      }
      (config as unknown as Record<string, unknown>)[spec.field] = spec.parse(raw, key)
    }
  }
  if (options.file !== undefined) {
    let text: string
    try {
      text = readFileSync(options.file, 'utf8')
    } catch (error) {
      throw new BrokerConfigError(`cannot read config file ${options.file}: ${(error as Error).message}`)
    }
    const entries = parseProperties(text)
    for (const key of Object.keys(entries)) {
      if (ACCEPTED_NOT_APPLICABLE.has(key)) {
        warn(`${options.file}: "${key}" is accepted but has no effect on a single-process broker`)
        delete entries[key]
      }
    }
    apply(entries, options.file)
  }
  const fromEnv: Record<string, string> = {}
  const byEnvName = new Map(Object.keys(CONFIG_KEYS).map((key) => ['SAMSA_' + key.toUpperCase().replaceAll('.', '_'), key]))
  for (const [name, value] of Object.entries(options.env ?? process.env)) {
    const key = byEnvName.get(name)
    if (key !== undefined && value !== undefined) fromEnv[key] = value
  }
  apply(fromEnv, 'environment')
  apply(options.overrides ?? {}, 'command line')
  config.dataDir = resolve(config.dataDir)
  return config
}

function applyListeners (config: BrokerConfig, raw: string): void {
  const match = /^(?:PLAINTEXT:\/\/)?([^:,]*):(\d+)$/.exec(raw.trim())
  if (match === null) throw new BrokerConfigError(`invalid value "${raw}" for listeners: expected PLAINTEXT://host:port (one listener)`)
  config.host = match[1] === '' ? '127.0.0.1' : match[1]!
  config.port = integer(0, 65535)(match[2]!, 'listeners') as number
}
