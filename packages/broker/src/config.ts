import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { BrokerConfigError } from './errors.js'
import { DEFAULT_PROTOCOL_MAP, parseListenerList, type ListenerAddress } from './security/listeners.js'
import { validateSecurityConfig } from './security/config-check.js'

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
  deleteTopicEnable: boolean
  replicationStrict: boolean
  messageMaxBytes: number
  socketRequestMaxBytes: number
  connectionsMaxIdleMs: number
  maxConnections: number
  maxConnectionsPerIp: number
  /** "host-or-ip:count,..." (max.connections.per.ip.overrides), validated; see network/connection-limits.ts. */
  maxConnectionsPerIpOverrides: string
  fetchMaxBytes: number
  logSegmentBytes: number
  logRollMs: number
  logRollJitterMs: number
  logIndexIntervalBytes: number
  logIndexSizeMaxBytes: number
  logFlushIntervalMessages: number
  logFlushIntervalMs: number
  logJournalEnable: boolean
  logJournalFileBytes: number
  logRetentionMs: number
  logRetentionBytes: number
  logRetentionCheckIntervalMs: number
  logSegmentDeleteDelayMs: number
  logPreallocate: boolean
  logCleanupPolicy: string
  logCleanerDeleteRetentionMs: number
  logCleanerMinCompactionLagMs: number
  logCleanerMaxCompactionLagMs: number
  logCleanerMinCleanableRatio: number
  logMessageTimestampType: string
  logMessageTimestampBeforeMaxMs: number
  logMessageTimestampAfterMaxMs: number
  uncleanLeaderElectionEnable: boolean
  compressionType: string
  /** Consumer group coordinator (packages/broker/src/groups). */
  groupInitialRebalanceDelayMs: number
  groupMinSessionTimeoutMs: number
  groupMaxSessionTimeoutMs: number
  groupMaxSize: number
  offsetsRetentionMs: number
  offsetsRetentionCheckIntervalMs: number
  offsetMetadataMaxBytes: number
  /** KIP-848 consumer groups (ConsumerGroupHeartbeat; packages/broker/src/groups/consumer). */
  groupConsumerSessionTimeoutMs: number
  groupConsumerHeartbeatIntervalMs: number
  groupConsumerMaxSize: number
  /** Server-side assignor names, the first being the default. */
  groupConsumerAssignors: string
  /** Idempotent producers and transactions (packages/broker/src/producers, src/transactions). */
  transactionMaxTimeoutMs: number
  transactionalIdExpirationMs: number
  transactionAbortTimedOutTransactionCleanupIntervalMs: number
  transactionRemoveExpiredTransactionCleanupIntervalMs: number
  producerIdExpirationMs: number
  producerIdExpirationCheckIntervalMs: number
  /** Security (packages/broker/src/security, docs/security.md). Empty listeners = one PLAINTEXT listener on host:port. */
  listeners: ListenerAddress[]
  advertisedListeners: string
  listenerSecurityProtocolMap: string
  sslKeystoreType: string
  sslKeystoreLocation: string
  sslKeystorePassword: string
  sslKeyPassword: string
  sslTruststoreType: string
  sslTruststoreLocation: string
  sslClientAuth: string
  sslPrincipalMappingRules: string
  sslEnabledProtocols: string
  sslCipherSuites: string
  saslEnabledMechanisms: string
  saslServerMaxReceiveSize: number
  connectionsMaxReauthMs: number
  connectionFailedAuthenticationDelayMs: number
  authorizerClassName: string
  superUsers: string
  allowEveryoneIfNoAclFound: boolean
  auditLogFile: string
  auditLogTopic: string
  auditLogAuthorizations: string
  /**
   * Keys given explicitly (file, environment, flags) with their trimmed raw values: DescribeConfigs reports them
   * as STATIC_BROKER_CONFIG, every other key as DEFAULT_CONFIG.
   */
  staticKeys: Record<string, string>
}

