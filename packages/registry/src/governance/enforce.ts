/**
 * Governance rules applied to values by the serializers.
 *
 * On produce (before encoding), per tagged string field, by its classification's action:
 *   encrypt — plaintext is encrypted with the key provider's current key (no provider: a violation);
 *   mask    — plaintext is masked (PII / SENSITIVE only);
 *   reject  — plaintext is a violation;
 *   none    — no rule.
 * Values already protected pass unchanged whatever the action: an encryption envelope, a token, and for PII /
 * SENSITIVE a properly masked value. Defaults: PHI encrypt, PII reject, SENSITIVE none, PUBLIC none. A schema whose
 * dataClassification is PHI also needs its consent field to be `true`.
 *
 * On consume (after decoding), every envelope in a tagged field is decrypted for an authorized reader (one whose key
 * provider holds the key, and whose `authorize` hook, if any, agrees); others get a redaction or the ciphertext.
 *
 * The walk is copy-on-write: the caller's object is never modified; untouched sub-objects are shared.
 */
import { classificationOf, maskStyleOf, type DataClassification, type MaskStyle, type SchemaGovernance } from './classification.js'
import { decryptField, encryptField, parseEnvelope, type DataKey } from './envelope.js'
import { GovernanceError, type GovernanceErrorCode, type Violation } from './errors.js'
import type { FieldPlan, GovernedField, ValueNode } from './fields.js'
import type { KeyProvider } from './keyring.js'
import { isMasked, mask, REDACTED } from './masking.js'

export type ProtectAction = 'encrypt' | 'mask' | 'reject' | 'none'
export const DEFAULT_ACTIONS: Readonly<Record<DataClassification, ProtectAction>> = { PHI: 'encrypt', PII: 'reject', SENSITIVE: 'none', PUBLIC: 'none' }
/** Default token shape (a tokenization service's surrogate): `tok_` and at least 8 more URL-safe characters. */
export const DEFAULT_TOKEN_PATTERN = /^tok_[A-Za-z0-9_-]{8,}$/

export interface ProduceGovernanceOptions {
  keyProvider?: KeyProvider
  actions?: Partial<Record<DataClassification, ProtectAction>>
  /** Recognizes tokenized values (default DEFAULT_TOKEN_PATTERN). */
  isToken?: (value: string) => boolean
  /** The GCM nonce source (tests pin it for exact bytes; default 12 random bytes). */
  nonce?: () => Buffer
}

export interface ConsumedField { fullName: string, path: string, classification?: DataClassification, tags: string[], keyId: string }

export interface ConsumeGovernanceOptions {
  /** The keys this reader holds; without one, every encrypted field stays protected. */
  keyProvider?: KeyProvider
  /** Further restricts decryption per field (default: everything the key provider can decrypt). */
  authorize?: (field: ConsumedField) => boolean
  /** What an unauthorized reader sees in an encrypted field: a redaction `*****` (default) or the envelope. */
  unauthorized?: 'redact' | 'ciphertext'
}

export function resolveActions (actions: ProduceGovernanceOptions['actions'] = {}): Record<DataClassification, ProtectAction> {
  const out = { ...DEFAULT_ACTIONS, ...actions }
  if (out.PHI === 'mask') throw new TypeError('PHI fields cannot be masked: they must be encrypted or tokenized (actions.PHI: encrypt | reject | none)')
  for (const [level, action] of Object.entries(out)) {
    if (!['encrypt', 'mask', 'reject', 'none'].includes(action)) throw new TypeError(`unknown governance action '${action}' for ${level}`)
  }
  return out
}

interface Leaf { field: GovernedField, value: string, path: string }

