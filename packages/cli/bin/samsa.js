#!/usr/bin/env node
// The `samsa` command. Starts from the bundle (scripts/bundle-cli.mjs: a few chunks instead of ~230 modules, about
// 70 ms less start-up) when it is at least as new as every compiled package; otherwise from dist/src, since
// `tsc -b` alone leaves the bundle behind and stale code must never run. A file, so the bin exists right after
// `npm ci`, before anything is built. SAMSA_TRACE_START=1 prints which one it started from.
import { readdirSync, statSync } from 'node:fs'

const packagesDir = new URL('../../', import.meta.url)

function modifiedMs (url) {
  try {
    return statSync(url).mtimeMs
  } catch {
    return -1
  }
}

function bundleIsFresh () {
  const bundled = modifiedMs(new URL('../dist/bundle/bin.js', import.meta.url))
  if (bundled < 0) return false
  for (const name of readdirSync(packagesDir)) {
    if (modifiedMs(new URL(`${name}/dist/tsconfig.tsbuildinfo`, packagesDir)) > bundled) return false
  }
  return true
}

const start = bundleIsFresh() ? '../dist/bundle/bin.js' : '../dist/src/bin.js'
if (process.env.SAMSA_TRACE_START === '1') process.stderr.write(`samsa: starting from ${new URL(start, import.meta.url).pathname}\n`)
await import(start)
