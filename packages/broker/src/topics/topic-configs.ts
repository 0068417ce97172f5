import { ErrorCode } from '@samsa/protocol'
import type { BrokerConfig, ConfigKind } from '../config.js'
import { ApiError } from './api-error.js'
import {
  ConfigValueError, LONG_MAX_TEXT, boolean, double, fromNumber, int, javaDouble, kafkaVersion, listOf, long, oneOf, replicaList, splitList, toNumber,
  type Normalizer
} from './config-values.js'

/**
 * Every topic-level config Kafka reports in DescribeConfigs for a topic: its type, validation (Kafka's rules and
 * messages), its broker-level synonyms (the keys Kafka takes the default from, most specific first), and whether
 * samsa enforces it. A topic stores only its overrides (normalized strings, in topics.json); the effective value of
 * any other key comes from the broker config, as in Kafka.
 */
export type Enforcement = 'enforced' | 'recorded' | 'not applicable'

export interface TopicConfigSpec {
  kind: ConfigKind
  normalize: Normalizer
  /** Broker keys Kafka lists as synonyms, most specific first (log.retention.ms, .minutes, .hours). */
  synonyms: string[]
  /** The value when the topic has no override. */
  fromBroker: (config: BrokerConfig) => string
  enforcement: Enforcement
  doc: string
}

const fixed = (value: string) => (): string => value
const gzipLevel: Normalizer = (raw, key) => {
  const value = int(-1, 9)(raw, key)
  if (value === '0') throw new ConfigValueError(`Invalid value ${raw} for configuration ${key}: Value must be -1 or in the range [1, 9]`)
  return value
}

const entry = (kind: ConfigKind, normalize: Normalizer, synonyms: string[], fromBroker: (config: BrokerConfig) => string, enforcement: Enforcement, doc: string): TopicConfigSpec =>
  ({ kind, normalize, synonyms, fromBroker, enforcement, doc })

