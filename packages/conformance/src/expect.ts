import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { payloads, type ConsumedRecord, type TestRecord } from './records.js'

/** Same keys and values, byte for byte, in the same order (hex in the diff so binary data reads well). */
export function assertSameRecords (actual: Array<TestRecord | ConsumedRecord>, expected: Array<TestRecord | ConsumedRecord>, message?: string): void {
  assert.deepEqual(payloads(actual), payloads(expected), message)
}

/** Offsets first, first + 1, ... without gaps. */
export function assertOffsets (records: ConsumedRecord[], first: number, message?: string): void {
  assert.deepEqual(records.map((record) => record.offset), records.map((_, i) => first + i), message)
}

let counter = 0
/** A topic name no other test uses (tests of one file share a broker). */
export function uniqueTopic (prefix: string): string {
  counter += 1
  return `${prefix}-${process.pid}-${counter}`
}

/** Polls `check` until it returns a value other than undefined, or fails after timeoutMs. */
export async function eventually<T> (check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** The Kafka error name kafkajs reports, wherever it nests it (protocol error, or the cause of a wrapper). */
export function kafkaErrorType (error: unknown): string | undefined {
  let current = error as { type?: string, cause?: unknown, originalError?: unknown } | undefined
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (typeof current.type === 'string') return current.type
    current = (current.cause ?? current.originalError) as typeof current
  }
  return undefined
}
