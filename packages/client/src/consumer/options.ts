import type { RetryPolicyOptions } from '../retry/policy.js'
import type { MessageContext } from '../types.js'
import type { Ordering } from './dispatcher.js'
import type { GroupProtocol } from './fetcher.js'

export interface ConsumerOptions {
  groupId: string
  /**
   * Group protocol (default 'classic'). 'consumer' is KIP-848's next-generation protocol: the broker assigns
   * partitions and rebalances are incremental (only moved partitions pause); `sessionTimeout` and
   * `heartbeatInterval` are then the broker's settings and these options are ignored.
   */
  groupProtocol?: GroupProtocol
  /** KIP-848 only: the broker-side assignor to ask for ('uniform', 'range'); default: the broker's. */
  groupRemoteAssignor?: string
  sessionTimeout?: number
  heartbeatInterval?: number
  rebalanceTimeout?: number
  /** Where partitions without a committed offset start (default false: the latest offset). */
  fromBeginning?: boolean
  /** Read aborted and open transactions too (default false: read_committed). */
  readUncommitted?: boolean
  maxWaitTimeInMs?: number
  minBytes?: number
  maxBytes?: number
  maxBytesPerPartition?: number
  /** Commit processed offsets automatically (default true). */
  autoCommit?: boolean
  /** 0 (default): commit as soon as something is done, one commit in flight at a time; > 0: at most this often. */
  autoCommitInterval?: number
  /** Records processed at once over all partitions (default 1). */
  concurrency?: number
  /** What stays in order under concurrency (default 'partition'). */
  ordering?: Ordering
  maxBufferedPerPartition?: number
  retry?: RetryPolicyOptions
  /** How long disconnect() waits for running handlers (default 30 000 ms). */
  shutdownTimeout?: number
  allowAutoTopicCreation?: boolean
}

const JSON_START = /^\s*[[{"\-\d]|^\s*(true|false|null)\s*$/

/** Parses a record value as the reference package does: JSON, else the raw string; null stays null. */
export function parseMessageValue (value: Buffer | null): unknown {
  if (value === null) return null
  const text = value.toString('utf8')
  // Skip the (costly) failing JSON.parse for text that cannot start a JSON value.
  if (!JSON_START.test(text)) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export interface TypedConsumer<M extends object> {
  handle: <K extends keyof M & string>(topic: K, handler: (message: M[K], context: MessageContext) => Promise<void>) => void
}