type Parser = (raw: string, key: string) => unknown
/** Kafka's config type of a key, as DescribeConfigs v3+ reports it. */
export type ConfigKind = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password'
interface KeySpec {
  field: keyof BrokerConfig
  parse: Parser
  enforced: boolean
  doc: string
  kind: ConfigKind
  /** Kafka's default of this key as DescribeConfigs shows it, when it is not the field's default (null = none). */
  kafkaDefault?: string | null
}

const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Parser => (raw, key) => {
  const value = Number(raw.trim())
  if (!Number.isInteger(value) || value < min || value > max) throw new BrokerConfigError(`invalid value "${raw}" for ${key}: expected an integer in [${min}, ${max}]`)
  return value
}
/** A Java long: values beyond 2^53 (Kafka writes 9223372036854775807 for "unbounded") become MAX_SAFE_INTEGER. */
const long = (min: number): Parser => (raw, key) => {
  const text = raw.trim()
  if (!/^[+-]?\d+$/.test(text) || BigInt(text) < BigInt(min) || BigInt(text) > 9223372036854775807n) {
    throw new BrokerConfigError(`invalid value "${raw}" for ${key}: expected an integer in [${min}, 9223372036854775807]`)
  }
  return Math.min(Number(text), Number.MAX_SAFE_INTEGER)
}
const ratio: Parser = (raw, key) => {
  const value = Number(raw.trim())
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) throw new BrokerConfigError(`invalid value "${raw}" for ${key}: expected a number in [0, 1]`)
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
/** A comma-separated list whose items come from `allowed`; normalized to "a,b" (Kafka's list form). */
const listOf = (...allowed: string[]): Parser => (raw, key) => {
  const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '')
  const wrong = items.find((item) => !allowed.includes(item))
  if (wrong !== undefined || items.length === 0) throw new BrokerConfigError(`invalid value "${raw}" for ${key}: expected a comma-separated list of ${allowed.join(', ')}`)
  return [...new Set(items)].join(',')
}
const scaled = (factor: number): Parser => (raw, key) => {
  const value = integer(-1)(raw, key) as number
  return value < 0 ? value : value * factor
}
/** group.consumer.assignors: short names or Kafka's class names, normalized to short names ("uniform,range"). */
const consumerAssignors: Parser = (raw, key) => {
  const byClass: Record<string, string> = { 'org.apache.kafka.coordinator.group.assignor.UniformAssignor': 'uniform', 'org.apache.kafka.coordinator.group.assignor.RangeAssignor': 'range' }
  const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '').map((item) => byClass[item] ?? item)
  if (items.length === 0 || items.some((item) => item !== 'uniform' && item !== 'range')) throw new BrokerConfigError(`invalid value "${raw}" for ${key}: expected a comma-separated list of uniform, range`)
  return [...new Set(items)].join(',')
}
/** max.connections.per.ip.overrides: "host-or-ip:count" items, normalized to "a:1,b:2" (see connection-limits.ts). */
const connectionOverrides: Parser = (raw, key) => {
  const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '')
  for (const item of items) {
    const at = item.lastIndexOf(':')
    const count = item.slice(at + 1)
    if (at <= 0 || !/^[0-9]+$/.test(count) || Number(count) > 2 ** 31 - 1) {
      throw new BrokerConfigError(`invalid value "${raw}" for ${key}: expected a comma-separated list of host-or-ip:count, e.g. 127.0.0.1:200`)
    }
  }
  return items.join(',')
}
const LONG_MAX = Number.MAX_SAFE_INTEGER
const HOUR = 3_600_000

const spec = (field: keyof BrokerConfig, kind: ConfigKind, parse: Parser, enforced: boolean, doc: string, kafkaDefault?: string | null): KeySpec =>
  kafkaDefault === undefined ? { field, kind, parse, enforced, doc } : { field, kind, parse, enforced, doc, kafkaDefault }

