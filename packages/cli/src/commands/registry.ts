import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { consoleLogger, hashPassword, startRegistry, UserStore, type CorsOptions } from '@samsa/registry'

const HELP = `usage: samsa registry --bootstrap <host:port>[,...] [options]
       samsa registry hash-password        (reads a password on stdin, prints its scrypt hash for the users file)

  --bootstrap <list>      Kafka bootstrap servers (required)
  --port <n>              HTTP port (default 8081; 0 = any free port)
  --host <address>        HTTP address (default 127.0.0.1)
  --topic <name>          storage topic (default _schemas)
  --users <file>          users file for basic auth with roles ADMIN, DEVELOPER, READONLY (see docs/registry.md)
  --cors-origins <list>   comma-separated allowed origins ('*' = any); CORS is off without it
  --cors-methods <list>   allowed methods (default GET,POST,PUT,DELETE,OPTIONS,HEAD)
  --max-body-bytes <n>    largest accepted request body (default 16777216)
  --forward-writes-to <url>  this instance is a follower: forward writes to the writer's URL
  --read-only             this instance is a follower that rejects writes (error 50004)`

/** Runs a schema registry against a Kafka cluster until SIGTERM/SIGINT. */
export async function runRegistry (argv: string[]): Promise<number | undefined> {
  if (argv[0] === 'hash-password') {
    const password = readFileSync(0, 'utf8').replace(/\r?\n$/, '')
    process.stdout.write(hashPassword(password) + '\n')
    return 0
  }
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        bootstrap: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        topic: { type: 'string' },
        users: { type: 'string' },
        'cors-origins': { type: 'string' },
        'cors-methods': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'forward-writes-to': { type: 'string' },
        'read-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }).values
  } catch (error) {
    process.stderr.write(`samsa registry: ${(error as Error).message}\n`)
    return 2
  }
  if (values.help === true) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (values.bootstrap === undefined) {
    process.stderr.write(`samsa registry: --bootstrap is required\n${HELP}\n`)
    return 2
  }
  const port = values.port === undefined ? 8081 : Number(values.port)
  const maxBodyBytes = values['max-body-bytes'] === undefined ? undefined : Number(values['max-body-bytes'])
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (maxBodyBytes !== undefined && !(maxBodyBytes > 0))) {
    process.stderr.write('samsa registry: --port and --max-body-bytes must be numbers\n')
    return 2
  }
  const logger = consoleLogger()
  let users: UserStore | undefined
  try {
    if (values.users !== undefined) users = UserStore.fromFile(values.users)
  } catch (error) {
    process.stderr.write(`samsa registry: cannot read users file ${values.users}: ${(error as Error).message}\n`)
    return 2
  }
  const split = (text: string | undefined): string[] | undefined => text?.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const cors: CorsOptions | undefined = values['cors-origins'] === undefined ? undefined : { origins: split(values['cors-origins']) ?? [], methods: split(values['cors-methods']) }
  let running
  try {
    running = await startRegistry({
      bootstrap: values.bootstrap,
      port,
      host: values.host,
      topic: values.topic,
      users,
      cors,
      maxBodyBytes,
      forwardWritesTo: values['forward-writes-to'],
      readOnlyFollower: values['read-only'],
      logger
    })
  } catch (error) {
    process.stderr.write(`samsa registry: cannot start: ${(error as Error).message}\n`)
    return 1
  }
  process.stdout.write(`samsa registry listening on ${running.url.replace('http://', '')} (storage ${values.topic ?? '_schemas'} on ${values.bootstrap})\n`)
  const shutdown = (signal: string): void => {
    logger.info(`received ${signal}, stopping`)
    running.close().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`samsa registry: error while stopping: ${(error as Error).message}\n`)
      process.exit(1)
    })
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
  return undefined
}
