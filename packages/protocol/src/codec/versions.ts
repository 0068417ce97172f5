/** A version span as Kafka's message JSON writes it: "0+", "3-7", "5", or "none". */
export interface VersionRange {
  readonly min: number
  readonly max: number
}

export const NO_VERSIONS: VersionRange = { min: 1, max: 0 }
export const ALL_VERSIONS: VersionRange = { min: 0, max: Number.MAX_SAFE_INTEGER }

export function parseVersions (text: string): VersionRange {
  if (text === 'none') return NO_VERSIONS
  const plus = /^(\d+)\+$/.exec(text)
  if (plus) return { min: Number(plus[1]), max: Number.MAX_SAFE_INTEGER }
  const span = /^(\d+)-(\d+)$/.exec(text)
  if (span) return { min: Number(span[1]), max: Number(span[2]) }
  if (/^\d+$/.test(text)) return { min: Number(text), max: Number(text) }
  throw new TypeError(`invalid version range "${text}"`)
}

export function inRange (range: VersionRange, version: number): boolean {
  return version >= range.min && version <= range.max
}
