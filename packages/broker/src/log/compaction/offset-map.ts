/**
 * The cleaner's key → latest offset map over the dirty part of a log (Kafka's SkimpyOffsetMap). Short keys are
 * stored as one-byte-per-char strings (exact); keys longer than SHORT_KEY_BYTES are stored as their MD5 digest in
 * a second map, as Kafka stores every key (a collision would need two distinct long keys with equal MD5 in one
 * partition). The map is bounded: when it is full, cleaning covers only the part of the log mapped so far, and
 * the next run continues from there.
 */
import { createHash } from 'node:crypto'

const SHORT_KEY_BYTES = 64

export class OffsetMap {
  private readonly short = new Map<string, number>()
  private readonly hashed = new Map<string, number>()
  private readonly maxKeys: number
  /** Largest offset mapped (or skipped over); records after it are beyond what this map knows. */
  latestOffset = -1

  constructor (maxKeys: number) {
    this.maxKeys = maxKeys
  }

  get size (): number { return this.short.size + this.hashed.size }
  get full (): boolean { return this.size >= this.maxKeys }

  /** Records `offset` as the latest for the key in buf[start, start+length); false (nothing stored) when full. */
  put (buf: Buffer, start: number, length: number, offset: number): boolean {
    const [map, key] = this.slot(buf, start, length)
    if (!map.has(key) && this.full) return false
    map.set(key, offset)
    this.latestOffset = offset
    return true
  }

  /** Latest mapped offset of the key, or -1. */
  get (buf: Buffer, start: number, length: number): number {
    const [map, key] = this.slot(buf, start, length)
    return map.get(key) ?? -1
  }

  updateLatestOffset (offset: number): void {
    if (offset > this.latestOffset) this.latestOffset = offset
  }

  private slot (buf: Buffer, start: number, length: number): [Map<string, number>, string] {
    if (length <= SHORT_KEY_BYTES) return [this.short, buf.toString('latin1', start, start + length)]
    return [this.hashed, createHash('md5').update(buf.subarray(start, start + length)).digest().toString('latin1')]
  }
}
