#!/usr/bin/env node
// A/B of broker configurations, interleaved: each round starts a fresh broker per configuration (and the mock),
// produces the same records with kcat --warmup times untimed (default 1: a fresh data directory's first burst also
// zero-fills the journal's spares), then once timed, and records wall time, kcat CPU and broker CPU; medians at
// the end. On a shared 2-core VM single runs vary by up to 2× (docs/benchmarks.md): compare only within one
// invocation, and prefer 9 or more rounds.
// Usage: node bench/compare.mjs [--rounds N] [--warmup N] [--messages N] [--acks all|1] [--no-mock]
//          --config name="samsa broker flags" [--config name2="..."] [--data-parent name=/dev/shm]
// Example: node bench/compare.mjs --config journal="" --config segments="--set log.journal.enable=false"
//          --config tmpfs="" --data-parent tmpfs=/dev/shm
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { ensureInputFile } from './lib/kcat.mjs'
import { buildMockCluster, cpuTicks, startMock, startSamsa } from './lib/servers.mjs'

const root = resolve(import.meta.dirname, '..')
const buildDir = join(root, '.build', 'bench')
const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    'data-parent': { type: 'string', multiple: true, default: [] },
    messages: { type: 'string', default: '1000000' },
    partitions: { type: 'string', default: '64' },
    acks: { type: 'string', default: 'all' },
    config: { type: 'string', multiple: true, default: [] },
    'no-mock': { type: 'boolean', default: false }
  }
})
const TICK_MS = 10 // /proc/<pid>/stat clock ticks (USER_HZ = 100 on Linux)
const partitions = Number(opts.partitions)
const configs = opts.config.map((spec) => {
  const at = spec.indexOf('=')
  if (at <= 0) throw new Error(`--config expects name="flags", got ${spec}`)
  return { name: spec.slice(0, at), args: spec.slice(at + 1).split(/\s+/).filter(Boolean) }
})
if (configs.length === 0) configs.push({ name: 'samsa', args: [] })
for (const spec of opts['data-parent']) {
  const at = spec.indexOf('=')
  const config = configs.find((c) => c.name === spec.slice(0, at))
  if (at <= 0 || config === undefined) throw new Error(`--data-parent expects name=directory of a --config, got ${spec}`)
  config.dataParent = spec.slice(at + 1)
}

const input = ensureInputFile(buildDir, Number(opts.messages))
const producerArgs = (address) => ['-P', '-b', address, '-t', 'compare', '-l', input, '-X', `acks=${opts.acks}`, '-X', 'linger.ms=5', '-X', 'sticky.partitioning.linger.ms=0']

/** One produce run: wall ms, kcat CPU ms (from `time`), server CPU ms (from /proc). */
async function measure (server) {
  spawnSync('sync')
  await sleep(300)
  const before = cpuTicks(server.pid)
  const started = process.hrtime.bigint()
  const kcat = spawnSync('/usr/bin/time', ['-f', '%U %S', 'kcat', ...producerArgs(server.address)], { encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (kcat.status !== 0) throw new Error(`kcat failed: ${kcat.stderr}`)
  const [user, system] = kcat.stderr.trim().split('\n').pop().split(' ').map(Number)
  return { ms, kcatMs: (user + system) * 1000, serverMs: (cpuTicks(server.pid) - before) * TICK_MS }
}

const targets = [...(opts['no-mock'] ? [] : [{ name: 'mock', mock: true }]), ...configs]
const results = new Map(targets.map((target) => [target.name, []]))
for (let round = 0; round < Number(opts.rounds); round++) {
  for (const target of targets) {
    const server = target.mock
      ? await startMock(buildMockCluster(root, buildDir), { compare: partitions })
      : await startSamsa(root, { partitions, extraArgs: target.args, dataParent: target.dataParent })
    try {
      if (!target.mock) {
        spawnSync(process.env.SAMSA_PYTHON || '/usr/bin/python3', [join(root, 'bench', 'lib', 'create-topic.py'), server.address, 'compare', String(partitions)])
      }
      for (let run = 0; run < Number(opts.warmup); run++) await measure(server)
      results.get(target.name).push(await measure(server))
    } finally {
      await server.stop()
    }
  }
  console.error(`[compare] round ${round + 1} done`)
}

const median = (values) => { const sorted = [...values].sort((a, b) => a - b); return sorted[Math.floor(sorted.length / 2)] }
console.log(`produce ${Number(opts.messages).toLocaleString('en-US')} × 100 B into ${partitions} partitions, acks=${opts.acks}, ` +
  `fresh server per round, ${opts.warmup} untimed run(s) first, medians of ${opts.rounds} interleaved rounds`)
for (const [name, runs] of results) {
  console.log(`${name.padEnd(14)} wall ${median(runs.map((r) => r.ms)).toFixed(0).padStart(5)} ms | kcat CPU ${median(runs.map((r) => r.kcatMs)).toFixed(0).padStart(5)} ms | ` +
    `server CPU ${median(runs.map((r) => r.serverMs)).toFixed(0).padStart(4)} ms | runs ${runs.map((r) => r.ms.toFixed(0)).join(' ')}`)
}