export const TOPIC_CONFIGS: Readonly<Record<string, TopicConfigSpec>> = {
  'cleanup.policy': entry('list', listOf(['compact', 'delete']), ['log.cleanup.policy'], (c) => c.logCleanupPolicy, 'enforced',
    'delete: segments older than retention.ms or beyond retention.bytes are deleted; compact: only the latest record per key is kept; both may be given.'),
  'compression.gzip.level': entry('int', gzipLevel, ['compression.gzip.level'], fixed('-1'), 'recorded', 'gzip level when the broker recompresses (samsa uses zlib\'s default).'),
  'compression.lz4.level': entry('int', int(1, 17), ['compression.lz4.level'], fixed('9'), 'recorded', 'lz4 level when the broker recompresses (samsa uses the codec default).'),
  'compression.type': entry('string', oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'), ['compression.type'], (c) => c.compressionType, 'enforced',
    'producer keeps the batch as the client compressed it; a codec name (or uncompressed) makes the broker recompress batches that use another codec.'),
  'compression.zstd.level': entry('int', int(-131072, 22), ['compression.zstd.level'], fixed('3'), 'recorded', 'zstd level when the broker recompresses (samsa uses 3).'),
  'delete.retention.ms': entry('long', long(0), ['log.cleaner.delete.retention.ms'], (c) => fromNumber(c.logCleanerDeleteRetentionMs), 'enforced',
    'How long compaction keeps tombstones (null-value records) so consumers see the delete.'),
  'file.delete.delay.ms': entry('long', long(0), ['log.segment.delete.delay.ms'], (c) => fromNumber(c.logSegmentDeleteDelayMs), 'enforced', 'Delay before the files of a segment removed by retention or compaction are unlinked.'),
  'flush.messages': entry('long', long(1), ['log.flush.interval.messages'], (c) => fromNumber(c.logFlushIntervalMessages), 'enforced', 'fsync after this many messages (acks=all always waits for fsync).'),
  'flush.ms': entry('long', long(0), ['log.flush.interval.ms'], (c) => c.logFlushIntervalMs === 0 ? LONG_MAX_TEXT : fromNumber(c.logFlushIntervalMs), 'enforced',
    'fsync at least this often (Long.MAX = only on demand).'),
  'follower.replication.throttled.replicas': entry('list', replicaList, ['follower.replication.throttled.replicas'], fixed(''), 'not applicable', 'Replication throttling: no followers on a single node.'),
  'index.interval.bytes': entry('int', int(0), ['log.index.interval.bytes'], (c) => String(c.logIndexIntervalBytes), 'enforced', 'Bytes of log between two sparse offset-index entries.'),
  'leader.replication.throttled.replicas': entry('list', replicaList, ['leader.replication.throttled.replicas'], fixed(''), 'not applicable', 'Replication throttling: no followers on a single node.'),
  'local.retention.bytes': entry('long', long(-2), ['log.local.retention.bytes'], fixed('-2'), 'not applicable', 'Tiered storage: not supported.'),
  'local.retention.ms': entry('long', long(-2), ['log.local.retention.ms'], fixed('-2'), 'not applicable', 'Tiered storage: not supported.'),
  'max.compaction.lag.ms': entry('long', long(1), ['log.cleaner.max.compaction.lag.ms'], (c) => fromNumber(c.logCleanerMaxCompactionLagMs), 'enforced',
    'Longest time a record may stay uncompacted.'),
  'max.message.bytes': entry('int', int(0), ['message.max.bytes'], (c) => String(c.messageMaxBytes), 'enforced',
    'Largest record batch (after broker recompression) a produce may append; larger ones fail with MESSAGE_TOO_LARGE.'),
  'message.downconversion.enable': entry('boolean', boolean, ['log.message.downconversion.enable'], fixed('true'), 'not applicable', 'samsa serves Fetch v4+ only and never down-converts.'),
  'message.format.version': entry('string', kafkaVersion, ['log.message.format.version'], fixed('3.0-IV1'), 'not applicable', 'Deprecated in Kafka; batches are always RecordBatch v2.'),
  'message.timestamp.after.max.ms': entry('long', long(0), ['log.message.timestamp.after.max.ms'], (c) => fromNumber(c.logMessageTimestampAfterMaxMs), 'enforced',
    'CreateTime batches whose largest timestamp is further ahead of the broker clock fail with INVALID_TIMESTAMP (checked on batch headers).'),
  'message.timestamp.before.max.ms': entry('long', long(0), ['log.message.timestamp.before.max.ms'], (c) => fromNumber(c.logMessageTimestampBeforeMaxMs), 'enforced',
    'CreateTime batches whose first timestamp is further behind the broker clock fail with INVALID_TIMESTAMP (checked on batch headers).'),
  'message.timestamp.difference.max.ms': entry('long', long(0), ['log.message.timestamp.difference.max.ms'], fixed(LONG_MAX_TEXT), 'recorded', 'Deprecated in Kafka; use message.timestamp.before/after.max.ms.'),
  'message.timestamp.type': entry('string', oneOf('CreateTime', 'LogAppendTime'), ['log.message.timestamp.type'], (c) => c.logMessageTimestampType, 'enforced',
    'LogAppendTime: the broker stamps every batch with its clock and reports it in the produce reply.'),
  'min.cleanable.dirty.ratio': entry('double', double(0, 1), ['log.cleaner.min.cleanable.ratio'], (c) => javaDouble(c.logCleanerMinCleanableRatio), 'enforced',
    'Compaction starts when the uncompacted share of the log reaches this ratio.'),
  'min.compaction.lag.ms': entry('long', long(0), ['log.cleaner.min.compaction.lag.ms'], (c) => fromNumber(c.logCleanerMinCompactionLagMs), 'enforced',
    'Records younger than this are never compacted.'),
  'min.insync.replicas': entry('int', int(1), ['min.insync.replicas'], (c) => String(c.minInsyncReplicas), 'enforced',
    'Recorded; a single node is one in-sync replica. With replication.strict=true, acks=all produces fail with NOT_ENOUGH_REPLICAS when this exceeds 1.'),
  preallocate: entry('boolean', boolean, ['log.preallocate'], (c) => String(c.logPreallocate), 'recorded', 'Preallocate segment files.'),
  'remote.storage.enable': entry('boolean', boolean, [], fixed('false'), 'not applicable', 'Tiered storage: not supported; true is rejected.'),
  'retention.bytes': entry('long', long(-9223372036854775808n), ['log.retention.bytes'], (c) => fromNumber(c.logRetentionBytes), 'enforced',
    'Partition size above which the oldest whole segments are deleted (negative = unbounded).'),
  'retention.ms': entry('long', long(-1), ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'], (c) => fromNumber(c.logRetentionMs), 'enforced',
    'Age after which whole segments are deleted (-1 = forever).'),
  'segment.bytes': entry('int', int(14), ['log.segment.bytes'], (c) => String(c.logSegmentBytes), 'enforced', 'Segment size before a roll.'),
  'segment.index.bytes': entry('int', int(4), ['log.index.size.max.bytes'], (c) => String(c.logIndexSizeMaxBytes), 'recorded', 'Offset index size; samsa\'s indexes grow as needed.'),
  'segment.jitter.ms': entry('long', long(0), ['log.roll.jitter.ms', 'log.roll.jitter.hours'], (c) => fromNumber(c.logRollJitterMs), 'enforced', 'Each segment rolls up to this much earlier than segment.ms (random), spreading rolls.'),
  'segment.ms': entry('long', long(1), ['log.roll.ms', 'log.roll.hours'], (c) => fromNumber(c.logRollMs), 'enforced', 'Segment age before a roll.'),
  'unclean.leader.election.enable': entry('boolean', boolean, ['unclean.leader.election.enable'], (c) => String(c.uncleanLeaderElectionEnable), 'not applicable', 'A single node has no leader election.')
}

