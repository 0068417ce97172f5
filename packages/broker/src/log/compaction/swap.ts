/**
 * Crash-safe replacement of segments by cleaned ones (Kafka's `.cleaned` → `.swap` → rename idea). Steps:
 *
 * 1. The cleaner writes `<base>.log.cleaned` and its `.index.cleaned` / `.timeindex.cleaned`, fdatasyncs the log,
 *    then writes and syncs the indexes (the usual invariant: indexes only describe durable log bytes).
 * 2. Commit: a manifest `cleaner-swap.json` naming the replaced and the cleaned base offsets is written atomically
 *    (temp file, fdatasync, rename, directory fsync). This is the only decision point. Kafka marks the commit by
 *    renaming `.cleaned` to `.swap` and finds the replaced range from the swap segment's last offset; a manifest
 *    also covers a cleaned segment that ends before the last replaced segment began (everything superseded).
 * 3. Apply (synchronous, one event-loop turn): every replaced segment's files are renamed to `.deleted`, then each
 *    cleaned file to its final name (indexes first, `.log` last).
 * 4. Directory fsync, manifest removed, directory fsync.
 *
 * Recovery on open: a manifest present → redo step 3 for whatever is left (idempotent), so the cleaned segments
 * win; no manifest → `.cleaned` files are leftovers of an unfinished clean and are removed, the old segments stay.
 * `.deleted` files are always removed. A crash therefore leaves either the old or the new segments, never a mix.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { CLEANED_SUFFIX, DELETED_SUFFIX, segmentFileName } from '../segment.js'
import { syncDirectorySync } from '../dir-sync.js'

export const SWAP_MANIFEST = 'cleaner-swap.json'

export interface SwapManifest {
  /** Base offsets of the segments being replaced. */
  replaced: number[]
  /** Base offsets of the cleaned segments replacing them. */
  cleaned: number[]
}

const EXTENSIONS = ['.index', '.timeindex', '.log'] as const

export async function commitSwap (dir: string, manifest: SwapManifest): Promise<void> {
  const path = join(dir, SWAP_MANIFEST)
  const handle = await open(`${path}.tmp`, 'w')
  try {
    await handle.writeFile(JSON.stringify(manifest))
    await handle.datasync()
  } finally {
    await handle.close()
  }
  await rename(`${path}.tmp`, path)
  await syncDir(dir)
}

/**
 * Step 3 for a live log: old files → `.deleted` (returned, for the delayed unlink), cleaned files → final names.
 * `onRename` runs after each rename (fault-injection hook for tests).
 */
export function applySwap (dir: string, manifest: SwapManifest, onRename?: (file: string) => void): string[] {
  const deleted: string[] = []
  for (const base of manifest.replaced) {
    for (const ext of EXTENSIONS) {
      const path = join(dir, segmentFileName(base, ext))
      if (!existsSync(path)) continue
      renameSync(path, path + DELETED_SUFFIX)
      deleted.push(path + DELETED_SUFFIX)
      onRename?.(path + DELETED_SUFFIX)
    }
  }
  for (const base of manifest.cleaned) {
    for (const ext of EXTENSIONS) {
      const path = join(dir, segmentFileName(base, ext))
      renameSync(path + CLEANED_SUFFIX, path)
      onRename?.(path)
    }
  }
  return deleted
}

export async function finishSwap (dir: string): Promise<void> {
  await syncDir(dir)
  await rm(join(dir, SWAP_MANIFEST), { force: true })
  await syncDir(dir)
}

/** True when a name in the directory belongs to an interrupted clean, a pending deletion or a swap manifest. */
export function needsSwapRecovery (names: string[]): boolean {
  return names.some((name) => name.endsWith(CLEANED_SUFFIX) || name.endsWith(DELETED_SUFFIX) || name.startsWith(SWAP_MANIFEST))
}

/**
 * Open-time recovery (synchronous, before segments are loaded): finishes a committed swap or rolls back an
 * uncommitted one, removes `.deleted` files. Returns true if anything changed on disk.
 */
export function recoverSwap (dir: string): boolean {
  let changed = false
  const manifestPath = join(dir, SWAP_MANIFEST)
  let manifest: SwapManifest | null = null
  if (existsSync(manifestPath)) {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as SwapManifest
    const kept = new Set(manifest.cleaned)
    for (const base of manifest.cleaned) {
      for (const ext of EXTENSIONS) {
        const path = join(dir, segmentFileName(base, ext))
        if (existsSync(path + CLEANED_SUFFIX)) renameSync(path + CLEANED_SUFFIX, path)
      }
    }
    for (const base of manifest.replaced) {
      if (kept.has(base)) continue
      for (const ext of EXTENSIONS) rmSync(join(dir, segmentFileName(base, ext)), { force: true })
    }
    changed = true
  }
  for (const name of readdirSync(dir)) {
    if (name.endsWith(CLEANED_SUFFIX) || name.endsWith(DELETED_SUFFIX) || name === `${SWAP_MANIFEST}.tmp`) {
      rmSync(join(dir, name), { force: true })
      changed = true
    }
  }
  if (changed) syncDirectorySync(dir)
  // The manifest goes last: until the renames above are durable, a crash here must redo them.
  if (manifest !== null) {
    rmSync(manifestPath, { force: true })
    syncDirectorySync(dir)
  }
  return changed
}

async function syncDir (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try { await handle.sync() } finally { await handle.close() }
}
