import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const BIN = resolve(import.meta.dirname, '../../bin/samsa.js')

test('samsa broker prints one ready line with the address and stops cleanly on SIGTERM', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-cli-'))
  t.after(() => rmSync(dataDir, { recursive: true, force: true }))
  const child = spawn(process.execPath, [BIN, 'broker', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  const ready = await new Promise<string>((resolveReady, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes('\n')) resolveReady(stdout)
    })
    child.once('exit', (code) => reject(new Error(`exited early with ${code}`)))
  })
  assert.match(ready, /^samsa broker listening on 127\.0\.0\.1:\d+ \(data in .+\)\n$/)
  assert.ok(existsSync(join(dataDir, 'meta.properties')))
  const exit = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)))
  child.kill('SIGTERM')
  assert.equal(await exit, 0)
})

test('an invalid config value refuses to start with one line and exit code 2', () => {
  const result = spawnSync(process.execPath, [BIN, 'broker', '--port', '0', '--set', 'num.partitions=zero'], { encoding: 'utf8' })
  assert.equal(result.status, 2)
  assert.equal(result.stderr, 'samsa broker: invalid value "zero" for num.partitions: expected an integer in [1, 100000]\n')
})

test('unknown flags and commands are refused with usage', () => {
  const flag = spawnSync(process.execPath, [BIN, 'broker', '--bogus'], { encoding: 'utf8' })
  assert.equal(flag.status, 2)
  assert.match(flag.stderr, /Unknown option '--bogus'/)
  const command = spawnSync(process.execPath, [BIN, 'nope'], { encoding: 'utf8' })
  assert.equal(command.status, 2)
  assert.match(command.stderr, /unknown command "nope"/)
})

test('a port already in use is a one-line error', async (t) => {
  const { createServer } = await import('node:net')
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const port = (server.address() as { port: number }).port
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-cli-'))
  t.after(() => rmSync(dataDir, { recursive: true, force: true }))
  const result = spawnSync(process.execPath, [BIN, 'broker', '--port', String(port), '--data-dir', dataDir], { encoding: 'utf8' })
  server.close()
  assert.equal(result.status, 1)
  assert.match(result.stderr, /^samsa broker: cannot start: listen EADDRINUSE.*\n$/)
})
