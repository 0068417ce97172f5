import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { BrokerConfigError, CONFIG_KEYS, DEFAULT_CONFIG, loadConfig, parseProperties } from '../src/index.js'

test('defaults are the embedded broker defaults', () => {
  const config = loadConfig({ env: {} })
  assert.equal(config.host, '127.0.0.1')
  assert.equal(config.port, 9092)
  assert.equal(config.dataDir, resolve('./data'))
  assert.equal(config.autoCreateTopicsEnable, true)
  assert.equal(config.messageMaxBytes, 1048588)
})

test('file < environment < overrides, with Kafka key names', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-config-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'server.properties')
  writeFileSync(file, '# comment\nnum.partitions=3\nlog.retention.hours=1\nlisteners=PLAINTEXT://127.0.0.1:19092\nmessage.max.bytes = 5000\n')
  const config = loadConfig({ file, env: { SAMSA_NUM_PARTITIONS: '4', SAMSA_AUTO_CREATE_TOPICS_ENABLE: 'false' }, overrides: { 'message.max.bytes': '6000' } })
  assert.equal(config.numPartitions, 4)
  assert.equal(config.logRetentionMs, 3_600_000)
  assert.equal(config.port, 19092)
  assert.equal(config.autoCreateTopicsEnable, false)
  assert.equal(config.messageMaxBytes, 6000)
})

test('unknown keys warn and name the key; not-applicable keys are accepted with a warning', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-config-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'server.properties')
  writeFileSync(file, 'no.such.key=1\nnum.io.threads=8\n')
  const warnings: string[] = []
  loadConfig({ file, env: {}, warn: (message) => warnings.push(message) })
  assert.equal(warnings.length, 2)
  assert.match(warnings[0]!, /num\.io\.threads/)
  assert.match(warnings[1]!, /unknown config key "no\.such\.key"/)
})

test('invalid values refuse to start with a one-line message naming the key', () => {
  assert.throws(() => loadConfig({ env: {}, overrides: { 'num.partitions': 'abc' } }), (error: unknown) => {
    assert.ok(error instanceof BrokerConfigError)
    assert.equal(error.code, 'SAMSA_BROKER_CONFIG_INVALID')
    assert.equal(error.message, 'invalid value "abc" for num.partitions: expected an integer in [1, 100000]')
    return true
  })
  assert.throws(() => loadConfig({ env: {}, overrides: { 'auto.create.topics.enable': 'yes' } }), /auto\.create\.topics\.enable: expected true or false/)
  assert.throws(() => loadConfig({ env: { SAMSA_PORT: '70000' } }), /invalid value "70000" for port/)
  assert.throws(() => loadConfig({ env: {}, overrides: { 'fetch.max.bytes': '100' } }), /invalid value "100" for fetch.max.bytes: expected an integer in \[1024, /)
  assert.throws(() => loadConfig({ env: {}, file: '/nonexistent/server.properties' }), /cannot read config file/)
  assert.throws(() => parseProperties('just-a-word'), /malformed config line/)
})

test('docs/configuration.md documents every key', () => {
  const doc = readFileSync(resolve(import.meta.dirname, '../../../../docs/configuration.md'), 'utf8')
  for (const key of Object.keys(CONFIG_KEYS)) assert.ok(doc.includes(`\`${key}\``), `${key} is documented`)
  assert.ok(Object.keys(DEFAULT_CONFIG).length > 0)
})
