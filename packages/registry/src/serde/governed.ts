/**
 * The serializers' view of a registered schema's governance: its metadata (from the registry, by id — what was
 * registered, not what the producer believes) turned into a field plan and schema-level rules, once per
 * (schema id, message).
 */
import type { ParsedSchema } from '../formats/index.js'
import { governanceOf, type SchemaGovernance } from '../governance/classification.js'
import { fieldPlan, type FieldPlan } from '../governance/fields.js'
import type { RegistryClient } from './client.js'

export interface Governed { plan: FieldPlan, governance: SchemaGovernance, active: boolean }

export class GovernedCache {
  private readonly plans = new Map<string, Promise<Governed>>()
  constructor (private readonly client: RegistryClient) {}

  get (id: number, parsed: ParsedSchema, messageName?: string): Promise<Governed> {
    const key = `${id}/${messageName ?? ''}`
    let value = this.plans.get(key)
    if (value === undefined) {
      value = this.client.schemaById(id).then((registered) => {
        // A registered dataClassification we cannot read must stop the producer, never silently disable the rules.
        const governance = governanceOf(registered.metadata)
        const plan = fieldPlan(parsed, registered.metadata, messageName)
        return { plan, governance, active: plan.tagged || governance.dataClassification === 'PHI' }
      })
      this.plans.set(key, value)
      value.catch(() => this.plans.delete(key))
    }
    return value
  }
}
