import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { StorageError } from '../errors.js'

/**
 * Small JSON state files of the security module (credentials, ACLs): written whole to a temporary file, fsynced
 * and renamed over the old one, readable by the owner only (they hold salted credentials and the access policy).
 */
export function writeJsonFile (file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const temporary = `${file}.tmp`
  const fd = openSync(temporary, 'w', 0o600)
  try {
    writeSync(fd, JSON.stringify(value, null, 2) + '\n')
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, file)
}

export function readJsonFile<T> (file: string): T | undefined {
  if (!existsSync(file)) return undefined
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T
  } catch (error) {
    throw new StorageError(`cannot read ${file}: ${(error as Error).message}`, error)
  }
}

/** A cheap change marker (mtime + size) so a broker notices edits made by `samsa users --data-dir`. */
export function fileStamp (file: string): string {
  try {
    const stat = statSync(file)
    return `${stat.mtimeMs}:${stat.size}`
  } catch {
    return 'missing'
  }
}
