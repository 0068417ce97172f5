import type { ApiDefinition, DeepPartial, RequestHeader, RequestOf, ResponseOf } from '@samsa/protocol'
import type { BrokerConfig } from '../config.js'
import type { Logger } from '../logger.js'
import type { TopicRegistry } from '../topics/topic-registry.js'
import type { FaultHooks, ProducerStates } from '../producers/index.js'
import type { TransactionCoordinator } from '../transactions/index.js'
import type { GroupCoordinator } from '../groups/index.js'
import type { Security, Session } from '../security/index.js'

/** What a handler may use: the broker's state owners, never the socket. */
export interface BrokerContext {
  readonly config: BrokerConfig
  readonly topics: TopicRegistry
  readonly logger: Logger
  readonly nodeId: number
  readonly clusterId: string
  /** Host/port clients should connect to (Metadata, DescribeCluster). */
  readonly advertised: { host: string, port: number }
  readonly handlers: HandlerRegistry
  /** Aborted when the broker stops: long-polls finish early. */
  readonly closing: AbortSignal
  /** Per-partition producer state: idempotence checks, open transactions, LSO, aborted-transaction index. */
  readonly producers: ProducerStates
  readonly transactions: TransactionCoordinator
  /** Consumer groups and committed offsets. */
  readonly groups: GroupCoordinator
  /** Test-only fault injection points (all unset in production). */
  readonly faults: FaultHooks
  /** SASL, credentials, ACL authorizer, audit log (security/); handlers check access with security/authorize.ts. */
  readonly security: Security
}

export interface RequestContext {
  readonly header: RequestHeader
  readonly version: number
  readonly broker: BrokerContext
  /** The client's address as Kafka shows it (DescribeGroups clientHost): "/127.0.0.1". */
  readonly clientHost?: string
  /** Who is asking (principal), from where, on which listener; absent for internal calls, which are trusted. */
  readonly session?: Session
}

/** A response body: fields left out take the version's defaults when encoded. */
export type Reply<A extends ApiDefinition> = DeepPartial<ResponseOf<A>>

/**
 * One handler per API key. `handle` returns the response body, or null when no response is sent (Produce with
 * acks=0). Kafka failures are error codes in the reply; a thrown error is a fault that closes the connection.
 */
export interface Handler<A extends ApiDefinition = ApiDefinition> {
  readonly api: A
  readonly minVersion: number
  readonly maxVersion: number
  handle: (request: RequestOf<A>, context: RequestContext) => Reply<A> | null | Promise<Reply<A> | null>
}

export interface HandlerRegistry {
  get: (apiKey: number) => Handler | undefined
  all: () => Handler[]
}

/** Identity helper that lets TypeScript infer request/response types from the API definition. */
export function defineHandler<A extends ApiDefinition> (handler: Handler<A>): Handler<A> {
  return handler
}
