import { spawn, spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** Absolute path of an executable on PATH, or null. */
export function findExecutable (name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return null
}

export interface RunResult { code: number | null, signal: NodeJS.Signals | null, stdout: Buffer, stderr: string }
export interface RunOptions { input?: string | Buffer, env?: Record<string, string>, timeoutMs?: number }

/** Runs a command to completion (killed after timeoutMs), collecting stdout as bytes and stderr as text. */
export async function run (command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] })
  const stdout: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => { stderr += chunk })
  child.stdin.on('error', () => {}) // the tool may exit before reading all of its input
  child.stdin.end(options.input ?? '')
  const timeoutMs = options.timeoutMs ?? 30_000
  let timedOut = false
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, timeoutMs)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]))
  })
  clearTimeout(timer)
  if (timedOut) stderr += `\n[killed after ${timeoutMs} ms]`
  return { code, signal, stdout: Buffer.concat(stdout), stderr }
}

/** Like run(), but throws with the command's stderr unless it exited 0. */
export async function runOk (command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options)
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.code ?? result.signal}\nstderr: ${result.stderr}\nstdout: ${result.stdout.toString('utf8').slice(0, 4000)}`)
  }
  return result
}

const pythonCache = new Map<string, string | null>()

/**
 * A Python 3 interpreter that can import every module in `modules`. Debian's client packages install into the
 * system interpreter, which a version manager on PATH (pyenv, ...) may hide, so /usr/bin/python3 is tried after
 * SAMSA_PYTHON and before whatever `python3` is on PATH.
 */
export function findPython (modules: string[]): string | null {
  const key = modules.join(',')
  if (pythonCache.has(key)) return pythonCache.get(key)!
  const candidates = [process.env.SAMSA_PYTHON, '/usr/bin/python3', findExecutable('python3')]
  let found: string | null = null
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === null || candidate === '' || !existsSync(candidate)) continue
    const probe = spawnSync(candidate, ['-c', modules.map((name) => `import ${name}`).join('; ')], { stdio: 'ignore', timeout: 20_000 })
    if (probe.status === 0) {
      found = candidate
      break
    }
  }
  pythonCache.set(key, found)
  return found
}

/**
 * node:test skip option for a test group that needs an external tool: skipped (with the reason) only when the
 * tool is missing outside CI. In CI (CI=true) a missing tool is a setup failure, so the group runs and fails.
 */
export function skipUnlessInstalled (installed: boolean, what: string): string | false {
  if (installed) return false
  return process.env.CI === 'true' ? false : `${what} is not installed (in CI this fails instead of skipping)`
}
