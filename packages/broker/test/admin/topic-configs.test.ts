import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_CONFIG, loadConfig } from '../../src/index.js'
import { TOPIC_CONFIGS, effectiveTopicConfig, normalizeTopicConfig } from '../../src/topics/topic-configs.js'
import { javaDouble } from '../../src/topics/config-values.js'
import { logConfigFor } from '../../src/topics/topic-log-config.js'

test('every topic config default is a valid value of its own type', () => {
  for (const [name, spec] of Object.entries(TOPIC_CONFIGS)) {
    const value = spec.fromBroker(DEFAULT_CONFIG)
    assert.equal(normalizeTopicConfig(name, value), value, name)
  }
})

test('values are normalized the way Kafka prints them back', () => {
  assert.equal(normalizeTopicConfig('retention.ms', ' 0100 '), '100')
  assert.equal(normalizeTopicConfig('retention.ms', '9223372036854775807'), '9223372036854775807')
  assert.throws(() => normalizeTopicConfig('retention.ms', '9223372036854775808'), /Not a number of type LONG/)
  assert.throws(() => normalizeTopicConfig('retention.ms', '-2'), /Invalid value -2 for configuration retention\.ms: Value must be at least -1/)
  assert.equal(normalizeTopicConfig('retention.bytes', '-5'), '-5')
  assert.equal(normalizeTopicConfig('preallocate', 'TRUE'), 'true')
  assert.equal(normalizeTopicConfig('cleanup.policy', ' compact , delete '), 'compact,delete')
  assert.equal(normalizeTopicConfig('cleanup.policy', ''), '')
  assert.equal(normalizeTopicConfig('min.cleanable.dirty.ratio', '1'), '1.0')
  assert.equal(normalizeTopicConfig('min.cleanable.dirty.ratio', '.25'), '0.25')
  assert.throws(() => normalizeTopicConfig('max.message.bytes', '2147483648'), /Not a number of type INT/)
  assert.throws(() => normalizeTopicConfig('compression.type', 'LZ4'), /String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer/)
  assert.throws(() => normalizeTopicConfig('compression.gzip.level', '0'), /-1 or in the range \[1, 9\]/)
  assert.equal(normalizeTopicConfig('leader.replication.throttled.replicas', '0:1, 1:1'), '0:1,1:1')
  assert.equal(javaDouble(0.0001), '1.0E-4')
  assert.equal(javaDouble(12345678), '1.2345678E7')
  assert.equal(javaDouble(0), '0.0')
})

test('effective settings take overrides over broker keys, and map onto the log config', () => {
  const config = loadConfig({ env: {}, overrides: { 'log.retention.hours': '1', 'log.cleanup.policy': 'compact', 'log.flush.interval.ms': '250' } })
  const settings = effectiveTopicConfig({ 'segment.ms': '1000', 'retention.bytes': '4096' }, config)
  assert.equal(settings.retentionMs, 3_600_000)
  assert.deepEqual(settings.cleanupPolicy, { delete: false, compact: true })
  assert.equal(settings.segmentMs, 1000)
  assert.equal(settings.maxCompactionLagMs, Number.MAX_SAFE_INTEGER)
  const log = logConfigFor(settings)
  assert.deepEqual([log.segmentMs, log.retentionBytes, log.retentionMs, log.flushIntervalMs], [1000, 4096, 3_600_000, 250])
  assert.equal(logConfigFor(effectiveTopicConfig({}, DEFAULT_CONFIG)).flushIntervalMs, 0, 'Long.MAX flush.ms = only on demand')
  assert.equal(logConfigFor(effectiveTopicConfig({ 'flush.ms': '0' }, DEFAULT_CONFIG)).flushIntervalMs, 1)
})

test('broker retention keys: ms beats minutes beats hours, -1 hours is forever, Kafka longs are accepted', () => {
  assert.equal(loadConfig({ env: {}, overrides: { 'log.retention.ms': '5', 'log.retention.hours': '2' } }).logRetentionMs, 5)
  assert.equal(loadConfig({ env: {}, overrides: { 'log.retention.minutes': '2', 'log.retention.hours': '2' } }).logRetentionMs, 120_000)
  assert.equal(loadConfig({ env: {}, overrides: { 'log.retention.hours': '-1' } }).logRetentionMs, -1)
  assert.equal(loadConfig({ env: {}, overrides: { 'log.flush.interval.messages': '9223372036854775807' } }).logFlushIntervalMessages, Number.MAX_SAFE_INTEGER)
  assert.throws(() => loadConfig({ env: {}, overrides: { 'log.cleanup.policy': 'forever' } }), /log\.cleanup\.policy/)
  assert.throws(() => loadConfig({ env: {}, overrides: { 'log.cleaner.min.cleanable.ratio': '2' } }), /log\.cleaner\.min\.cleanable\.ratio/)
  assert.deepEqual(loadConfig({ env: {}, overrides: { 'num.partitions': ' 3 ' } }).staticKeys, { 'num.partitions': '3' })
})
