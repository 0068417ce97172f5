/**
 * How far one partition may be committed. Records are added in offset order; they may complete in any order
 * (per-key lanes run concurrently). The committable offset is the first offset not yet done — or, with nothing
 * pending, the fetch position, which also skips transaction markers and compacted gaps.
 */
export class PartitionProgress {
  #order: bigint[] = []
  #head = 0
  readonly #done = new Set<bigint>()
  #fetched: bigint
  #committable: bigint
  committed: bigint | undefined

  constructor (position: bigint) {
    this.#fetched = position
    this.#committable = position
  }

  add (offset: bigint): void {
    this.#order.push(offset)
  }

  /** The position after the last fetched batch (records of that fetch already added). */
  fetchedTo (position: bigint): void {
    if (position > this.#fetched) this.#fetched = position
    if (this.pending === 0) this.#committable = this.#fetched
  }

  complete (offset: bigint): void {
    this.#done.add(offset)
    while (this.#head < this.#order.length && this.#done.delete(this.#order[this.#head]!)) this.#head++
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head)
      this.#head = 0
    }
    this.#committable = this.#head < this.#order.length ? this.#order[this.#head]! : this.#fetched
  }

  get pending (): number {
    return this.#order.length - this.#head
  }

  /** The offset to commit (the next record to read), or undefined when already committed. */
  get toCommit (): bigint | undefined {
    return this.committed === undefined || this.#committable > this.committed ? this.#committable : undefined
  }
}