export const CONFIG_KEYS: Readonly<Record<string, KeySpec>> = {
  host: spec('host', 'string', text, true, 'Address the listener binds to.'),
  port: spec('port', 'int', integer(0, 65535), true, 'TCP port of the listener (0 = any free port).'),
  'advertised.host': spec('advertisedHost', 'string', text, true, 'Host returned to clients in Metadata (defaults to host).'),
  'advertised.port': spec('advertisedPort', 'int', integer(0, 65535), true, 'Port returned to clients in Metadata (defaults to the bound port).'),
  'log.dirs': spec('dataDir', 'string', text, true, 'Data directory (one directory).', null),
  'log.dir': spec('dataDir', 'string', text, true, 'Alias of log.dirs.'),
  'node.id': spec('nodeId', 'int', integer(0, 2 ** 31 - 1), true, 'Broker id reported in Metadata.'),
  'broker.id': spec('nodeId', 'int', integer(0, 2 ** 31 - 1), true, 'Alias of node.id.'),
  'num.partitions': spec('numPartitions', 'int', integer(1, 100_000), true, 'Partitions of auto-created topics and of CreateTopics with numPartitions -1.'),
  'default.replication.factor': spec('defaultReplicationFactor', 'int', integer(1, 32767), true, 'Replication factor of CreateTopics with replicationFactor -1 and of auto-created topics. Recorded; a single node keeps one copy (see replication.strict).'),
  'min.insync.replicas': spec('minInsyncReplicas', 'int', integer(1, 32767), true, 'Default of the topic config min.insync.replicas. Recorded; with replication.strict=true an acks=all produce to a topic whose value exceeds 1 fails with NOT_ENOUGH_REPLICAS, as in Kafka.'),
  'replication.strict': spec('replicationStrict', 'boolean', boolean, true, 'samsa only. false (default): topics asking for replication factor > 1 are accepted, the value recorded, one replica reported, a warning logged once per topic. true: such topics are rejected with INVALID_REPLICATION_FACTOR, and min.insync.replicas > 1 fails acks=all produces, as a one-broker Kafka cluster does.'),
  'auto.create.topics.enable': spec('autoCreateTopicsEnable', 'boolean', boolean, true, 'Create unknown topics on Metadata/Produce.'),
  'delete.topic.enable': spec('deleteTopicEnable', 'boolean', boolean, true, 'false makes DeleteTopics fail with TOPIC_DELETION_DISABLED.'),
  'message.max.bytes': spec('messageMaxBytes', 'int', integer(0, 2 ** 31 - 1), true, 'Default of the topic config max.message.bytes: largest record batch accepted (MESSAGE_TOO_LARGE above).'),
  'socket.request.max.bytes': spec('socketRequestMaxBytes', 'int', integer(1, 2 ** 31 - 1), true, 'Largest request frame; larger frames close the connection.'),
  'connections.max.idle.ms': spec('connectionsMaxIdleMs', 'long', long(1), true, 'A connection with no request in progress and no bytes read or written for this long is closed (clients reconnect when they next need it); this also ends connections that send part of a request and stop.'),
  'max.connections': spec('maxConnections', 'int', integer(0, 2 ** 31 - 1), true, 'Most connections open at once across all listeners; a connection beyond it is closed as soon as it is accepted (Kafka holds it unaccepted instead).'),
  'max.connections.per.ip': spec('maxConnectionsPerIp', 'int', integer(0, 2 ** 31 - 1), true, 'Most connections open at once from one IP address; a connection beyond it is closed as soon as it is accepted. 0 is allowed when max.connections.per.ip.overrides names the addresses that may connect.'),
  'max.connections.per.ip.overrides': spec('maxConnectionsPerIpOverrides', 'string', connectionOverrides, true, 'Per address (IP or host name) exceptions to max.connections.per.ip, e.g. "127.0.0.1:200,build-host:10".', ''),
  'fetch.max.bytes': spec('fetchMaxBytes', 'int', integer(1024, 2 ** 31 - 1), true, 'Most record bytes in one Fetch response, below the request\'s own maxBytes (the first batch still goes whatever its size). samsa\'s default is 1 MiB where Kafka\'s is 55 MiB: a client decodes a response only once all of it has arrived and sends its next fetch after that, so smaller responses overlap its decoding with the broker\'s reads (kcat reading 1 M records, medians of 11 interleaved reads: 1 MiB 446–465 ms, 2 MiB 467–491 ms, 4 MiB 530 ms; the in-memory mock 459–528 ms; docs/benchmarks.md). Raise it for consumers far away (long round trip).'),
  'log.segment.bytes': spec('logSegmentBytes', 'int', integer(14, 2 ** 31 - 1), true, 'Default of segment.bytes: segment size before a roll.'),
  'log.roll.ms': spec('logRollMs', 'long', long(1), true, 'Default of segment.ms: segment age before a roll.', null),
  'log.roll.hours': spec('logRollMs', 'int', scaled(HOUR), true, 'Segment age before a roll, in hours (log.roll.ms wins when both are set).', '168'),
  'log.roll.jitter.ms': spec('logRollJitterMs', 'long', long(0), true, 'Default of segment.jitter.ms: segments roll up to this much earlier than segment.ms (random).', null),
  'log.roll.jitter.hours': spec('logRollJitterMs', 'int', scaled(HOUR), true, 'log.roll.jitter.ms in hours.', '0'),
  'log.index.interval.bytes': spec('logIndexIntervalBytes', 'int', integer(0), true, 'Default of index.interval.bytes: bytes between sparse index entries.'),
  'log.index.size.max.bytes': spec('logIndexSizeMaxBytes', 'int', integer(4), false, 'Default of segment.index.bytes. Recorded; samsa\'s indexes grow as needed.'),
  'log.flush.interval.messages': spec('logFlushIntervalMessages', 'long', long(1), true, 'Default of flush.messages: fsync after this many messages even without acks=all.', '9223372036854775807'),
  'log.flush.interval.ms': spec('logFlushIntervalMs', 'long', long(0), true, 'Default of flush.ms: fsync at least this often (0 = only on demand, Kafka\'s "never").', null),
  'log.journal.enable': spec('logJournalEnable', 'boolean', boolean, true, 'samsa only. true (default): appends are also written to one write-ahead journal (`<data dir>/__log_journal/`), so acks=all waits for one synchronous journal write per group-commit round for all partitions; segments are fsynced lazily (roll, idle, close, journal file retirement) and the journal is replayed at start-up. false: acks=all fsyncs each partition\'s segment (journal files left by an earlier run are still replayed at start-up, then removed).'),
  'log.journal.file.bytes': spec('logJournalFileBytes', 'int', integer(1024 * 1024, 2 ** 31 - 1), true, 'samsa only. Size of a journal file before the next one starts; a full file is retired (reused, or deleted) once every partition that wrote to it has its segments fsynced; bounds what a replay after a crash reads. The journal keeps about six such files under sustained load (active, two waiting for retirement, three spares).'),
  'log.retention.ms': spec('logRetentionMs', 'long', long(-1), true, 'Default of retention.ms: age after which whole segments are deleted (-1 = forever).', null),
  'log.retention.minutes': spec('logRetentionMs', 'int', scaled(60_000), true, 'Retention time in minutes.', null),
  'log.retention.hours': spec('logRetentionMs', 'int', scaled(HOUR), true, 'Retention time in hours (log.retention.ms / .minutes win when set).', '168'),
  'log.retention.bytes': spec('logRetentionBytes', 'long', long(-1), true, 'Default of retention.bytes: partition size above which the oldest segments are deleted (-1 = unbounded).'),
  'log.retention.check.interval.ms': spec('logRetentionCheckIntervalMs', 'long', long(1), true, 'How often retention and compaction run in the background.'),
  'log.segment.delete.delay.ms': spec('logSegmentDeleteDelayMs', 'long', long(0), true, 'Default of file.delete.delay.ms: removed segments are unlinked this much later.'),
  'log.preallocate': spec('logPreallocate', 'boolean', boolean, false, 'Default of preallocate. Recorded, not applied.'),
  'log.cleanup.policy': spec('logCleanupPolicy', 'list', listOf('compact', 'delete'), true, 'Default of cleanup.policy: delete, compact, or compact,delete.'),
  'log.cleaner.delete.retention.ms': spec('logCleanerDeleteRetentionMs', 'long', long(0), true, 'Default of delete.retention.ms: how long compaction keeps tombstones.'),
  'log.cleaner.min.compaction.lag.ms': spec('logCleanerMinCompactionLagMs', 'long', long(0), true, 'Default of min.compaction.lag.ms.'),
  'log.cleaner.max.compaction.lag.ms': spec('logCleanerMaxCompactionLagMs', 'long', long(1), true, 'Default of max.compaction.lag.ms.', '9223372036854775807'),
  'log.cleaner.min.cleanable.ratio': spec('logCleanerMinCleanableRatio', 'double', ratio, true, 'Default of min.cleanable.dirty.ratio.'),
  'log.message.timestamp.type': spec('logMessageTimestampType', 'string', oneOf('CreateTime', 'LogAppendTime'), true, 'Default of message.timestamp.type (LogAppendTime: the broker stamps each batch).'),
  'log.message.timestamp.before.max.ms': spec('logMessageTimestampBeforeMaxMs', 'long', long(0), true, 'Default of message.timestamp.before.max.ms.', '9223372036854775807'),
  'log.message.timestamp.after.max.ms': spec('logMessageTimestampAfterMaxMs', 'long', long(0), true, 'Default of message.timestamp.after.max.ms.', '9223372036854775807'),
  'unclean.leader.election.enable': spec('uncleanLeaderElectionEnable', 'boolean', boolean, false, 'Accepted; a single node has no election.'),
  'compression.type': spec('compressionType', 'string', oneOf('producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'), true, 'Default of the topic config compression.type: producer keeps the client\'s codec, a codec name makes the broker recompress.'),
  'group.initial.rebalance.delay.ms': spec('groupInitialRebalanceDelayMs', 'int', integer(0, 2 ** 31 - 1), true, 'How long the first rebalance of an empty group waits for more members (extended while members keep arriving, up to the rebalance timeout).'),
  'group.min.session.timeout.ms': spec('groupMinSessionTimeoutMs', 'int', integer(0, 2 ** 31 - 1), true, 'Smallest session timeout a JoinGroup may ask for (INVALID_SESSION_TIMEOUT below).'),
  'group.max.session.timeout.ms': spec('groupMaxSessionTimeoutMs', 'int', integer(0, 2 ** 31 - 1), true, 'Largest session timeout a JoinGroup may ask for (INVALID_SESSION_TIMEOUT above).'),
  'group.max.size': spec('groupMaxSize', 'int', integer(1, 2 ** 31 - 1), true, 'Most members of one classic group (GROUP_MAX_SIZE_REACHED beyond).'),
  'offsets.retention.minutes': spec('offsetsRetentionMs', 'int', scaled(60_000), true, 'Committed offsets of a group without members expire this long after it became empty (standalone commits: after their commit).', '10080'),
  'offsets.retention.check.interval.ms': spec('offsetsRetentionCheckIntervalMs', 'long', long(1), true, 'How often expired committed offsets are removed.'),
  'offset.metadata.max.bytes': spec('offsetMetadataMaxBytes', 'int', integer(0, 2 ** 31 - 1), true, 'Largest metadata string of a committed offset (OFFSET_METADATA_TOO_LARGE above).'),
  'group.consumer.session.timeout.ms': spec('groupConsumerSessionTimeoutMs', 'int', integer(1, 2 ** 31 - 1), true, 'Consumer-protocol groups (KIP-848): a member that sends no ConsumerGroupHeartbeat for this long is removed.'),
  'group.consumer.heartbeat.interval.ms': spec('groupConsumerHeartbeatIntervalMs', 'int', integer(1, 2 ** 31 - 1), true, 'Consumer-protocol groups: the heartbeat interval the broker tells members to use.'),
  'group.consumer.max.size': spec('groupConsumerMaxSize', 'int', integer(1, 2 ** 31 - 1), true, 'Most members of one consumer-protocol group (GROUP_MAX_SIZE_REACHED beyond).'),
  'group.consumer.assignors': spec('groupConsumerAssignors', 'list', consumerAssignors, true, 'Server-side assignors of consumer-protocol groups, the first being the default: uniform, range (Kafka\'s class names are accepted too).', 'org.apache.kafka.coordinator.group.assignor.UniformAssignor,org.apache.kafka.coordinator.group.assignor.RangeAssignor'),
  'transaction.max.timeout.ms': spec('transactionMaxTimeoutMs', 'int', integer(1, 2 ** 31 - 1), true, 'Largest transaction.timeout.ms a producer may ask for (INVALID_TRANSACTION_TIMEOUT above).'),
  'transactional.id.expiration.ms': spec('transactionalIdExpirationMs', 'int', integer(1, 2 ** 31 - 1), true, 'An idle transactional id (no open transaction) is forgotten after this.'),
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': spec('transactionAbortTimedOutTransactionCleanupIntervalMs', 'int', integer(1, 2 ** 31 - 1), true, 'How often transactions older than their timeout are aborted.'),
  'transaction.remove.expired.transaction.cleanup.interval.ms': spec('transactionRemoveExpiredTransactionCleanupIntervalMs', 'int', integer(1, 2 ** 31 - 1), true, 'How often expired transactional ids are removed.'),
  'producer.id.expiration.ms': spec('producerIdExpirationMs', 'int', integer(1, 2 ** 31 - 1), true, 'Idle idempotent producers without an open transaction are forgotten after this.'),
  'producer.id.expiration.check.interval.ms': spec('producerIdExpirationCheckIntervalMs', 'int', integer(1, 2 ** 31 - 1), true, 'How often expired producer ids are removed.'),
  ...securityKeys()
}