/** Visits the string leaves under tagged fields; `replace` returns the new value (same string = unchanged). */
function walk (node: ValueNode, value: unknown, field: GovernedField | undefined, path: string, replace: (leaf: Leaf) => string): unknown {
  if (value === null || value === undefined) return value
  switch (node.kind) {
    case 'string':
      return field !== undefined && typeof value === 'string' && value !== '' ? replace({ field, value, path }) : value
    case 'record': {
      if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) return value
      const record = value as Record<string, unknown>
      let out: Record<string, unknown> | undefined
      for (const child of node.fields) {
        if (!Object.prototype.hasOwnProperty.call(record, child.name)) continue
        const before = record[child.name]
        const after = walk(child.node, before, child.tags.length > 0 ? child : undefined, path === '' ? child.name : `${path}.${child.name}`, replace)
        if (after !== before) {
          out ??= Object.assign(Object.create(Object.getPrototypeOf(record) as object | null) as Record<string, unknown>, record)
          out[child.name] = after
        }
      }
      return out ?? value
    }
    case 'array': {
      if (!Array.isArray(value)) return value
      let out: unknown[] | undefined
      value.forEach((item, i) => {
        const after = walk(node.items, item, field, `${path}[${i}]`, replace)
        if (after !== item) (out ??= [...value])[i] = after
      })
      return out ?? value
    }
    case 'map': {
      if (value instanceof Map) {
        let out: Map<unknown, unknown> | undefined
        for (const [key, item] of value) {
          const after = walk(node.values, item, field, `${path}.${String(key)}`, replace)
          if (after !== item) (out ??= new Map(value)).set(key, after)
        }
        return out ?? value
      }
      if (typeof value !== 'object' || Array.isArray(value)) return value
      let out: Record<string, unknown> | undefined
      for (const [key, item] of Object.entries(value)) {
        const after = walk(node.values, item, field, `${path}.${key}`, replace)
        if (after !== item) (out ??= { ...value as Record<string, unknown> })[key] = after
      }
      return out ?? value
    }
    case 'union': {
      if (node.wrapped) {
        if (typeof value !== 'object' || Array.isArray(value)) return value
        const keys = Object.keys(value)
        const branch = keys.length === 1 ? node.branches.find((b) => b.name === keys[0]) : undefined
        if (branch === undefined) return value
        const inner = (value as Record<string, unknown>)[branch.name]
        const after = walk(branch.node, inner, field, path, replace)
        return after === inner ? value : { [branch.name]: after }
      }
      const kind = typeof value === 'string' ? ['string'] : Array.isArray(value) ? ['array'] : typeof value === 'object' && !Buffer.isBuffer(value) ? ['record', 'map'] : []
      const branch = node.branches.find((b) => kind.includes(b.node.kind))
      return branch === undefined ? value : walk(branch.node, value, field, path, replace)
    }
    default:
      return value
  }
}

/** The tagged string leaves of a value, in walk order. */
function leavesOf (plan: FieldPlan, value: unknown): Leaf[] {
  const leaves: Leaf[] = []
  walk(plan.root, value, undefined, '', (leaf) => { leaves.push(leaf); return leaf.value })
  return leaves
}

/** Replaces the leaves (same order as leavesOf) by `values`. */
function rewrite (plan: FieldPlan, value: unknown, values: string[]): unknown {
  let i = 0
  return walk(plan.root, value, undefined, '', () => values[i++] as string)
}

function consentValue (value: unknown, field: string): unknown {
  let at = value
  for (const part of field.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined
    at = (at as Record<string, unknown>)[part]
  }
  return at
}

const VIOLATION_BY_LEVEL: Record<Exclude<DataClassification, 'PUBLIC'>, GovernanceErrorCode> = {
  PHI: 'SAMSA_REGISTRY_GOVERNANCE_PHI_UNPROTECTED',
  PII: 'SAMSA_REGISTRY_GOVERNANCE_PII_UNMASKED',
  SENSITIVE: 'SAMSA_REGISTRY_GOVERNANCE_SENSITIVE_UNPROTECTED'
}
const MASK_HINT: Record<MaskStyle, string> = { ssn: 'like *****1234', last4: 'every character but the last four as *', full: 'every character as *' }

function ruleMessage (level: Exclude<DataClassification, 'PUBLIC'>, path: string, style: MaskStyle): string {
  switch (level) {
    case 'PHI': return `PHI field '${path}' must be encrypted or tokenized`
    case 'PII': return `PII field '${path}' must be properly masked (${MASK_HINT[style]}), encrypted or tokenized`
    case 'SENSITIVE': return `SENSITIVE field '${path}' must be masked (${MASK_HINT[style]}), encrypted or tokenized`
  }
}

export interface ProduceContext { schemaId?: number, governance: SchemaGovernance }

