import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createDevCertificates } from '@samsa/broker'
import { usageError } from './usage.js'

const HELP = `usage: samsa certs --out <dir> [--host <name-or-ip>]... [--client <name>]... [--days <n>] [--reuse-ca]

Creates development certificates with the openssl command: a local CA, a broker certificate for the hosts
(default localhost and 127.0.0.1) and client certificates for mTLS (principal User:CN=<name>,OU=clients,O=samsa,
or map it with ssl.principal.mapping.rules). Not for production.

  --out <dir>      where to write ca.pem, broker.keystore.pem, client-<name>.pem/.key, ... (created if missing)
  --host <h>       a DNS name or IP address of the broker certificate (repeatable)
  --client <name>  a client certificate to issue (repeatable)
  --days <n>       validity in days (default 825)
  --reuse-ca       keep an existing ca.pem/ca.key in --out (to add clients later)`

export async function runCerts (argv: string[]): Promise<number> {
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        host: { type: 'string', multiple: true },
        client: { type: 'string', multiple: true },
        days: { type: 'string' },
        'reuse-ca': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }).values
  } catch (error) {
    return usage((error as Error).message)
  }
  if (values.help === true) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (values.out === undefined) {
    return usage('--out is required')
  }
  const days = values.days === undefined ? undefined : Number(values.days)
  if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
    return usage('--days must be a positive integer')
  }
  const dir = resolve(values.out)
  let files
  try {
    files = createDevCertificates({ dir, hosts: values.host, clients: values.client, days, reuseCa: values['reuse-ca'] })
  } catch (error) {
    process.stderr.write(`samsa certs: ${(error as Error).message}\n`)
    return 1
  }
  const lines = [
    `CA:                 ${files.ca}`,
    `broker keystore:    ${files.brokerKeystore} (key + certificate chain)`,
    ...Object.entries(files.clients).map(([name, client]) => `client ${name}:`.padEnd(20) + `${client.certificate}, ${client.key}`),
    '',
    'broker settings (server.properties or --set):',
    '  listeners=PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093,SASL_SSL://127.0.0.1:9094',
    `  ssl.keystore.location=${files.brokerKeystore}`,
    `  ssl.truststore.location=${files.ca}`,
    '  ssl.client.auth=required        # mTLS on SSL listeners; none or requested otherwise',
    '',
    'client settings (librdkafka / kcat):',
    `  security.protocol=ssl  ssl.ca.location=${files.ca}`,
    ...Object.values(files.clients).slice(0, 1).map((client) => `  ssl.certificate.location=${client.certificate}  ssl.key.location=${client.key}`)
  ]
  process.stdout.write(lines.join('\n') + '\n')
  return 0
}

const usage = (message: string): number => usageError('certs', message)
