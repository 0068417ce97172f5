import type { Consumer } from '@platformatic/kafka'

/**
 * Hooks into the group requests @platformatic/kafka 1.35.0 sends, so the SDK can act at the two moments the
 * client offers no callback for:
 *
 * - classic protocol: right before a member sends JoinGroup to rejoin (the eager protocol gives up every
 *   partition there; Java calls onPartitionsRevoked at this point);
 * - consumer protocol (KIP-848): right before a ConsumerGroupHeartbeat reports the member's owned partitions —
 *   the client updates its assignment and acknowledges a revocation in the same tick, and the acknowledgement is
 *   what lets the coordinator hand the partitions to another member. The client also emits no event when a
 *   KIP-848 assignment changes, so this is where the SDK learns about it.
 *
 * Each hook may delay its request (the returned promise), never longer than `holdLimitMs`.
 */
export interface GroupRequestHooks {
  /** Classic: a JoinGroup is about to be sent. */
  beforeJoin?: () => Promise<void> | undefined
  /** Consumer protocol: a heartbeat with member epoch `memberEpoch` is about to be sent (-1: leaving). */
  beforeHeartbeat?: (memberEpoch: number) => Promise<void> | undefined
  holdLimitMs: number
}

type ApiFunction = ((connection: unknown, ...args: unknown[]) => void) & { key?: number, version?: number, async?: unknown }
type GetApi = (name: string, callback: (error: Error | null, api?: ApiFunction) => void) => void

// The client resolves every request through this (non-exported) symbol method; found by its description.
const GET_API_DESCRIPTION = 'plt.kafka.base.getApi'
// Position of the member epoch in ConsumerGroupHeartbeat's arguments after the connection.
const HEARTBEAT_MEMBER_EPOCH = 2

function findGetApi (consumer: object): symbol {
  for (let proto = Object.getPrototypeOf(consumer); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const found = Object.getOwnPropertySymbols(proto).find((symbol) => symbol.description === GET_API_DESCRIPTION)
    if (found !== undefined) return found
  }
  throw new Error(`@platformatic/kafka internals changed: no ${GET_API_DESCRIPTION} method (the SDK is pinned to 1.35.0)`)
}

/** Installs the hooks on one consumer instance; returns a function that removes them. */
export function interceptGroupRequests (consumer: Consumer, hooks: GroupRequestHooks): () => void {
  const key = findGetApi(consumer)
  const target = consumer as unknown as Record<symbol, GetApi>
  const original = target[key]!
  const hold = async (wait: Promise<void>): Promise<void> => {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([wait.catch(() => {}), new Promise<void>((resolve) => { timer = setTimeout(resolve, hooks.holdLimitMs) })])
    clearTimeout(timer)
  }
  const wrap = (api: ApiFunction, before: (args: unknown[]) => Promise<void> | undefined): ApiFunction => {
    const wrapped: ApiFunction = (connection, ...args) => {
      const wait = before(args)
      if (wait === undefined) api(connection, ...args)
      else hold(wait).finally(() => { api(connection, ...args) }).catch(() => {})
    }
    return Object.assign(wrapped, { key: api.key, version: api.version, async: api.async })
  }
  target[key] = function (this: unknown, name: string, callback: Parameters<GetApi>[1]): void {
    original.call(this, name, (error, api) => {
      if (error !== null || api === undefined) {
        callback(error, api)
      } else if (name === 'JoinGroup' && hooks.beforeJoin !== undefined) {
        const beforeJoin = hooks.beforeJoin
        callback(null, wrap(api, () => beforeJoin()))
      } else if (name === 'ConsumerGroupHeartbeat' && hooks.beforeHeartbeat !== undefined) {
        const beforeHeartbeat = hooks.beforeHeartbeat
        callback(null, wrap(api, (args) => beforeHeartbeat(Number(args[HEARTBEAT_MEMBER_EPOCH]))))
      } else {
        callback(null, api)
      }
    })
  }
  return () => {
    if (target[key] !== original) delete target[key]
  }
}

/**
 * Joins a KIP-848 group. In 1.35.0 `joinGroup()` does nothing for `groupProtocol: 'consumer'`; only `consume()`
 * sends the first ConsumerGroupHeartbeat. An empty stream is opened for that and closed at once: it reads no
 * topic and commits nothing, and heartbeats then go on on the client's timers.
 */
export async function joinConsumerGroup (consumer: Consumer): Promise<void> {
  const stream = await consumer.consume({ topics: [], autocommit: false })
  await stream.close()
}
