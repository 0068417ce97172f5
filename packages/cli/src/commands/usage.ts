/** A usage error of `samsa <command>`: one line on stderr naming the command's help, exit code 2. */
export function usageError (command: string, message: string): number {
  process.stderr.write(`samsa ${command}: ${message} (see samsa ${command} --help)\n`)
  return 2
}
