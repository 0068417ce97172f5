// The client side of the benchmark: kcat (librdkafka) producing and consuming, timed by wall clock.
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export const RECORD_BYTES = 100 // 99-byte value + the '\n' delimiter kcat splits the input on

/**
 * Writes `count` lines of 99 printable characters + '\n' once and reuses the file afterwards.
 * Each line starts with its number so a record is recognisable when debugging; the rest is filler.
 */
export function ensureInputFile (dir, count) {
  const path = join(dir, `records-${count}x${RECORD_BYTES}.txt`)
  if (existsSync(path) && statSync(path).size === count * RECORD_BYTES) return path
  mkdirSync(dir, { recursive: true })
  const filler = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3)
  const linesPerChunk = 10_000
  const tmp = `${path}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    for (let first = 0; first < count; first += linesPerChunk) {
      const last = Math.min(count, first + linesPerChunk)
      const chunk = Buffer.allocUnsafe((last - first) * RECORD_BYTES)
      for (let n = first, at = 0; n < last; n++, at += RECORD_BYTES) {
        const head = String(n).padStart(10, '0') + ' '
        chunk.write(head + filler.slice(0, RECORD_BYTES - 1 - head.length) + '\n', at, 'latin1')
      }
      writeSync(fd, chunk)
    }
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path) // only a complete file ever gets the final name
  return path
}

/** Runs kcat with stdout going to `stdout` (a file descriptor or 'ignore'); resolves with wall time in ms. */
function runKcat (args, { env, stdout = 'ignore', timeoutMs }) {
  return new Promise((resolve, reject) => {
    const startedAt = process.hrtime.bigint()
    const child = spawn('kcat', args, { stdio: ['ignore', stdout, 'pipe'], env: { ...process.env, ...env } })
    let stderr = ''
    child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000) })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', (error) => { clearTimeout(timer); reject(new Error(`kcat: ${error.message}`)) })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const ms = Number(process.hrtime.bigint() - startedAt) / 1e6
      if (code === 0) resolve({ ms, stderr })
      else reject(new Error(`kcat ${args.join(' ')} exited ${signal ?? code}\n${stderr}`))
    })
  })
}

/** Produces every line of inputFile to topic. Resolves { ms } (spawn → all acks received → exit). */
export function produce ({ bootstrap, topic, inputFile, clientConfig, env, timeoutMs = 600_000 }) {
  const args = ['-P', '-b', bootstrap, '-t', topic, '-l', inputFile, ...configArgs(clientConfig)]
  return runKcat(args, { env, timeoutMs })
}

/**
 * Consumes the whole topic from the beginning and exits at the end. Resolves { ms, records, bytes }.
 * kcat writes into a scratch file, counted after the clock stops: a pipe into this process would put a reader
 * competing for the 2 CPUs into the timed path (measured: 2-3x slower and much noisier than a file).
 */
export async function consume ({ bootstrap, topic, clientConfig, env, scratchFile, timeoutMs = 600_000 }) {
  const args = ['-C', '-b', bootstrap, '-t', topic, '-e', '-o', 'beginning', '-q', ...configArgs(clientConfig)]
  const fd = openSync(scratchFile, 'w')
  let ms
  try {
    ({ ms } = await runKcat(args, { env, stdout: fd, timeoutMs }))
  } finally {
    closeSync(fd)
  }
  const { records, bytes } = await countLines(scratchFile)
  rmSync(scratchFile, { force: true })
  return { ms, records, bytes }
}

async function countLines (path) {
  let records = 0
  let bytes = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    bytes += chunk.length
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) records++
  }
  return { records, bytes }
}

/** Partition count of topic as the broker reports it in Metadata (null when unknown). */
export function partitionCount ({ bootstrap, topic, env }) {
  const result = spawnSync('kcat', ['-L', '-J', '-b', bootstrap, '-t', topic, '-m', '10'], {
    encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000
  })
  if (result.status !== 0) return null
  try {
    const metadata = JSON.parse(result.stdout)
    return metadata.topics?.find((t) => t.topic === topic)?.partitions?.length ?? null
  } catch {
    return null
  }
}

/** librdkafka version kcat actually loads (differs from kcat -V's build-time one when LD_LIBRARY_PATH is set). */
export function kcatLibVersion (env) {
  const result = spawnSync('kcat', ['-V'], { encoding: 'utf8', env: { ...process.env, ...env } })
  return result.stdout?.match(/librdkafka ([\d.]+)/)?.[1] ?? 'unknown'
}

function configArgs (config) {
  return Object.entries(config).flatMap(([key, value]) => ['-X', `${key}=${value}`])
}
