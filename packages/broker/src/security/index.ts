import { randomBytes } from 'node:crypto'
import type { BrokerConfig } from '../config.js'
import type { Logger } from '../logger.js'
import type { TopicRegistry } from '../topics/topic-registry.js'
import type { RequestContext } from '../handlers/types.js'
import { AclStore } from './acl-store.js'
import type { OperationName, ResourceTypeName } from './acl.js'
import { AuditLog, type AuditEvent } from './audit.js'
import { AclAuthorizer } from './authorizer.js'
import { CredentialStore } from './credentials.js'
import { parseMappingRules, type MappingRule } from './principal-mapping.js'
import type { SaslExchange } from './sasl/exchange.js'
import { PlainExchange } from './sasl/plain.js'
import { ScramExchange } from './sasl/scram-server.js'
import { isScramMechanism } from './scram.js'

/**
 * The broker's security services, one instance per broker: SASL mechanisms and credentials, the ACL authorizer
 * (only when authorizer.class.name is set), the audit log, and the certificate principal rules.
 * `checks` is false when there is neither an authorizer nor an audit log: request handlers then skip every
 * authorization call after one boolean test, so an unsecured broker pays nothing on the produce/fetch path.
 */
export const SUPPORTED_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const
/** Allowed decisions on these operations are audited with audit.log.authorizations=sensitive (the default). */
const SENSITIVE_OPERATIONS = new Set<OperationName>(['CREATE', 'DELETE', 'ALTER', 'ALTER_CONFIGS', 'DESCRIBE_CONFIGS', 'CLUSTER_ACTION', 'IDEMPOTENT_WRITE', 'ALL'])

export class Security {
  readonly authorizer: AclAuthorizer | undefined
  readonly acls: AclStore
  readonly credentials: CredentialStore
  readonly audit: AuditLog | undefined
  readonly mechanisms: readonly string[]
  readonly reauthMs: number
  readonly failureDelayMs: number
  readonly maxReceiveSize: number
  readonly principalRules: readonly MappingRule[]
  readonly checks: boolean
  private readonly auditPolicy: string
  /** Seeds the made-up SCRAM salts of unknown users; random per process. */
  private readonly fakeSecret = randomBytes(32)

  private constructor (config: BrokerConfig, topics: TopicRegistry, readonly logger: Logger) {
    this.mechanisms = config.saslEnabledMechanisms.split(',').map((item) => item.trim()).filter((item) => item !== '')
    this.reauthMs = config.connectionsMaxReauthMs
    this.failureDelayMs = config.connectionFailedAuthenticationDelayMs
    this.maxReceiveSize = config.saslServerMaxReceiveSize
    this.principalRules = parseMappingRules(config.sslPrincipalMappingRules)
    this.credentials = CredentialStore.open(config.dataDir)
    this.acls = AclStore.open(config.dataDir)
    if (config.authorizerClassName !== '') {
      const superUsers = new Set(config.superUsers.split(';').map((item) => item.trim()).filter((item) => item !== ''))
      this.authorizer = new AclAuthorizer(this.acls, { superUsers, allowEveryoneIfNoAclFound: config.allowEveryoneIfNoAclFound })
    }
    if (config.auditLogFile !== '' || config.auditLogTopic !== '') this.audit = new AuditLog(config.auditLogFile, config.auditLogTopic, topics, logger)
    this.auditPolicy = config.auditLogAuthorizations
    this.checks = this.authorizer !== undefined || (this.audit !== undefined && this.auditPolicy !== 'none')
  }

  /** The configuration was checked by loadConfig (config-check.ts). */
  static open (config: BrokerConfig, topics: TopicRegistry, logger: Logger): Security {
    return new Security(config, topics, logger)
  }

  createExchange (mechanism: string): SaslExchange {
    if (mechanism === 'PLAIN') return new PlainExchange(this.credentials)
    if (isScramMechanism(mechanism)) return new ScramExchange(mechanism, this.credentials, this.fakeSecret)
    throw new Error(`no SASL mechanism ${mechanism}`)
  }

  /** An authorization decision for a request, audited per audit.log.authorizations; quiet = a filter (no denial audit). */
  check (context: RequestContext, operation: OperationName, resourceType: ResourceTypeName, name: string, quiet = false): boolean {
    const session = context.session
    if (session === undefined) return true
    const allowed = this.authorizer?.authorize(session.principal, session.host, operation, resourceType, name) ?? true
    if (this.audit !== undefined && this.audited(operation, resourceType, allowed, quiet)) {
      this.audit.record({ event: 'authorization', principal: session.principal, client: session.host, listener: session.listener.name, api: context.broker.handlers.get(context.header.apiKey)?.api.name ?? context.header.apiKey, operation, resourceType, resourceName: name, allowed })
    }
    return allowed
  }

  /** The authorizer's decision without auditing, for probes such as KIP-430 authorized operations. */
  allows (context: RequestContext, operation: OperationName, resourceType: ResourceTypeName, name: string): boolean {
    const session = context.session
    if (session === undefined || this.authorizer === undefined) return true
    return this.authorizer.authorize(session.principal, session.host, operation, resourceType, name)
  }

  /** May the principal perform `operation` on at least one resource of this type (Kafka's authorizeByResourceType)? */
  checkAny (context: RequestContext, operation: OperationName, resourceType: ResourceTypeName): boolean {
    const session = context.session
    if (session === undefined || this.authorizer === undefined) return true
    return this.authorizer.authorizeAny(session.principal, session.host, operation, resourceType)
  }

  /** Records an applied admin change (ACLs, users) with who made it. */
  recordChange (context: RequestContext, details: Record<string, unknown>): void {
    this.audit?.record({ event: 'change', principal: context.session?.principal ?? 'internal', client: context.session?.host ?? '', api: context.broker.handlers.get(context.header.apiKey)?.api.name ?? context.header.apiKey, ...details })
  }

  record (event: AuditEvent): void {
    this.audit?.record(event)
  }

  async close (): Promise<void> {
    await this.audit?.close()
  }

  private audited (operation: OperationName, resourceType: ResourceTypeName, allowed: boolean, quiet: boolean): boolean {
    switch (this.auditPolicy) {
      case 'all': return !quiet || allowed
      case 'denied': return !allowed && !quiet
      case 'none': return false
      default: return allowed ? SENSITIVE_OPERATIONS.has(operation) || resourceType === 'CLUSTER' : !quiet
    }
  }
}

export type { Session } from './session.js'