/** Security keys (docs/security.md); a function so the helpers above are initialized when it runs. */
function securityKeys (): Record<string, KeySpec> {
  return {
    'advertised.listeners': spec('advertisedListeners', 'string', text, true, 'Addresses returned to clients per listener name, e.g. SASL_SSL://broker.example:9094 (defaults to the bound address; advertised.host/port apply to the first listener).', null),
    'listener.security.protocol.map': spec('listenerSecurityProtocolMap', 'string', text, true, 'Security protocol of each listener name: NAME:PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL pairs.'),
    'ssl.keystore.type': spec('sslKeystoreType', 'string', oneOf('PEM', 'PKCS12'), true, 'Format of ssl.keystore.location: PEM (private key + certificate chain in one file) or PKCS12.'),
    'ssl.keystore.location': spec('sslKeystoreLocation', 'string', text, true, 'Key and certificate chain of the SSL/SASL_SSL listeners.', null),
    'ssl.keystore.password': spec('sslKeystorePassword', 'password', text, true, 'Password of a PKCS12 keystore.', null),
    'ssl.key.password': spec('sslKeyPassword', 'password', text, true, 'Password of an encrypted PEM private key.', null),
    'ssl.truststore.type': spec('sslTruststoreType', 'string', oneOf('PEM'), true, 'Format of ssl.truststore.location (PEM).'),
    'ssl.truststore.location': spec('sslTruststoreLocation', 'string', text, true, 'PEM file of the CA certificates that client certificates must chain to (mTLS).', null),
    'ssl.client.auth': spec('sslClientAuth', 'string', oneOf('none', 'requested', 'required'), true, 'Client certificates on SSL listeners: none, requested (verified when presented) or required (mTLS).'),
    'ssl.principal.mapping.rules': spec('sslPrincipalMappingRules', 'string', text, true, 'Rules that turn a client certificate subject (RFC 2253 DN) into a principal name: RULE:pattern/replacement/[LU],...,DEFAULT.'),
    'ssl.enabled.protocols': spec('sslEnabledProtocols', 'list', listOf('TLSv1.2', 'TLSv1.3'), true, 'TLS versions accepted.'),
    'ssl.cipher.suites': spec('sslCipherSuites', 'list', text, true, 'OpenSSL cipher list for TLS 1.2 (empty = Node defaults).', null),
    'sasl.enabled.mechanisms': spec('saslEnabledMechanisms', 'list', listOf('PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'), true, 'SASL mechanisms offered on SASL listeners (Kafka defaults to GSSAPI, which samsa does not offer).'),
    'sasl.server.max.receive.size': spec('saslServerMaxReceiveSize', 'int', integer(1, 2 ** 31 - 1), true, 'Largest frame accepted before SASL authentication completes.'),
    'connections.max.reauth.ms': spec('connectionsMaxReauthMs', 'long', long(0), true, 'SASL session lifetime (KIP-368): clients re-authenticate within it, connections of clients that cannot are closed at expiry (0 = unlimited).'),
    'connection.failed.authentication.delay.ms': spec('connectionFailedAuthenticationDelayMs', 'int', integer(0, 2 ** 31 - 1), true, 'Delay before a failed authentication is answered and the connection closed.'),
    'authorizer.class.name': spec('authorizerClassName', 'class', text, true, 'kafka.security.authorizer.AclAuthorizer (or StandardAuthorizer, or "acl") turns ACL authorization on; empty = everything allowed.', null),
    'super.users': spec('superUsers', 'list', text, true, 'Principals that bypass ACLs, separated by ";" (User:admin;User:ops).', null),
    'allow.everyone.if.no.acl.found': spec('allowEveryoneIfNoAclFound', 'boolean', boolean, true, 'With an authorizer: allow access to resources that have no ACL at all.'),
    'audit.log.file': spec('auditLogFile', 'string', text, true, 'samsa only. JSON-lines audit log of authentications, authorization decisions and ACL/user changes (empty = off).', null),
    'audit.log.topic': spec('auditLogTopic', 'string', text, true, 'samsa only. Also append audit events to this topic (created with one partition; empty = off).', null),
    'audit.log.authorizations': spec('auditLogAuthorizations', 'string', oneOf('none', 'denied', 'sensitive', 'all'), true, 'samsa only. Authorization decisions to audit: none, denied, sensitive (denials plus allowed admin operations; default) or all.')
  }
}

