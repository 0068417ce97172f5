import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const LAUNCHER = resolve(import.meta.dirname, '../../bin/samsa.js')

/**
 * bin/samsa.js in a scratch tree of the repository's shape: packages/cli/{bin,dist/bundle,dist/src} and a second
 * compiled package, with stand-in entry points that say which one ran.
 */
function scratchTree (): { root: string, launcher: string, bundle: string, buildInfo: (name: string) => string } {
  const root = mkdtempSync(join(tmpdir(), 'samsa-launcher-'))
  const cli = join(root, 'packages', 'cli')
  for (const dir of ['bin', 'dist/bundle', 'dist/src']) mkdirSync(join(cli, dir), { recursive: true })
  mkdirSync(join(root, 'packages', 'broker', 'dist'), { recursive: true })
  const launcher = join(cli, 'bin', 'samsa.js')
  copyFileSync(LAUNCHER, launcher)
  writeFileSync(join(cli, 'package.json'), '{ "type": "module" }')
  writeFileSync(join(cli, 'dist', 'bundle', 'bin.js'), "process.stdout.write('bundle ' + process.argv.slice(2).join(' '))")
  writeFileSync(join(cli, 'dist', 'src', 'bin.js'), "process.stdout.write('modules ' + process.argv.slice(2).join(' '))")
  const buildInfo = (name: string): string => join(root, 'packages', name, 'dist', 'tsconfig.tsbuildinfo')
  const past = new Date(Date.now() - 60_000)
  for (const name of ['cli', 'broker']) {
    writeFileSync(buildInfo(name), '{}')
    utimesSync(buildInfo(name), past, past) // built before the bundle
  }
  return { root, launcher, bundle: join(cli, 'dist', 'bundle', 'bin.js'), buildInfo }
}

function run (launcher: string): string {
  const result = spawnSync(process.execPath, [launcher, 'broker', '--port', '0'], { encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  return result.stdout
}

test('the samsa command starts from the bundle only while it is at least as new as every compiled package', (t) => {
  const tree = scratchTree()
  t.after(() => rmSync(tree.root, { recursive: true, force: true }))
  assert.equal(run(tree.launcher), 'bundle broker --port 0')

  // `tsc -b` rebuilt one package after the bundle was made: the bundle is stale and must not run.
  const later = new Date(Date.now() + 60_000)
  utimesSync(tree.buildInfo('broker'), later, later)
  assert.equal(run(tree.launcher), 'modules broker --port 0')

  // Bundled again: fresh once more.
  utimesSync(tree.bundle, new Date(Date.now() + 120_000), new Date(Date.now() + 120_000))
  assert.equal(run(tree.launcher), 'bundle broker --port 0')

  // No bundle at all (only tsc -b ran): the compiled modules.
  rmSync(tree.bundle)
  assert.equal(run(tree.launcher), 'modules broker --port 0')
})

test('SAMSA_TRACE_START=1 names the entry point the command started from', (t) => {
  const tree = scratchTree()
  t.after(() => rmSync(tree.root, { recursive: true, force: true }))
  const result = spawnSync(process.execPath, [tree.launcher], { encoding: 'utf8', env: { ...process.env, SAMSA_TRACE_START: '1' } })
  assert.equal(result.status, 0, result.stderr)
  assert.equal(result.stderr, `samsa: starting from ${tree.bundle}\n`)
})

test('after npm run build (as npm test and CI do) the samsa command starts from the bundle', (t) => {
  if (process.env.CI !== 'true') return t.skip('outside CI a bare tsc -b may have left the bundle behind, which the launcher then skips')
  const result = spawnSync(process.execPath, [LAUNCHER, '--help'], { encoding: 'utf8', env: { ...process.env, SAMSA_TRACE_START: '1' } })
  assert.equal(result.status, 0, result.stderr)
  assert.equal(result.stderr, `samsa: starting from ${resolve(import.meta.dirname, '../../dist/bundle/bin.js')}\n`)
  assert.match(result.stdout, /^usage: samsa <command>/)
})
