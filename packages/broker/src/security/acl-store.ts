import { join } from 'node:path'
import { PatternType, WILDCARD, bindingKey, filterMatches, type AclBinding, type AclFilter } from './acl.js'
import { readJsonFile, writeJsonFile } from './json-file.js'

/**
 * Every ACL of the cluster, persisted in <data>/security/acls.json (rewritten whole on each change: ACL changes
 * are rare admin operations). Bindings are indexed by resource type and literal name, with the prefixed and
 * wildcard ones apart, so an authorization looks at the few bindings that can apply to one resource.
 */
interface StoredAcls { version: 1, acls: AclBinding[] }

interface TypeIndex {
  literal: Map<string, AclBinding[]>
  prefixed: AclBinding[]
}

export class AclStore {
  private readonly bindings = new Map<string, AclBinding>()
  private index = new Map<number, TypeIndex>()
  /** Bumped on every change; authorization caches compare it. */
  generation = 0

  private constructor (private readonly file: string | null) {}

  /** The store of a data directory (created on the first change). */
  static open (dataDir: string): AclStore {
    const file = join(dataDir, 'security', 'acls.json')
    const store = new AclStore(file)
    const stored = readJsonFile<StoredAcls>(file)
    for (const binding of stored?.acls ?? []) store.bindings.set(bindingKey(binding), { ...binding })
    store.reindex()
    return store
  }

  /** An in-memory store, for tests. */
  static memory (): AclStore {
    return new AclStore(null)
  }

  get size (): number {
    return this.bindings.size
  }

  all (): AclBinding[] {
    return [...this.bindings.values()]
  }

  /** Adds bindings (an existing identical binding is not duplicated) and persists once. */
  add (bindings: AclBinding[]): void {
    if (bindings.length === 0) return
    for (const binding of bindings) this.bindings.set(bindingKey(binding), { ...binding })
    this.changed()
  }

  /** Removes and returns, per filter, every binding it matches; persists once. */
  remove (filters: AclFilter[]): AclBinding[][] {
    const removed = filters.map((filter) => this.all().filter((binding) => filterMatches(filter, binding)))
    let any = false
    for (const list of removed) {
      for (const binding of list) any = this.bindings.delete(bindingKey(binding)) || any
    }
    if (any) this.changed()
    return removed
  }

  find (filter: AclFilter): AclBinding[] {
    return this.all().filter((binding) => filterMatches(filter, binding))
  }

  /** Bindings whose pattern applies to the named resource: literal name, literal wildcard, matching prefixes. */
  applicable (resourceType: number, name: string): AclBinding[] {
    const typeIndex = this.index.get(resourceType)
    if (typeIndex === undefined) return NONE
    const exact = typeIndex.literal.get(name)
    const wildcard = name === WILDCARD ? undefined : typeIndex.literal.get(WILDCARD)
    const prefixed = typeIndex.prefixed.length === 0 ? NONE : typeIndex.prefixed.filter((binding) => name.startsWith(binding.resourceName))
    if (wildcard === undefined && prefixed.length === 0) return exact ?? NONE
    return [...(exact ?? NONE), ...(wildcard ?? NONE), ...prefixed]
  }

  /** Every binding of one resource type (Kafka's authorizeByResourceType). */
  ofType (resourceType: number): AclBinding[] {
    const typeIndex = this.index.get(resourceType)
    if (typeIndex === undefined) return NONE
    return [...[...typeIndex.literal.values()].flat(), ...typeIndex.prefixed]
  }

  private changed (): void {
    this.generation++
    this.reindex()
    if (this.file !== null) writeJsonFile(this.file, { version: 1, acls: this.all() } satisfies StoredAcls)
  }

  private reindex (): void {
    const index = new Map<number, TypeIndex>()
    for (const binding of this.bindings.values()) {
      let typeIndex = index.get(binding.resourceType)
      if (typeIndex === undefined) index.set(binding.resourceType, typeIndex = { literal: new Map(), prefixed: [] })
      if (binding.patternType === PatternType.PREFIXED) {
        typeIndex.prefixed.push(binding)
      } else {
        const list = typeIndex.literal.get(binding.resourceName)
        if (list === undefined) typeIndex.literal.set(binding.resourceName, [binding])
        else list.push(binding)
      }
    }
    this.index = index
  }
}

const NONE: AclBinding[] = []
