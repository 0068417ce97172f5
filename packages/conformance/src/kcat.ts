import type { ConsumedRecord } from './records.js'
import { findExecutable, runOk, type RunOptions, type RunResult } from './tools.js'

/** kcat (called kafkacat in older Debian releases), or null when not installed. */
export const kcatPath: string | null = findExecutable('kcat') ?? findExecutable('kafkacat')

export async function kcat (args: string[], options: RunOptions = {}): Promise<RunResult> {
  if (kcatPath === null) throw new Error('kcat is not installed')
  return await runOk(kcatPath, args, options)
}

/**
 * kcat output format that stays exact for binary data: a text header line with the lengths (-1 = null), then the
 * raw key and value bytes, then a newline. Lengths make the parse independent of what the payload contains.
 */
const BINARY_FORMAT = '%p %o %T %K %S\\n%k%s\\n'

export interface KcatConsumeOptions {
  partition?: number
  /** kcat -o: beginning, end, stored, <offset>, -<n> (relative to end), s@<ts>... */
  offset?: string
  count?: number
  /** Stop at the end of the partition(s) (kcat -e). Default true unless count is given. */
  exitAtEnd?: boolean
  extra?: string[]
  timeoutMs?: number
}

export async function kcatConsume (bootstrap: string, topic: string, options: KcatConsumeOptions = {}): Promise<ConsumedRecord[]> {
  const args = ['-C', '-b', bootstrap, '-t', topic, '-o', options.offset ?? 'beginning', '-q', '-f', BINARY_FORMAT]
  if (options.partition !== undefined) args.push('-p', String(options.partition))
  if (options.count !== undefined) args.push('-c', String(options.count))
  if (options.exitAtEnd ?? options.count === undefined) args.push('-e')
  args.push(...(options.extra ?? []))
  const result = await kcat(args, { timeoutMs: options.timeoutMs ?? 30_000 })
  return parseBinaryFormat(result.stdout)
}

export function parseBinaryFormat (stdout: Buffer): ConsumedRecord[] {
  const records: ConsumedRecord[] = []
  let position = 0
  while (position < stdout.length) {
    const lineEnd = stdout.indexOf(0x0a, position)
    if (lineEnd < 0) throw new Error(`truncated kcat output at byte ${position}`)
    const fields = stdout.subarray(position, lineEnd).toString('ascii').split(' ').map(Number)
    if (fields.length !== 5 || fields.some((field) => !Number.isInteger(field))) {
      throw new Error(`unexpected kcat header line: ${stdout.subarray(position, lineEnd).toString('utf8')}`)
    }
    const [partition, offset, timestamp, keyLength, valueLength] = fields as [number, number, number, number, number]
    position = lineEnd + 1
    const key = keyLength < 0 ? null : Buffer.from(stdout.subarray(position, position + keyLength))
    position += Math.max(keyLength, 0)
    const value = valueLength < 0 ? null : Buffer.from(stdout.subarray(position, position + valueLength))
    position += Math.max(valueLength, 0)
    if (stdout[position] !== 0x0a) throw new Error(`kcat record at offset ${offset} not followed by a newline`)
    position += 1
    records.push({ partition, offset, timestamp, key, value })
  }
  return records
}
