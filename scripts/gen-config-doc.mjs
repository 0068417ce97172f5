#!/usr/bin/env node
// Regenerates docs/configuration.md from the broker's config table (packages/broker/src/config.ts).
// Run after `tsc -b`: node scripts/gen-config-doc.mjs
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
const root = resolve(import.meta.dirname, '..')
const { CONFIG_KEYS, DEFAULT_CONFIG, ACCEPTED_NOT_APPLICABLE, kafkaDefaultOf } = await import(resolve(root, 'packages/broker/dist/src/config.js'))
const { TOPIC_CONFIGS, TOPIC_CONFIG_NAMES } = await import(resolve(root, 'packages/broker/dist/src/topics/topic-configs.js'))

const rows = Object.entries(CONFIG_KEYS).map(([key, spec]) => {
  const value = kafkaDefaultOf(key)
  const empty = key.startsWith('advertised.') ? '(same as host/port)' : '(empty)'
  const shown = value === null ? '(none)' : value === '9223372036854775807' ? '(unbounded)' : value === '' ? empty : value
  const env = 'SAMSA_' + key.toUpperCase().replaceAll('.', '_')
  return `| \`${key}\` | \`${shown}\` | ${spec.enforced ? 'yes' : 'recorded, not enforced'} | \`${env}\` | ${spec.doc} |`
})
const topicRows = TOPIC_CONFIG_NAMES.map((key) => {
  const spec = TOPIC_CONFIGS[key]
  const value = spec.fromBroker(DEFAULT_CONFIG)
  const shown = value === '9223372036854775807' ? '(unbounded)' : value === '' ? '(empty)' : value
  const synonyms = spec.synonyms.length === 0 ? '—' : spec.synonyms.map((name) => CONFIG_KEYS[name] !== undefined ? `\`${name}\`` : `${name} (Kafka only)`).join(', ')
  return `| \`${key}\` | ${spec.kind} | \`${shown}\` | ${synonyms} | ${spec.enforcement} | ${spec.doc} |`
})
const text = `# Configuration reference

The broker reads Kafka's key names from, in increasing precedence: built-in defaults, a \`server.properties\`-style
file (\`samsa broker --config file\`), \`SAMSA_*\` environment variables (key upper-cased, dots as underscores), and
command-line flags (\`--port\`, \`--host\`, \`--data-dir\`, \`--num-partitions\`, \`--set key=value\`).

An unknown key is a warning that names it; an invalid value stops the broker before it starts with a one-line
message such as \`samsa broker: invalid value "abc" for num.partitions: expected an integer in [1, 100000]\` (exit 2).
\`listeners=NAME://host:port,...\` declares the listeners (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL; see
docs/security.md); the first one also sets host and port, which \`--host\`/\`--port\` override.

Generated from \`packages/broker/src/config.ts\` by \`node scripts/gen-config-doc.mjs\`.

| Key | Default | Enforced | Environment | Meaning |
|---|---|---|---|---|
${rows.join('\n')}

Accepted for compatibility, no effect in a single process (a warning says so): ${[...ACCEPTED_NOT_APPLICABLE].map((k) => `\`${k}\``).join(', ')}.

Other environment variables: \`SAMSA_LOG_LEVEL\` (\`error\`, \`warn\`, \`info\` (default), \`debug\`).

## Topic configs

Set per topic with CreateTopics, AlterConfigs (replaces a topic's whole override set) or IncrementalAlterConfigs
(SET / DELETE / APPEND / SUBTRACT; APPEND and SUBTRACT only on list keys), read with DescribeConfigs. A topic stores
only its overrides (in \`topics.json\`); every other key takes its value from the broker key in the "Broker synonyms"
column, as in Kafka. DescribeConfigs reports the source of each value: \`TOPIC_CONFIG\` for an override,
\`STATIC_BROKER_CONFIG\` when the broker key was set (file, environment or flag), else \`DEFAULT_CONFIG\`. An unknown
key or an invalid value is \`INVALID_CONFIG\` with Kafka's message, which names the key; a request that fails for a
topic changes nothing of that topic. Changes apply to the topic's open partition logs at once.

"enforced": samsa acts on it. "recorded": accepted, validated, stored and reported, without effect.
"not applicable": Kafka features a single node has no use for (replication throttling, tiered storage).

| Key | Type | Default | Broker synonyms | samsa | Meaning |
|---|---|---|---|---|---|
${topicRows.join('\n')}

### Replication on a single node

A single node holds one copy of each partition. By default (\`replication.strict=false\`) topics asking for a
replication factor above one (the reference designs ask for 3 with \`min.insync.replicas=2\`) are created anyway:
the requested factor is recorded in \`topics.json\` and echoed by CreateTopics, Metadata reports one replica (this
node) in the replica and ISR lists, and a warning is logged once, when the topic is created. \`acks=all\` answers
after the data is fsynced. With \`replication.strict=true\` the broker behaves like a one-broker Kafka cluster:
CreateTopics with a replication factor above one (or -1 with \`default.replication.factor\` above one) fails with
\`INVALID_REPLICATION_FACTOR\`, auto-creation is refused in that case, and an \`acks=all\` produce to a topic whose
\`min.insync.replicas\` exceeds one fails with \`NOT_ENOUGH_REPLICAS\`.

### Broker-side compression

\`compression.type=producer\` stores batches exactly as the client sent them. Any codec name (\`gzip\`, \`snappy\`,
\`lz4\`, \`zstd\`, or \`uncompressed\`) makes the broker rebuild batches that use another codec with the topic's
codec, keeping offsets, timestamps, keys, values, headers and the producer id/epoch/sequence — the one case where
the produce path decodes records, so it costs CPU per produced byte; batches already in the topic's codec are kept
as sent. The rebuilt batch must fit \`max.message.bytes\`.
`
writeFileSync(resolve(root, 'docs/configuration.md'), text)
console.log('wrote docs/configuration.md')
