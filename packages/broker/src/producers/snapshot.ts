import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import type { ProducerEntry } from './producer-state.js'

/**
 * `<partition dir>/producer-state.snapshot`: the producers of a partition as of log offset `offset` (Kafka keeps
 * `<offset>.snapshot` files; one file is enough here because replay always starts from the newest). Format:
 * CRC-32 (uint32, of the rest) · UTF-8 JSON. Written atomically (temp file, fsync, rename, directory fsync) and only
 * for an offset whose log bytes are already durable, so after a crash the snapshot never runs ahead of the log.
 */
export const SNAPSHOT_FILE = 'producer-state.snapshot'

export interface ProducerSnapshot { version: 1, offset: number, producers: ProducerEntry[] }

export function readSnapshot (dir: string): ProducerSnapshot | null {
  const file = join(dir, SNAPSHOT_FILE)
  if (!existsSync(file)) return null
  try {
    const bytes = readFileSync(file)
    if (bytes.length < 4 || crc32(bytes.subarray(4)) !== bytes.readUInt32BE(0)) return null
    const parsed = JSON.parse(bytes.subarray(4).toString('utf8')) as ProducerSnapshot
    return parsed.version === 1 && Number.isSafeInteger(parsed.offset) && Array.isArray(parsed.producers) ? parsed : null
  } catch {
    return null // unreadable: the caller replays the whole log instead
  }
}

export function encodeSnapshot (offset: number, producers: Iterable<ProducerEntry>): Buffer {
  const body = Buffer.from(JSON.stringify({ version: 1, offset, producers: [...producers] }), 'utf8')
  const out = Buffer.allocUnsafe(4 + body.length)
  out.writeUInt32BE(crc32(body), 0)
  body.copy(out, 4)
  return out
}

export function writeSnapshot (dir: string, encoded: Buffer): void {
  const file = join(dir, SNAPSHOT_FILE)
  const temporary = `${file}.tmp`
  writeFileSync(temporary, encoded)
  const fd = openSync(temporary, 'r')
  try { fsyncSync(fd) } finally { closeSync(fd) }
  renameSync(temporary, file)
  const directory = openSync(dir, 'r')
  try { fsyncSync(directory) } finally { closeSync(directory) }
}
