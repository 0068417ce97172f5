import type { TopicRegistry } from '../../topics/topic-registry.js'
import type { ConsumerMember } from './consumer-member.js'

/**
 * What a consumer group's members subscribe to, resolved against the topics that exist: Kafka's "subscription
 * metadata" (topic name → id and partition count). The group epoch is bumped whenever it changes — a subscribed
 * topic created, deleted (or re-created with a new id), or given more partitions — which makes the next heartbeat
 * compute a new target assignment.
 *
 * Regular expressions (ConsumerGroupHeartbeat v1, KIP-848): Kafka compiles them with RE2/J and matches whole topic
 * names; we use JavaScript's RegExp anchored at both ends, which agrees on the usual patterns (prefixes,
 * alternations, classes). Topics the requesting principal may not describe are left out, as in Kafka.
 */
export interface SubscribedTopic { id: string, partitions: number }
export type SubscriptionMetadata = ReadonlyMap<string, SubscribedTopic>

/** Kafka's INVALID_REGULAR_EXPRESSION (4.0), not in the protocol package's table yet. */
export const INVALID_REGULAR_EXPRESSION = 128

export function regexProblem (pattern: string): string | null {
  try {
    compile(pattern)
    return null
  } catch (error) {
    return `SubscribedTopicRegex \`${pattern}\` is not a valid regular expression: ${(error as Error).message}.`
  }
}

function compile (pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`)
}

/** Topic names matching each pattern, among the topics `visible` lets through. */
export function resolveRegexes (patterns: Iterable<string>, topics: TopicRegistry, visible: (topic: string) => boolean): Map<string, ReadonlySet<string>> {
  const names = topics.list().map((topic) => topic.name)
  const result = new Map<string, ReadonlySet<string>>()
  for (const pattern of patterns) {
    let regex: RegExp
    try {
      regex = compile(pattern)
    } catch {
      result.set(pattern, new Set())
      continue
    }
    result.set(pattern, new Set(names.filter((name) => regex.test(name) && visible(name))))
  }
  return result
}

/** A member's topics: the names it gave and the topics its pattern resolved to. */
export function memberTopics (member: ConsumerMember, resolved: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const topics = new Set(member.subscribedTopicNames)
  if (member.subscribedTopicRegex !== null) for (const name of resolved.get(member.subscribedTopicRegex) ?? []) topics.add(name)
  return topics
}

export function subscriptionMetadata (topicNames: Iterable<string>, topics: TopicRegistry): Map<string, SubscribedTopic> {
  const result = new Map<string, SubscribedTopic>()
  for (const name of topicNames) {
    const topic = topics.get(name)
    if (topic !== undefined) result.set(name, { id: topic.id, partitions: topic.partitions.length })
  }
  return result
}

export function sameMetadata (a: SubscriptionMetadata, b: SubscriptionMetadata): boolean {
  if (a.size !== b.size) return false
  for (const [name, topic] of a) {
    const other = b.get(name)
    if (other === undefined || other.id !== topic.id || other.partitions !== topic.partitions) return false
  }
  return true
}

export function sameTopicSets (a: ReadonlyMap<string, ReadonlySet<string>>, b: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  if (a.size !== b.size) return false
  for (const [key, set] of a) {
    const other = b.get(key)
    if (other === undefined || other.size !== set.size || [...set].some((name) => !other.has(name))) return false
  }
  return true
}