/** Kafka keys accepted for compatibility that have no meaning in a single Node.js process. */
export const ACCEPTED_NOT_APPLICABLE = new Set(['num.network.threads', 'num.io.threads', 'num.replica.fetchers', 'zookeeper.connect', 'process.roles', 'controller.quorum.voters', 'controller.listener.names', 'inter.broker.listener.name'])

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
  deleteTopicEnable: true,
  replicationStrict: false,
  messageMaxBytes: 1048588,
  socketRequestMaxBytes: 104857600,
  connectionsMaxIdleMs: 600_000,
  maxConnections: 2 ** 31 - 1,
  maxConnectionsPerIp: 2 ** 31 - 1,
  maxConnectionsPerIpOverrides: '',
  fetchMaxBytes: 1024 * 1024,
  logSegmentBytes: 1073741824,
  logRollMs: 7 * 24 * HOUR,
  logRollJitterMs: 0,
  logIndexIntervalBytes: 4096,
  logIndexSizeMaxBytes: 10485760,
  logFlushIntervalMessages: LONG_MAX,
  logFlushIntervalMs: 0,
  logJournalEnable: true,
  logJournalFileBytes: 64 * 1024 * 1024,
  logRetentionMs: 7 * 24 * HOUR,
  logRetentionBytes: -1,
  logRetentionCheckIntervalMs: 300_000,
  logSegmentDeleteDelayMs: 60_000,
  logPreallocate: false,
  logCleanupPolicy: 'delete',
  logCleanerDeleteRetentionMs: 24 * HOUR,
  logCleanerMinCompactionLagMs: 0,
  logCleanerMaxCompactionLagMs: LONG_MAX,
  logCleanerMinCleanableRatio: 0.5,
  logMessageTimestampType: 'CreateTime',
  logMessageTimestampBeforeMaxMs: LONG_MAX,
  logMessageTimestampAfterMaxMs: LONG_MAX,
  uncleanLeaderElectionEnable: false,
  compressionType: 'producer',
  groupInitialRebalanceDelayMs: 3000,
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupMaxSize: 2 ** 31 - 1,
  offsetsRetentionMs: 7 * 24 * HOUR,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
  groupConsumerSessionTimeoutMs: 45_000,
  groupConsumerHeartbeatIntervalMs: 5000,
  groupConsumerMaxSize: 2 ** 31 - 1,
  groupConsumerAssignors: 'uniform,range',
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
  transactionAbortTimedOutTransactionCleanupIntervalMs: 10_000,
  transactionRemoveExpiredTransactionCleanupIntervalMs: 3_600_000,
  producerIdExpirationMs: 86_400_000,
  producerIdExpirationCheckIntervalMs: 600_000,
  listeners: [],
  advertisedListeners: '',
  listenerSecurityProtocolMap: DEFAULT_PROTOCOL_MAP,
  sslKeystoreType: 'PEM',
  sslKeystoreLocation: '',
  sslKeystorePassword: '',
  sslKeyPassword: '',
  sslTruststoreType: 'PEM',
  sslTruststoreLocation: '',
  sslClientAuth: 'none',
  sslPrincipalMappingRules: 'DEFAULT',
  sslEnabledProtocols: 'TLSv1.2,TLSv1.3',
  sslCipherSuites: '',
  saslEnabledMechanisms: 'SCRAM-SHA-256,SCRAM-SHA-512',
  saslServerMaxReceiveSize: 524288,
  connectionsMaxReauthMs: 0,
  connectionFailedAuthenticationDelayMs: 100,
  authorizerClassName: '',
  superUsers: '',
  allowEveryoneIfNoAclFound: false,
  auditLogFile: '',
  auditLogTopic: '',
  auditLogAuthorizations: 'sensitive',
  staticKeys: {}
}

