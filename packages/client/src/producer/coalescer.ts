import type { MessageToProduce, ProduceResult, Producer } from '@platformatic/kafka'

type Message = MessageToProduce<Buffer, Buffer, string, Buffer>
type RawProducer = Producer<Buffer, Buffer, string, Buffer>

interface Pending {
  messages: Message[]
  bytes: number
  resolve: (result: ProduceResult) => void
  reject: (error: unknown) => void
}

/** Bytes per combined request; stays under the default max.message.bytes (1 MiB) of one partition's batch. */
const MAX_COMBINED_BYTES = 768 * 1024

/**
 * Serializes the sends of an idempotent producer, merging the calls that wait into one request.
 *
 * Why: @platformatic/kafka 1.35 advances an idempotent producer's sequence numbers only when a produce response
 * arrives, so two sends in flight to one partition carry the same sequence and the broker rejects the second
 * (OUT_OF_ORDER_SEQUENCE_NUMBER) — or, worse, takes it for a retry of the first. One request at a time is safe;
 * merging what queued up meanwhile keeps the throughput of pipelining (it is the Java client's linger, for free).
 * Each caller gets back the offsets of its own records: within one partition a request's records are contiguous.
 */
export class SendCoalescer {
  readonly #producer: RawProducer
  #queue: Pending[] = []
  #busy = false

  constructor (producer: RawProducer) {
    this.#producer = producer
  }

  async send (messages: Message[]): Promise<ProduceResult> {
    const bytes = messages.reduce((sum, m) => sum + (m.key?.length ?? 0) + (m.value?.length ?? 0) + 64, 0)
    return await new Promise<ProduceResult>((resolve, reject) => {
      this.#queue.push({ messages, bytes, resolve, reject })
      this.#drain()
    })
  }

  #drain (): void {
    if (this.#busy || this.#queue.length === 0) return
    let bytes = 0
    let take = 0
    while (take < this.#queue.length && (take === 0 || bytes + this.#queue[take]!.bytes <= MAX_COMBINED_BYTES)) bytes += this.#queue[take++]!.bytes
    const batch = this.#queue.splice(0, take)
    this.#busy = true
    const all = batch.length === 1 ? batch[0]!.messages : batch.flatMap((p) => p.messages)
    this.#producer.send({ messages: all }).then((result) => {
      if (batch.length === 1) {
        batch[0]!.resolve(result)
        return
      }
      // The producer rewrote every message's partition to its final value; hand each caller its own offsets.
      const base = new Map((result.offsets ?? []).map((o) => [`${o.topic}\u0000${o.partition}`, o.offset]))
      const seen = new Map<string, bigint>()
      for (const pending of batch) {
        const mine = new Map<string, { topic: string, partition: number, offset: bigint }>()
        for (const message of pending.messages) {
          const key = `${message.topic}\u0000${message.partition ?? 0}`
          const index = seen.get(key) ?? 0n
          seen.set(key, index + 1n)
          const first = base.get(key)
          if (!mine.has(key) && first !== undefined) mine.set(key, { topic: message.topic, partition: message.partition ?? 0, offset: first + index })
        }
        pending.resolve(result.offsets === undefined ? { ...result } : { ...result, offsets: [...mine.values()] })
      }
    }, (error: unknown) => {
      for (const pending of batch) pending.reject(error)
    }).finally(() => {
      this.#busy = false
      this.#drain()
    })
  }
}
