/**
 * Validators/normalizers for topic config values, with Kafka's error wording ("Invalid value x for configuration
 * y: ..."), so a client sees the same INVALID_CONFIG message it would get from Kafka. A normalizer returns the
 * value as Kafka prints it back in DescribeConfigs (ConfigDef.convertToString of the parsed value): "0100" → "100",
 * "TRUE" → "true", "compact, delete" → "compact,delete", "1" for a double → "1.0".
 */
export class ConfigValueError extends Error {}

export type Normalizer = (raw: string, key: string) => string

const INT_MIN = -(2 ** 31)
const INT_MAX = 2 ** 31 - 1
export const LONG_MAX_TEXT = '9223372036854775807'
const LONG_MIN = -9223372036854775808n
const LONG_MAX = 9223372036854775807n

function invalid (raw: string, key: string, reason: string): ConfigValueError {
  return new ConfigValueError(`Invalid value ${raw} for configuration ${key}: ${reason}`)
}

/** Java's Long.parseLong accepts an optional sign and decimal digits only. */
export const long = (min: number | bigint, max: bigint = LONG_MAX): Normalizer => (raw, key) => {
  const text = raw.trim()
  if (!/^[+-]?\d+$/.test(text)) throw invalid(raw, key, 'Not a number of type LONG')
  const value = BigInt(text)
  if (value < LONG_MIN || value > LONG_MAX) throw invalid(raw, key, 'Not a number of type LONG')
  if (value < BigInt(min)) throw invalid(raw, key, `Value must be at least ${min}`)
  if (value > max) throw invalid(raw, key, `Value must be no more than ${max}`)
  return value.toString()
}

export const int = (min: number, max: number = INT_MAX): Normalizer => (raw, key) => {
  const text = raw.trim()
  if (!/^[+-]?\d+$/.test(text)) throw invalid(raw, key, 'Not a number of type INT')
  const value = Number(text)
  if (value < INT_MIN || value > INT_MAX) throw invalid(raw, key, 'Not a number of type INT')
  if (value < min) throw invalid(raw, key, `Value must be at least ${min}`)
  if (value > max) throw invalid(raw, key, `Value must be no more than ${max}`)
  return String(value)
}

export const double = (min: number, max: number): Normalizer => (raw, key) => {
  const text = raw.trim()
  const value = Number(text)
  if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || !Number.isFinite(value)) throw invalid(raw, key, 'Not a number of type DOUBLE')
  if (value < min) throw invalid(raw, key, `Value must be at least ${javaDouble(min)}`)
  if (value > max) throw invalid(raw, key, `Value must be no more than ${javaDouble(max)}`)
  return javaDouble(value)
}

export const boolean: Normalizer = (raw, key) => {
  const text = raw.trim().toLowerCase()
  if (text === 'true' || text === 'false') return text
  throw invalid(raw, key, 'Expected value to be either true or false')
}

/** Kafka's ValidString: exact (case-sensitive) match. */
export const oneOf = (...allowed: string[]): Normalizer => (raw, key) => {
  const text = raw.trim()
  if (allowed.includes(text)) return text
  throw invalid(raw, key, `String must be one of: ${allowed.join(', ')}`)
}

/** Kafka's ValidList.in(...): comma-separated, items trimmed, each from `allowed`; empty allowed unless `nonEmpty`. */
export const listOf = (allowed: string[], options: { nonEmpty?: boolean } = {}): Normalizer => (raw, key) => {
  const items = splitList(raw)
  for (const item of items) {
    if (!allowed.includes(item)) throw invalid(raw, key, `String must be one of: ${allowed.join(', ')}`)
  }
  if (options.nonEmpty === true && items.length === 0) throw invalid(raw, key, 'Empty list is not allowed')
  return items.join(',')
}

/** Throttled-replica lists: "" or "*" or "partition:broker,..." (accepted for compatibility). */
export const replicaList: Normalizer = (raw, key) => {
  const items = splitList(raw)
  if (items.length === 1 && items[0] === '*') return '*'
  for (const item of items) {
    if (!/^\d+:\d+$/.test(item)) throw invalid(raw, key, 'must be the literal \'*\' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...')
  }
  return items.join(',')
}

/** message.format.version: any Kafka release version (deprecated and ignored since Kafka 3.0, as here). */
export const kafkaVersion: Normalizer = (raw, key) => {
  const text = raw.trim()
  if (/^\d+\.\d+(\.\d+)?(-IV\d+)?$/.test(text)) return text
  throw invalid(raw, key, `Version \`${text}\` is not a valid version`)
}

export function splitList (raw: string): string[] {
  return raw.split(',').map((item) => item.trim()).filter((item) => item !== '')
}

/** Java's Double.toString for the values configs use: "0.5", "1.0", "1.0E-4", "1.0E7". */
export function javaDouble (value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return `${value}.0`
  const magnitude = Math.abs(value)
  if (magnitude >= 1e-3 && magnitude < 1e7) return String(value)
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string]
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`
}

/** A normalized long as a JS number; Long.MAX_VALUE and anything beyond 2^53 becomes MAX_SAFE_INTEGER ("unbounded"). */
export function toNumber (normalized: string): number {
  const value = Number(normalized)
  if (value >= Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER
  if (value <= Number.MIN_SAFE_INTEGER) return Number.MIN_SAFE_INTEGER
  return value
}

/** The inverse of toNumber for reporting: MAX_SAFE_INTEGER prints as Long.MAX_VALUE. */
export function fromNumber (value: number): string {
  return value >= Number.MAX_SAFE_INTEGER ? LONG_MAX_TEXT : String(value)
}
