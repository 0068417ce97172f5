import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { StorageError } from '../errors.js'

/**
 * Hands out producer ids that never repeat, even across crashes: ids come from blocks of BLOCK_SIZE, and the end of
 * the current block is made durable (`<dataDir>/producer-id-block.json`, atomic rename + fsync) before the first
 * id of the block is used. A restart continues after the last reserved block, so at most one block is skipped.
 * (Kafka's controller hands out blocks of 1000 ids the same way.)
 */
export const PRODUCER_ID_FILE = 'producer-id-block.json'
const BLOCK_SIZE = 1000

export class ProducerIdManager {
  private next: number
  private blockEnd: number

  private constructor (private readonly file: string, reservedUpTo: number) {
    this.next = reservedUpTo
    this.blockEnd = reservedUpTo
  }

  static open (dataDir: string): ProducerIdManager {
    const file = join(dataDir, PRODUCER_ID_FILE)
    let reservedUpTo = 0
    if (existsSync(file)) {
      try {
        reservedUpTo = (JSON.parse(readFileSync(file, 'utf8')) as { reservedUpTo: number }).reservedUpTo
      } catch (error) {
        throw new StorageError(`cannot read ${file}: ${(error as Error).message}`, error)
      }
      if (!Number.isSafeInteger(reservedUpTo) || reservedUpTo < 0) throw new StorageError(`${file}: invalid reservedUpTo ${reservedUpTo}`)
    }
    return new ProducerIdManager(file, reservedUpTo)
  }

  nextId (): number {
    if (this.next >= this.blockEnd) this.reserve(this.next + BLOCK_SIZE)
    return this.next++
  }

  private reserve (upTo: number): void {
    const temporary = `${this.file}.tmp`
    writeFileSync(temporary, JSON.stringify({ version: 1, reservedUpTo: upTo }) + '\n')
    const fd = openSync(temporary, 'r')
    try { fsyncSync(fd) } finally { closeSync(fd) }
    renameSync(temporary, this.file)
    const dir = openSync(join(this.file, '..'), 'r')
    try { fsyncSync(dir) } finally { closeSync(dir) }
    this.blockEnd = upTo
  }
}
