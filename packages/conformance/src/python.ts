import { join } from 'node:path'
import { pythonDir } from './paths.js'
import { run } from './tools.js'

/**
 * Runs one of the drivers in packages/conformance/python with a JSON request on stdin and returns its JSON answer.
 * A driver that fails (exception, non-zero exit) makes this throw with the driver's stderr, so a test sees why.
 */
export async function runDriver<T = any> (python: string, script: string, request: object, options: { env?: Record<string, string>, timeoutMs?: number } = {}): Promise<T> {
  const result = await run(python, [join(pythonDir, script)], { input: JSON.stringify(request), env: options.env, timeoutMs: options.timeoutMs ?? 60_000 })
  const stdout = result.stdout.toString('utf8').trim()
  if (result.code !== 0 || stdout === '') {
    throw new Error(`${script} ${(request as { op?: string }).op ?? ''} exited with ${result.code ?? result.signal}\nstderr: ${result.stderr.slice(-4000)}\nstdout: ${stdout.slice(0, 2000)}`)
  }
  const lastLine = stdout.slice(stdout.lastIndexOf('\n') + 1)
  return JSON.parse(lastLine) as T
}
