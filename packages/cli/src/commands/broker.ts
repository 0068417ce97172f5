import { parseArgs } from 'node:util'
import { Broker, BrokerConfigError, createLogger, loadConfig } from '@samsa/broker'
import type { RunningRegistry } from '@samsa/registry'

const HELP = `usage: samsa broker [options]

  --port <n>             listener port (default 9092; 0 = any free port)
  --host <address>       listener address (default 127.0.0.1)
  --data-dir <dir>       data directory (default ./data)
  --config <file>        server.properties-style file with Kafka key names
  --num-partitions <n>   partitions of auto-created topics (num.partitions)
  --set key=value        any broker config key (repeatable), e.g. --set message.max.bytes=2097152
  --registry-port <n>    also serve the schema registry on this port (npm start uses 8081), stored in _schemas

Environment: SAMSA_<KEY> with dots as underscores, e.g. SAMSA_NUM_PARTITIONS=3; SAMSA_LOG_LEVEL=debug.
Precedence: defaults < --config file < environment < flags.`

/** Starts a broker and keeps it running until SIGTERM/SIGINT. */
export async function runBroker (argv: string[]): Promise<number | undefined> {
  let values
  try {
    values = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
        'num-partitions': { type: 'string' },
        set: { type: 'string', multiple: true },
        'registry-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }).values
  } catch (error) {
    process.stderr.write(`samsa broker: ${(error as Error).message}\n`)
    return 2
  }
  if (values.help === true) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  const overrides: Record<string, string> = {}
  for (const entry of values.set ?? []) {
    const separator = entry.indexOf('=')
    if (separator <= 0) {
      process.stderr.write(`samsa broker: --set expects key=value, got "${entry}"\n`)
      return 2
    }
    overrides[entry.slice(0, separator)] = entry.slice(separator + 1)
  }
  if (values.port !== undefined) overrides.port = values.port
  if (values.host !== undefined) overrides.host = values.host
  if (values['data-dir'] !== undefined) overrides['log.dirs'] = values['data-dir']
  if (values['num-partitions'] !== undefined) overrides['num.partitions'] = values['num-partitions']

  const logger = createLogger()
  let broker: Broker
  try {
    const config = loadConfig({ file: values.config, overrides, warn: (message) => logger.warn(message) })
    broker = await Broker.start(config, { logger })
  } catch (error) {
    if (error instanceof BrokerConfigError) {
      process.stderr.write(`samsa broker: ${error.message}\n`)
      return 2
    }
    process.stderr.write(`samsa broker: cannot start: ${(error as Error).message}\n`)
    return 1
  }
  // Signal handlers go in before the ready line: whoever reads that line may signal at once.
  let registry: RunningRegistry | undefined
  const shutdown = (signal: string): void => {
    logger.info(`received ${signal}, stopping`)
    Promise.resolve(registry?.close()).then(() => broker.stop()).then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`samsa broker: error while stopping: ${(error as Error).message}\n`)
      process.exit(1)
    })
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
  const { host, port } = broker.address
  // Several listeners (docs/security.md): one line each before the ready line, which names the first.
  if (broker.listeners.length > 1) for (const listener of broker.listeners) process.stdout.write(`samsa listener ${listener.name} (${listener.securityProtocol}) on ${listener.host}:${listener.port}\n`)
  process.stdout.write(`samsa broker listening on ${host}:${port} (data in ${broker.context.config.dataDir})\n`)
  if (values['registry-port'] !== undefined) {
    const registryPort = Number(values['registry-port'])
    try {
      if (!Number.isInteger(registryPort) || registryPort < 0 || registryPort > 65535) throw new Error(`invalid --registry-port "${values['registry-port']}"`)
      // Loaded only when asked for: the registry's Kafka client costs ~0.5 s of start-up the bare broker doesn't need.
      // The embedded registry is the only writer for its broker, so it skips the writer election (and its delay).
      const { consoleLogger, startRegistry } = await import('@samsa/registry')
      registry = await startRegistry({ bootstrap: `${host}:${port}`, host, port: registryPort, logger: consoleLogger('registry'), election: 'none' })
    } catch (error) {
      process.stderr.write(`samsa broker: cannot start the schema registry: ${(error as Error).message}\n`)
      await broker.stop()
      return 1
    }
    process.stdout.write(`samsa registry listening on ${registry.url}\n`)
  }
  return undefined
}
