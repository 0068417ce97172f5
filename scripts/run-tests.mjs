#!/usr/bin/env node
// Runs every compiled test file (packages/*/dist/test/**/*.test.js) with Node's built-in test runner.
// Usage: node scripts/run-tests.mjs [dir ...]   (defaults to every package)
import { readdirSync, statSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'

const root = resolve(import.meta.dirname, '..')
const roots = process.argv.slice(2).length > 0
  ? process.argv.slice(2).map((dir) => resolve(root, dir))
  : readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name))

function collect (dir, out) {
  if (!existsSync(dir)) return out
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) collect(path, out)
    else if (entry.endsWith('.test.js')) out.push(path)
  }
  return out
}

const files = roots.flatMap((pkg) => collect(join(pkg, 'dist', 'test'), [])).sort()
if (files.length === 0) {
  console.error('no test files found: run `tsc -b` first')
  process.exit(1)
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root })
process.exit(result.status ?? 1)