/**
 * Kafka's default of a broker key as a string (what DescribeConfigs shows when the key is not set), or null when
 * Kafka has none. Unbounded longs show as 9223372036854775807.
 */
export function kafkaDefaultOf (key: string): string | null {
  const keySpec = CONFIG_KEYS[key]
  if (keySpec === undefined) return null
  if (keySpec.kafkaDefault !== undefined) return keySpec.kafkaDefault
  return showValue(DEFAULT_CONFIG[keySpec.field])
}

/** A config value as Kafka prints it: longs at or beyond 2^53 - 1 are Long.MAX_VALUE. */
export function showValue (value: unknown): string {
  if (value === Number.MAX_SAFE_INTEGER) return '9223372036854775807'
  return String(value)
}

/** Keys where the more precise unit wins in Kafka regardless of order (log.retention.ms over .minutes over .hours). */
const PRECEDENCE: Record<string, string[]> = {
  'log.retention.hours': ['log.retention.ms', 'log.retention.minutes'],
  'log.retention.minutes': ['log.retention.ms'],
  'log.roll.hours': ['log.roll.ms'],
  'log.roll.jitter.hours': ['log.roll.jitter.ms']
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
  const config: BrokerConfig = { ...DEFAULT_CONFIG, staticKeys: {} }
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
      const value = spec.parse(raw, key)
      config.staticKeys[key] = raw.trim()
      if ((PRECEDENCE[key] ?? []).some((preferred) => config.staticKeys[preferred] !== undefined)) continue
      (config as unknown as Record<string, unknown>)[spec.field] = value
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
  if (config.auditLogFile !== '') config.auditLogFile = resolve(config.auditLogFile)
  validateSecurityConfig(config)
  return config
}

/** listeners=NAME://host:port,...: the first listener also sets host and port (which --host/--port override). */
function applyListeners (config: BrokerConfig, raw: string): void {
  config.listeners = parseListenerList(raw, 'listeners')
  config.host = config.listeners[0]!.host
  config.port = config.listeners[0]!.port
}
