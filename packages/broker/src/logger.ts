/**
 * A one-line-per-event logger on stderr. Levels come from SAMSA_LOG_LEVEL (error, warn, info, debug; default info).
 * Kept tiny on purpose: the broker logs rare events (start, stop, rejected input), never per record.
 */
const LEVELS = { error: 0, warn: 1, info: 2, debug: 3 } as const
export type LogLevel = keyof typeof LEVELS

export interface Logger {
  error: (message: string) => void
  warn: (message: string) => void
  info: (message: string) => void
  debug: (message: string) => void
}

export function createLogger (level: LogLevel = (process.env.SAMSA_LOG_LEVEL as LogLevel | undefined) ?? 'info', sink: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const threshold = LEVELS[level] ?? LEVELS.info
  const emit = (name: LogLevel) => (message: string) => {
    if (LEVELS[name] <= threshold) sink(`${new Date().toISOString()} ${name.toUpperCase().padEnd(5)} ${message}`)
  }
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') }
}

export const silentLogger: Logger = { error () {}, warn () {}, info () {}, debug () {} }
