/**
 * Murmur2 as the Java Kafka client computes it (`Utils.murmur2`), bit-exact: seed 0x9747b28c, little-endian
 * 4-byte chunks, fall-through tail, signed 32-bit result. Math.imul keeps the multiplications in 32 bits.
 */
const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

export function murmur2 (data: Uint8Array): number {
  const length = data.length
  let h = (SEED ^ length) | 0
  const whole = length & ~3
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)
    k = Math.imul(k, M)
    k ^= k >>> R
    k = Math.imul(k, M)
    h = Math.imul(h, M)
    h ^= k
  }
  // The tail bytes, in Java's fall-through order (3 → 2 → 1).
  const tail = length & 3
  if (tail === 3) h ^= data[whole + 2]! << 16
  if (tail >= 2) h ^= data[whole + 1]! << 8
  if (tail >= 1) {
    h ^= data[whole]!
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Java's `Utils.toPositive`: clears the sign bit (not Math.abs, which differs for negative numbers). */
export function toPositive (value: number): number {
  return value & 0x7fffffff
}

/** The partition the Java client's default partitioner picks for a non-null key, over all partitions. */
export function javaKeyPartition (key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions
}
