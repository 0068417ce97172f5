/** The registry logs through this small interface; the CLI passes one that writes lines to stderr. */
export interface Logger {
  info: (message: string) => void
  warn: (message: string) => void
  error: (message: string) => void
}

export const silentLogger: Logger = { info () {}, warn () {}, error () {} }

export function consoleLogger (prefix = 'samsa registry'): Logger {
  const line = (level: string, message: string): void => { process.stderr.write(`${new Date().toISOString()} ${level} ${prefix}: ${message}\n`) }
  return { info: (m) => line('INFO', m), warn: (m) => line('WARN', m), error: (m) => line('ERROR', m) }
}
