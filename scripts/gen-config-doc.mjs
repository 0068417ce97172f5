#!/usr/bin/env node
// Regenerates docs/configuration.md from the broker's config table (packages/broker/src/config.ts).
// Run after `tsc -b`: node scripts/gen-config-doc.mjs
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
const root = resolve(import.meta.dirname, '..')
const { CONFIG_KEYS, DEFAULT_CONFIG, ACCEPTED_NOT_APPLICABLE } = await import(resolve(root, 'packages/broker/dist/src/config.js'))

const rows = Object.entries(CONFIG_KEYS).map(([key, spec]) => {
  const value = DEFAULT_CONFIG[spec.field]
  const shown = value === Number.MAX_SAFE_INTEGER ? '(unbounded)' : value === '' ? '(same as host/port)' : String(value)
  const env = 'SAMSA_' + key.toUpperCase().replaceAll('.', '_')
  return `| \`${key}\` | \`${shown}\` | ${spec.enforced ? 'yes' : 'recorded, not enforced yet'} | \`${env}\` | ${spec.doc} |`
})
const text = `# Configuration reference

The broker reads Kafka's key names from, in increasing precedence: built-in defaults, a \`server.properties\`-style
file (\`samsa broker --config file\`), \`SAMSA_*\` environment variables (key upper-cased, dots as underscores), and
command-line flags (\`--port\`, \`--host\`, \`--data-dir\`, \`--num-partitions\`, \`--set key=value\`).

An unknown key is a warning that names it; an invalid value stops the broker before it starts with a one-line
message such as \`samsa broker: invalid value "abc" for num.partitions: expected an integer in [1, 100000]\` (exit 2).
\`listeners=PLAINTEXT://host:port\` (one listener) sets host and port.

Generated from \`packages/broker/src/config.ts\` by \`node scripts/gen-config-doc.mjs\`.

| Key | Default | Enforced | Environment | Meaning |
|---|---|---|---|---|
${rows.join('\n')}

Accepted for compatibility, no effect in a single process (a warning says so): ${[...ACCEPTED_NOT_APPLICABLE].map((k) => `\`${k}\``).join(', ')}.

Other environment variables: \`SAMSA_LOG_LEVEL\` (\`error\`, \`warn\`, \`info\` (default), \`debug\`).
`
writeFileSync(resolve(root, 'docs/configuration.md'), text)
console.log('wrote docs/configuration.md')
