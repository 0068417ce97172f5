/**
 * The background lifecycle of every partition log (Kafka's LogManager retention task plus the log cleaner):
 * every log.retention.check.interval.ms one pass
 * 1. runs retention on each log (deleteOldSegments: log start offset, retention.bytes, retention.ms) and closes
 *    the descriptors of idle active segments;
 * 2. compacts the logs whose cleanup.policy contains compact and that are due (dirty ratio above
 *    min.cleanable.dirty.ratio, max.compaction.lag.ms exceeded, or a delete horizon passed), dirtiest first.
 * Everything runs on the event loop in short slices (retention is a few synchronous steps per log; the cleaner
 * reads with async I/O and yields every few milliseconds), so produce and fetch are served throughout. A log whose
 * clean failed is skipped by later passes (Kafka's "uncleanable partition"), and logged once.
 */
import type { Logger } from '../logger.js'
import type { PartitionLog } from './partition-log.js'
import type { CleanerOptions } from './compaction/cleaner.js'
import { CleaningAbortedError } from './compaction/cleaner.js'

export interface MaintenanceOptions {
  /** log.retention.check.interval.ms */
  intervalMs: number
  /** Every partition log, asked afresh on each pass (topics come and go). */
  logs: () => Iterable<PartitionLog>
  logger?: Logger
  now?: () => number
  /** Delay before the first pass (Kafka: 30 s after startup); default min(intervalMs, 30 s). */
  initialDelayMs?: number
  cleaner?: CleanerOptions
  /** Close an active segment's descriptor after this long without appends (once durable). */
  idleHandleMs?: number
}

export interface PassReport {
  logsChecked: number
  segmentsDeleted: number
  logsCleaned: number
  handlesReleased: number
  durationMs: number
}

const RETENTION_SLICE_MS = 4

export class LogMaintenance {
  private readonly options: MaintenanceOptions
  private readonly now: () => number
  private timer: NodeJS.Timeout | null = null
  private running: Promise<PassReport> | null = null
  private stopped = true
  /** stop() was called: a pass in progress ends after the log it is working on. */
  private halting = false
  private readonly uncleanable = new WeakSet<PartitionLog>()

  constructor (options: MaintenanceOptions) {
    this.options = options
    this.now = options.now ?? Date.now
  }

  start (): void {
    if (!this.stopped) return
    this.stopped = false
    this.halting = false
    this.schedule(this.options.initialDelayMs ?? Math.min(this.options.intervalMs, 30_000))
  }

  /** Stops the timer and waits for a pass in progress (which stops between two logs). */
  async stop (): Promise<void> {
    this.stopped = true
    this.halting = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    await this.running?.catch(() => {})
  }

  /** One pass now (tests; also what the timer runs). Concurrent calls share the pass in progress. */
  runOnce (): Promise<PassReport> {
    this.running ??= this.pass().finally(() => { this.running = null })
    return this.running
  }

  private schedule (delayMs: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.timer = null
      const started = performance.now()
      this.runOnce().catch((error) => this.options.logger?.error(`log maintenance pass failed: ${(error as Error).message}`))
        .finally(() => this.schedule(Math.max(0, this.options.intervalMs - (performance.now() - started))))
    }, Math.min(delayMs, 2 ** 31 - 1))
    this.timer.unref()
  }

  private async pass (): Promise<PassReport> {
    const started = performance.now()
    const report: PassReport = { logsChecked: 0, segmentsDeleted: 0, logsCleaned: 0, handlesReleased: 0, durationMs: 0 }
    const logs = [...this.options.logs()]
    let slice = performance.now()
    for (const log of logs) {
      if (this.halting) break
      if (!log.isOpen) continue
      const now = this.now()
      report.logsChecked++
      try {
        report.segmentsDeleted += await log.deleteOldSegments(now)
      } catch (error) {
        this.options.logger?.warn(`retention of ${log.dir} failed: ${(error as Error).message}`)
      }
      if (log.releaseIdleHandles(now, this.options.idleHandleMs)) report.handlesReleased++
      if (performance.now() - slice > RETENTION_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve))
        slice = performance.now()
      }
    }

    const now = this.now()
    const due = logs
      .filter((log) => log.isOpen && log.settings.cleanupPolicy.compact && !this.uncleanable.has(log))
      .map((log) => ({ log, range: log.cleanableRange(now) }))
      .filter(({ range }) => range.due)
      .sort((a, b) => b.range.dirtyRatio - a.range.dirtyRatio)
    for (const { log } of due) {
      if (this.halting) break
      try {
        if (await log.compact(this.now(), this.options.cleaner) !== null) report.logsCleaned++
      } catch (error) {
        if (error instanceof CleaningAbortedError) continue
        this.uncleanable.add(log)
        this.options.logger?.error(`compaction of ${log.dir} failed, not retried until restart: ${(error as Error).message}`)
      }
    }
    report.durationMs = performance.now() - started
    return report
  }
}
