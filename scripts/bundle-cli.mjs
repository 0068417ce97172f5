#!/usr/bin/env node
// Bundles the compiled CLI (packages/cli/dist/src/bin.js and the @samsa packages it imports) into
// packages/cli/dist/bundle/, one chunk per command, for packages/cli/bin/samsa.js to start from.
//
// Why: Node 20 has no compile cache for ES modules, and loading the broker's ~230 modules one by one (resolve,
// stat, read, compile, link) took 150–200 ms of its 185–260 ms cold start. One chunk starts in 120–160 ms.
// Third-party packages stay external (loaded from node_modules as usual): several are CommonJS, read their own
// files or load native addons, and they are few. Runs after `tsc -b` (npm run build, pretest, prestart).
import { mkdirSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'

const root = resolve(import.meta.dirname, '..')
const outdir = join(root, 'packages', 'cli', 'dist', 'bundle')
const entry = join(root, 'packages', 'cli', 'dist', 'src', 'bin.js')

try {
  statSync(entry)
} catch {
  console.error(`bundle-cli: ${entry} not found: run tsc -b first`)
  process.exit(1)
}

/** Bare imports other than our own workspace packages are left to Node's resolution at run time. */
const thirdPartyExternal = {
  name: 'third-party-external',
  setup (pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => args.path.startsWith('@samsa/') ? undefined : { path: args.path, external: true })
  }
}

rmSync(outdir, { recursive: true, force: true }) // chunks are content-named: old ones would pile up
mkdirSync(outdir, { recursive: true })
await build({
  entryPoints: [entry],
  outdir,
  bundle: true,
  splitting: true, // `samsa broker` does not parse the registry's or the other commands' code
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked', // `node --enable-source-maps` maps stack traces back to the TypeScript sources
  plugins: [thirdPartyExternal],
  logLevel: 'warning'
})
