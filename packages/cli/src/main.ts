// Commands are imported when run: each pulls in its own dependency tree, and start-up time matters for the broker.

const USAGE = `usage: samsa <command> [options]

commands:
  broker    run a broker (Kafka wire protocol) on 127.0.0.1:9092 with data in ./data
  registry  run a schema registry (Confluent REST API) on 127.0.0.1:8081 against --bootstrap <brokers>
  certs     create a development CA with broker and client certificates (TLS, mTLS)
  users     add, list, remove SASL users (--data-dir of a broker, or --bootstrap)
  acls      add, list, remove ACLs on a running broker (kafka-acls flags)

run "samsa broker --help" for the broker's options`

/** Dispatches to a command; resolves to an exit code when the command has finished (undefined: keep running). */
export async function main (argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv
  switch (command) {
    case 'broker':
      return await (await import('./commands/broker.js')).runBroker(rest)
    case 'registry':
      return await (await import('./commands/registry.js')).runRegistry(rest)
    case 'certs': return await (await import('./commands/certs.js')).runCerts(rest)
    case 'users': return await (await import('./commands/users.js')).runUsers(rest)
    case 'acls': return await (await import('./commands/acls.js')).runAcls(rest)
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE + '\n')
      return 0
    default:
      process.stderr.write(`samsa: unknown command "${command}"\n${USAGE}\n`)
      return 2
  }
}