export const TOPIC_CONFIG_NAMES: readonly string[] = Object.keys(TOPIC_CONFIGS).sort()

/** Validates and normalizes one override; ApiError(INVALID_CONFIG) names the key. */
export function normalizeTopicConfig (name: string, value: string | null): string {
  const spec = TOPIC_CONFIGS[name]
  if (spec === undefined) throw new ApiError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${name}`)
  if (value === null) throw new ApiError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic config: ${name}`)
  try {
    return spec.normalize(value, name)
  } catch (error) {
    if (error instanceof ConfigValueError) throw new ApiError(ErrorCode.INVALID_CONFIG, error.message)
    throw error
  }
}

/** Normalizes a whole override set (later duplicates win, as in Kafka) and checks rules across keys. */
export function normalizeTopicConfigs (entries: Iterable<{ name: string, value: string | null }>, config: BrokerConfig): Record<string, string> {
  const overrides: Record<string, string> = {}
  for (const { name, value } of entries) overrides[name] = normalizeTopicConfig(name, value)
  checkTopicConfigs(overrides, config)
  return overrides
}

/** Rules across keys, on the effective values (overrides over broker defaults), with Kafka's messages. */
export function checkTopicConfigs (overrides: Record<string, string>, config: BrokerConfig): void {
  if (overrides['remote.storage.enable'] === 'true') {
    throw new ApiError(ErrorCode.INVALID_CONFIG, 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage (remote.storage.enable).')
  }
  const settings = effectiveTopicConfig(overrides, config)
  if (settings.minCompactionLagMs > settings.maxCompactionLagMs) {
    throw new ApiError(ErrorCode.INVALID_CONFIG, `conflict topic config setting min.compaction.lag.ms (${settings.minCompactionLagMs}) > max.compaction.lag.ms (${settings.maxCompactionLagMs})`)
  }
}

/** The value of `name` for a topic with these overrides: the override, else the broker-derived default. */
export function topicConfigValue (name: string, overrides: Readonly<Record<string, string>>, config: BrokerConfig): string {
  return overrides[name] ?? TOPIC_CONFIGS[name]!.fromBroker(config)
}

export type CompressionSetting = 'producer' | 'uncompressed' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

/** Typed effective topic configuration; longs that mean "unbounded" are Number.MAX_SAFE_INTEGER. */
export interface TopicSettings {
  cleanupPolicy: { delete: boolean, compact: boolean }
  compressionType: CompressionSetting
  deleteRetentionMs: number
  fileDeleteDelayMs: number
  flushMessages: number
  flushMs: number
  indexIntervalBytes: number
  maxCompactionLagMs: number
  maxMessageBytes: number
  messageTimestampType: 'CreateTime' | 'LogAppendTime'
  messageTimestampBeforeMaxMs: number
  messageTimestampAfterMaxMs: number
  minCleanableDirtyRatio: number
  minCompactionLagMs: number
  minInsyncReplicas: number
  preallocate: boolean
  retentionBytes: number
  retentionMs: number
  segmentBytes: number
  segmentIndexBytes: number
  segmentJitterMs: number
  segmentMs: number
}

export function effectiveTopicConfig (overrides: Readonly<Record<string, string>>, config: BrokerConfig): TopicSettings {
  const text = (name: string): string => topicConfigValue(name, overrides, config)
  const number = (name: string): number => toNumber(text(name))
  const policy = splitList(text('cleanup.policy'))
  return {
    cleanupPolicy: { delete: policy.includes('delete'), compact: policy.includes('compact') },
    compressionType: text('compression.type') as CompressionSetting,
    deleteRetentionMs: number('delete.retention.ms'),
    fileDeleteDelayMs: number('file.delete.delay.ms'),
    flushMessages: number('flush.messages'),
    flushMs: number('flush.ms'),
    indexIntervalBytes: number('index.interval.bytes'),
    maxCompactionLagMs: number('max.compaction.lag.ms'),
    maxMessageBytes: number('max.message.bytes'),
    messageTimestampType: text('message.timestamp.type') as TopicSettings['messageTimestampType'],
    messageTimestampBeforeMaxMs: number('message.timestamp.before.max.ms'),
    messageTimestampAfterMaxMs: number('message.timestamp.after.max.ms'),
    minCleanableDirtyRatio: Number(text('min.cleanable.dirty.ratio')),
    minCompactionLagMs: number('min.compaction.lag.ms'),
    minInsyncReplicas: number('min.insync.replicas'),
    preallocate: text('preallocate') === 'true',
    retentionBytes: number('retention.bytes'),
    retentionMs: number('retention.ms'),
    segmentBytes: number('segment.bytes'),
    segmentIndexBytes: number('segment.index.bytes'),
    segmentJitterMs: number('segment.jitter.ms'),
    segmentMs: number('segment.ms')
  }
}
