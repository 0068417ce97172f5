/**
 * Governance checks at registration, so a schema that can never be produced correctly is refused up front (42201):
 * a dataClassification outside PHI | PII | SENSITIVE | PUBLIC; a PHI or PII field that is not a string (they are
 * encrypted, tokenized or masked, which needs strings); a PHI schema without its boolean consent field.
 * PROTOBUF: the first message of the file is checked for the consent field.
 */
import type { ParsedSchema } from '../formats/index.js'
import type { SchemaMetadata } from '../store/records.js'
import { classificationOf, governanceOf, type SchemaGovernance } from './classification.js'
import { fieldPlan, type ValueNode } from './fields.js'

function holdsStrings (node: ValueNode): boolean {
  switch (node.kind) {
    case 'string': return true
    case 'array': return holdsStrings(node.items)
    case 'map': return holdsStrings(node.values)
    case 'union': {
      const branches = node.branches.filter((b) => b.name !== 'null')
      return branches.length > 0 && branches.every((b) => holdsStrings(b.node))
    }
    default: return false
  }
}

function isBoolean (node: ValueNode): boolean {
  if (node.kind === 'boolean') return true
  return node.kind === 'union' && node.branches.some((b) => b.node.kind === 'boolean') && node.branches.every((b) => b.node.kind === 'boolean' || b.name === 'null')
}

function fieldAt (root: ValueNode, path: string): ValueNode | undefined {
  let at: ValueNode | undefined = root
  for (const part of path.split('.')) {
    if (at?.kind === 'union') at = at.branches.find((b) => b.node.kind === 'record')?.node
    if (at?.kind !== 'record') return undefined
    at = at.fields.find((f) => f.name === part)?.node
  }
  return at
}

/** Problems that make the schema unusable under our governance rules (empty = fine). */
export function governanceProblems (parsed: ParsedSchema, metadata: SchemaMetadata | undefined): string[] {
  let governance: SchemaGovernance
  try {
    governance = governanceOf(metadata)
  } catch (error) {
    return [(error as Error).message]
  }
  const problems: string[] = []
  const plan = fieldPlan(parsed, metadata)
  const seen = new Set<ValueNode>()
  const visit = (node: ValueNode): void => {
    if (seen.has(node)) return
    seen.add(node)
    switch (node.kind) {
      case 'record':
        for (const field of node.fields) {
          const level = classificationOf(field.tags)
          if ((level === 'PHI' || level === 'PII') && !holdsStrings(field.node)) {
            problems.push(`${level} field ${field.fullName} is not a string (${level} fields are encrypted, tokenized or masked, which needs string values)`)
          }
          visit(field.node)
        }
        return
      case 'array': return visit(node.items)
      case 'map': return visit(node.values)
      case 'union': for (const branch of node.branches) visit(branch.node)
    }
  }
  visit(plan.root)
  if (governance.dataClassification === 'PHI') {
    const consent = fieldAt(plan.root, governance.consentField)
    if (consent === undefined || !isBoolean(consent)) problems.push(`a PHI schema needs a boolean consent field '${governance.consentField}' (metadata property consentField names another)`)
  }
  return problems
}
