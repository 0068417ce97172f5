/**
 * One offset persisted in a small file of the partition directory — Kafka keeps the same facts in per-data-dir
 * `log-start-offset-checkpoint` and `cleaner-offset-checkpoint` files; we keep one file per partition so a
 * partition directory is self-contained. Written atomically (temp file, fdatasync, rename, directory fsync);
 * concurrent writes are coalesced so the newest value wins and at most one write is in flight.
 */
import { readFileSync } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import { join } from 'node:path'

export const LOG_START_OFFSET_FILE = 'log-start-offset-checkpoint'
export const CLEANER_OFFSET_FILE = 'cleaner-offset-checkpoint'

/** Reads a checkpoint written by OffsetCheckpoint.write; null when absent or unreadable (treated as "none"). */
export function readCheckpoint (dir: string, name: string): number | null {
  try {
    const value = Number(readFileSync(join(dir, name), 'utf8').trim())
    return Number.isSafeInteger(value) && value >= 0 ? value : null
  } catch {
    return null
  }
}

export class OffsetCheckpoint {
  private readonly path: string
  private readonly dir: string
  private writing: Promise<void> | null = null
  private wanted: number | null = null
  private written: number | null

  constructor (dir: string, name: string, initial: number | null) {
    this.dir = dir
    this.path = join(dir, name)
    this.written = initial
  }

  get value (): number | null { return this.wanted ?? this.written }

  /** Resolves once `value` (or a later one) is durable. */
  async write (value: number): Promise<void> {
    this.wanted = value
    while (this.written !== this.wanted) {
      if (this.writing === null) {
        const target = this.wanted
        this.writing = this.writeOnce(target).then(() => { this.written = target }).finally(() => { this.writing = null })
      }
      await this.writing
    }
  }

  private async writeOnce (value: number): Promise<void> {
    const temporary = `${this.path}.tmp`
    const handle = await open(temporary, 'w')
    try {
      await handle.writeFile(`${value}\n`)
      await handle.datasync()
    } finally {
      await handle.close()
    }
    await rename(temporary, this.path)
    const directory = await open(this.dir, 'r')
    try { await directory.sync() } finally { await directory.close() }
  }
}
