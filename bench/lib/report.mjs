// Turns the two result objects into the "metric | samsa | mock | ratio" table printed by bench/run.mjs.
import { RECORD_BYTES } from './kcat.mjs'

const MB = 1e6

/** Rows: [label, pick(result) → number | null, digits, better: 'higher' | 'lower' | null]. */
const ROWS = [
  ['produce msg/s', (r) => r.produce.records / (r.produce.ms / 1000), 0, 'higher'],
  ['produce MB/s', (r) => r.produce.records * RECORD_BYTES / MB / (r.produce.ms / 1000), 1, 'higher'],
  ['produce wall time s', (r) => r.produce.ms / 1000, 2, 'lower'],
  ['consume msg/s', (r) => r.consume.records / (r.consume.ms / 1000), 0, 'higher'],
  ['consume MB/s', (r) => r.consume.records * RECORD_BYTES / MB / (r.consume.ms / 1000), 1, 'higher'],
  ['consume wall time s', (r) => r.consume.ms / 1000, 2, 'lower'],
  ['records consumed (worst run)', (r) => r.consume.records, 0, null],
  ['partitions (metadata)', (r) => r.partitions, 0, null],
  ['cold start ms (median)', (r) => r.startMs, 0, 'lower'],
  ['idle RSS MB', (r) => r.idleRss / MB, 1, 'lower'],
  ['peak RSS MB (after bench)', (r) => r.peakRss / MB, 1, 'lower']
]

function format (value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—'
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

function pick (result, getter) {
  if (!result) return null
  try {
    const value = getter(result)
    return Number.isFinite(value) ? value : null
  } catch {
    return null
  }
}

/** Returns the table as a string; ratio = samsa ÷ mock (for throughput > 1 is better, for time/memory < 1 is). */
export function renderTable ({ samsa, mock }) {
  const rows = [['metric', 'samsa', 'mock', 'ratio (samsa/mock)']]
  for (const [label, getter, digits, better] of ROWS) {
    const s = pick(samsa, getter)
    const m = pick(mock, getter)
    const ratio = s !== null && m ? `${(s / m).toFixed(2)}×` + (better ? ` (${better} is better)` : '') : '—'
    rows.push([label, format(s, digits), format(m, digits), better ? ratio : (s === null || s === m ? '' : 'differs!')])
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)))
  const line = (row) => row.map((cell, column) => column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column])).join(' | ')
  const separator = widths.map((width) => '-'.repeat(width)).join('-|-')
  return [line(rows[0]), separator, ...rows.slice(1).map(line)].join('\n')
}
