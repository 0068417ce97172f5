import type { Logger } from './services.js'

export interface Disconnectable { disconnectAll: () => Promise<void> }

export interface ShutdownOptions {
  signals?: NodeJS.Signals[]
  /** Give up waiting after this long (default 30 000 ms) and exit with code 1. */
  timeoutMs?: number
  /** Call process.exit when done (default true). */
  exit?: boolean
  logger?: Pick<Logger, 'info' | 'error'>
  /** Runs after the clients are closed (flush logs, close servers…). */
  onShutdown?: () => Promise<void> | void
}

/**
 * On SIGTERM/SIGINT: disconnectAll() — consumers stop fetching, finish running handlers, commit and leave
 * their group; producers flush and close — then exit. A second signal exits at once. Returns an uninstaller.
 */
export function installShutdownHandlers (clients: Disconnectable | Disconnectable[], options: ShutdownOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT']
  const list = Array.isArray(clients) ? clients : [clients]
  let shuttingDown = false
  const handler = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      process.exit(130)
    }
    shuttingDown = true
    options.logger?.info(`${signal}: shutting down Kafka clients`)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`shutdown took longer than ${options.timeoutMs ?? 30_000} ms`)), options.timeoutMs ?? 30_000)
    })
    Promise.race([Promise.all(list.map(async (client) => await client.disconnectAll())), timeout])
      .then(async () => { await options.onShutdown?.() })
      .then(() => 0, (error: unknown) => {
        options.logger?.error('shutdown failed', error)
        return 1
      })
      .then((code) => {
        clearTimeout(timer)
        if (options.exit !== false) process.exit(code)
      })
  }
  for (const signal of signals) process.on(signal, handler)
  return () => { for (const signal of signals) process.off(signal, handler) }
}