/** Checks and protects a value before it is encoded; throws GovernanceError with every violation found. */
export async function governForProduce (plan: FieldPlan, value: unknown, options: ProduceGovernanceOptions, context: ProduceContext): Promise<unknown> {
  const actions = resolveActions(options.actions)
  const isToken = options.isToken ?? ((v: string) => DEFAULT_TOKEN_PATTERN.test(v))
  const violations: Violation[] = []
  const { governance } = context
  if (governance.dataClassification === 'PHI' && consentValue(value, governance.consentField) !== true) {
    violations.push({ code: 'SAMSA_REGISTRY_GOVERNANCE_CONSENT_MISSING', field: governance.consentField, path: governance.consentField, classification: 'PHI', message: `PHI data requires verified consent: field '${governance.consentField}' must be true` })
  }
  if (!plan.tagged) {
    if (violations.length > 0) throw new GovernanceError(violations, context)
    return value
  }
  const leaves = leavesOf(plan, value)
  const needsKey = leaves.some((leaf) => {
    const level = classificationOf(leaf.field.tags)
    return level !== undefined && actions[level] === 'encrypt' && parseEnvelope(leaf.value) === undefined && !isToken(leaf.value)
  })
  let key: DataKey | undefined
  let keyError: unknown
  if (needsKey && options.keyProvider !== undefined) {
    try {
      key = await options.keyProvider.encryptionKey()
    } catch (error) {
      keyError = error
    }
  }
  const replaced = leaves.map(({ field, value: text, path }) => {
    const level = classificationOf(field.tags)
    if (level === undefined || level === 'PUBLIC') return text
    const action = actions[level]
    if (action === 'none' || parseEnvelope(text) !== undefined || isToken(text)) return text
    const style = maskStyleOf(field.tags)
    if (level !== 'PHI' && isMasked(text, style)) return text
    const violation = (code: GovernanceErrorCode, message: string): string => {
      violations.push({ code, field: field.fullName, path, classification: level, message })
      return text
    }
    if (action === 'mask') return mask(text, style)
    if (action === 'reject') return violation(VIOLATION_BY_LEVEL[level], ruleMessage(level, path, style))
    if (options.keyProvider === undefined) return violation(VIOLATION_BY_LEVEL[level], `${ruleMessage(level, path, style)} (no key provider is configured to encrypt it)`)
    if (key === undefined) return violation('SAMSA_REGISTRY_GOVERNANCE_KEY_UNAVAILABLE', `no encryption key for ${level} field '${path}': ${(keyError as Error | undefined)?.message ?? 'the key provider returned none'}`)
    try {
      return encryptField(text, key, field.name, options.nonce?.())
    } catch (error) {
      return violation('SAMSA_REGISTRY_GOVERNANCE_KEY_UNAVAILABLE', `cannot encrypt ${level} field '${path}' with key ${key.id}: ${(error as Error).message}`)
    }
  })
  if (violations.length > 0) {
    // A key failure is transient even when rule violations exist too: retrying may succeed.
    violations.sort((a, b) => Number(b.code === 'SAMSA_REGISTRY_GOVERNANCE_KEY_UNAVAILABLE') - Number(a.code === 'SAMSA_REGISTRY_GOVERNANCE_KEY_UNAVAILABLE'))
    throw new GovernanceError(violations, { ...context, cause: keyError })
  }
  return rewrite(plan, value, replaced)
}

/** Decrypts (or redacts) the encrypted fields of a decoded value. */
export async function governForConsume (plan: FieldPlan, value: unknown, options: ConsumeGovernanceOptions, context: { schemaId?: number, governance?: SchemaGovernance }): Promise<unknown> {
  if (!plan.tagged) return value
  const leaves = leavesOf(plan, value).map((leaf) => ({ ...leaf, envelope: parseEnvelope(leaf.value) }))
  if (!leaves.some((leaf) => leaf.envelope !== undefined)) return value
  const keys = new Map<string, Buffer | undefined>()
  const replaced: string[] = []
  for (const leaf of leaves) {
    const { envelope, field, path } = leaf
    if (envelope === undefined) { replaced.push(leaf.value); continue }
    const classification = classificationOf(field.tags)
    const described: ConsumedField = { fullName: field.fullName, path, tags: field.tags, keyId: envelope.keyId, ...(classification === undefined ? {} : { classification }) }
    let key: Buffer | undefined
    if (options.keyProvider !== undefined && (options.authorize?.(described) ?? true)) {
      if (!keys.has(envelope.keyId)) {
        try {
          keys.set(envelope.keyId, await options.keyProvider.decryptionKey(envelope.keyId))
        } catch (error) {
          throw new GovernanceError([{ code: 'SAMSA_REGISTRY_GOVERNANCE_KEY_UNAVAILABLE', field: field.fullName, path, message: `cannot get key ${envelope.keyId} for field '${path}': ${(error as Error).message}`, ...(classification === undefined ? {} : { classification }) }], { ...context, cause: error })
        }
      }
      key = keys.get(envelope.keyId)
    }
    if (key === undefined) { replaced.push(options.unauthorized === 'ciphertext' ? leaf.value : REDACTED); continue }
    try {
      replaced.push(decryptField(envelope, key, field.name))
    } catch (error) {
      throw new GovernanceError([{ code: 'SAMSA_REGISTRY_GOVERNANCE_DECRYPTION_FAILED', field: field.fullName, path, message: `field '${path}' does not decrypt with key ${envelope.keyId} (altered, or written for another field)`, ...(classification === undefined ? {} : { classification }) }], { ...context, cause: error })
    }
  }
  return rewrite(plan, value, replaced)
}
