// Starting and stopping the two servers the benchmark compares: samsa and librdkafka's mock cluster.
// Both run as separate processes so the kcat clients talk to them over loopback TCP in the same way.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const running = new Set()

// A benchmark that dies half-way must not leave servers behind.
function killAllOnExit () {
  for (const child of running) child.kill('SIGKILL')
}
process.on('exit', killAllOnExit)
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => { killAllOnExit(); process.exit(130) })
}

/** Compiles bench/mock-cluster.c into buildDir unless the binary is newer than the source. */
export function buildMockCluster (root, buildDir) {
  const source = join(root, 'bench', 'mock-cluster.c')
  const binary = join(buildDir, 'mock-cluster')
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return binary
  mkdirSync(buildDir, { recursive: true })
  const cc = process.env.CC || 'cc'
  const result = spawnSync(cc, ['-O2', '-Wall', '-o', binary, source, '-lrdkafka'], { encoding: 'utf8' })
  if (result.status !== 0) {
    throw new Error(`compiling ${source} failed (is librdkafka-dev installed?):\n${result.stderr || result.error}`)
  }
  return binary
}

/** Asks the kernel for a free loopback port (there is a small race until the server binds it; fine for a bench). */
export function freePort () {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** CPU time (user + system, in clock ticks) a process has used so far, from /proc/<pid>/stat. */
export function cpuTicks (pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return Number(fields[11]) + Number(fields[12])
}

/** Reads a /proc/<pid>/status field in kB (VmRSS = now, VmHWM = peak), as bytes. */
export function memoryBytes (pid, field = 'VmRSS') {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}

/**
 * Spawns a server and resolves once a stdout line matches readyPattern; `startMs` is spawn → that line.
 * The pattern's first capture group is the "host:port" address clients should use.
 */
function startServer (label, command, args, { readyPattern, env, timeoutMs = 30_000, cleanup }) {
  const startedAt = process.hrtime.bigint()
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  running.add(child)
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000) })
  const lines = createInterface({ input: child.stdout })

  return new Promise((resolve, reject) => {
    const fail = (why) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      running.delete(child)
      cleanup?.()
      reject(new Error(`${label}: ${why}\n${stderr}`))
    }
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs)
    child.once('error', (error) => fail(`could not start ${command}: ${error.message}`))
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before printing its ready line`))
    lines.on('line', (line) => {
      const match = line.match(readyPattern)
      if (!match) return
      const startMs = Number(process.hrtime.bigint() - startedAt) / 1e6
      clearTimeout(timer)
      child.removeAllListeners('exit')
      lines.removeAllListeners('line')
      child.stdout.resume() // keep draining so a chatty server never blocks on a full pipe
      resolve({ label, child, pid: child.pid, address: match[1], startMs, stop: () => stopServer(child, cleanup) })
    })
  })
}

/** SIGTERM, then SIGKILL if the server has not exited within graceMs. Resolves with the exit time in ms. */
function stopServer (child, cleanup, graceMs = 10_000) {
  return new Promise((resolve) => {
    const startedAt = process.hrtime.bigint()
    const done = () => {
      running.delete(child)
      clearTimeout(killer)
      cleanup?.()
      resolve(Number(process.hrtime.bigint() - startedAt) / 1e6)
    }
    if (child.exitCode !== null || child.signalCode !== null) return done()
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', done)
    child.stdin.end()
    child.kill('SIGTERM')
  })
}

/** Starts the mock cluster with the given topics ({ name: partitions }). */
export function startMock (binary, topics, env = {}) {
  const args = Object.entries(topics).flatMap(([name, partitions]) => [name, String(partitions)])
  return startServer('mock', binary, args, { readyPattern: /^(\S+:\d+)/, env })
}

/**
 * Starts samsa on a free port with a fresh data dir (removed on stop) under dataParent (default: the OS temp
 * directory). extraArgs come from --samsa-args.
 * SAMSA_BENCH_BIN may point at another bin.js (an older build, a stand-in for testing the harness).
 */
export async function startSamsa (root, { partitions, extraArgs = [], dataParent = tmpdir() }) {
  const bin = process.env.SAMSA_BENCH_BIN || join(root, 'packages', 'cli', 'bin', 'samsa.js')
  if (!existsSync(join(root, 'packages', 'cli', 'dist', 'src', 'bin.js'))) throw new Error('samsa is not built: run npm run build (npm run bench does)')
  const dataDir = mkdtempSync(join(dataParent, 'samsa-bench-'))
  const port = await freePort()
  // --num-partitions: auto-created topics get the bench's partition count even where CreateTopics is not supported.
  const args = [bin, 'broker', '--port', String(port), '--data-dir', dataDir, '--num-partitions', String(partitions), ...extraArgs]
  return startServer('samsa', process.execPath, args, {
    readyPattern: /listening on (\S+:\d+)/,
    cleanup: () => rmSync(dataDir, { recursive: true, force: true })
  })
}
