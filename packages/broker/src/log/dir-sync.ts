/**
 * Directory fsync (makes created, renamed and removed entries durable), coalesced per directory: at most one runs
 * at a time, and every caller arriving while one is queued shares the queued one — which starts after their
 * change, so it covers it. 10,000 partitions created under one data directory cost a handful of fsyncs of that
 * directory, not 10,000.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs'
import { open } from 'node:fs/promises'

interface DirState { running: Promise<void> | null, next: Promise<void> | null }

const states = new Map<string, DirState>()

export function syncDirectory (dir: string): Promise<void> {
  let state = states.get(dir)
  if (state === undefined) {
    state = { running: null, next: null }
    states.set(dir, state)
  }
  if (state.next !== null) return state.next
  const running = state.running
  if (running === null) return start(dir, state)
  const current = state
  current.next = running.then(() => undefined, () => undefined).then(async () => {
    current.next = null
    await start(dir, current)
  })
  return current.next
}

function start (dir: string, state: DirState): Promise<void> {
  const run = fsyncDir(dir).finally(() => {
    if (state.running === run) state.running = null
    if (state.running === null && state.next === null) states.delete(dir)
  })
  state.running = run
  return run
}

async function fsyncDir (dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try { await handle.sync() } finally { await handle.close() }
}

/** Directory fsync on the event loop, for start-up and other synchronous paths (no coalescing). */
export function syncDirectorySync (dir: string): void {
  const fd = openSync(dir, 'r')
  try { fsyncSync(fd) } finally { closeSync(fd) }
}

/** Runs at most `limit` tasks at once (close-time file work of thousands of partitions). */
export class Limiter {
  private active = 0
  private readonly queue: Array<() => void> = []

  constructor (private readonly limit: number) {}

  async run<T> (task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve))
    this.active++
    try {
      return await task()
    } finally {
      this.active--
      this.queue.shift()?.()
    }
  }
}
