import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Locations the suite needs. This file compiles to packages/conformance/dist/src/paths.js, so the package root is
 * two levels up whether it runs from dist/ or is read as source; the Python drivers stay outside dist on purpose.
 */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const repoRoot = resolve(packageRoot, '..', '..')
export const pythonDir = join(packageRoot, 'python')
/** The `samsa` command as users start it (bin/samsa.js: the bundle when it is fresh, else the compiled modules). */
export const cliBin = join(repoRoot, 'packages', 'cli', 'bin', 'samsa.js')
/** Where scripts/build-librdkafka.sh installs a current librdkafka (used through LD_LIBRARY_PATH). */
export const modernLibrdkafkaLibDir = join(repoRoot, '.build', 'librdkafka', 'lib')

/** In CI every tool must be present: a missing one is a setup failure there, not a reason to skip. */
export const inCI = process.env.CI === 'true'
