import { Admin } from '@platformatic/kafka'
import { toBaseOptions, type ResolvedClientOptions } from '../config.js'

export async function withAdmin<T> (resolved: ResolvedClientOptions, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(toBaseOptions(resolved, `${resolved.clientId}-admin`))
  try {
    return await use(admin)
  } finally {
    await admin.close().catch(() => {})
  }
}

/**
 * Creates the topics of `wanted` that do not exist, each with the partition count of its `like` topic (which is
 * created by metadata auto-creation if the cluster allows it). A concurrent creation by someone else is fine.
 */
export async function ensureTopicsLike (resolved: ResolvedClientOptions, wanted: Array<{ name: string, like: string }>): Promise<string[]> {
  if (wanted.length === 0) return []
  return await withAdmin(resolved, async (admin) => {
    const existing = new Set(await admin.listTopics({ includeInternals: false }))
    const missing = wanted.filter(({ name }) => !existing.has(name))
    if (missing.length === 0) return []
    const likes = [...new Set(missing.map((m) => m.like))]
    const metadata = await admin.metadata({ topics: likes, autocreateTopics: true })
    const byCount = new Map<number, string[]>()
    for (const { name, like } of missing) {
      const count = metadata.topics.get(like)?.partitionsCount ?? 1
      byCount.set(count, [...(byCount.get(count) ?? []), name])
    }
    for (const [partitions, topics] of byCount) {
      try {
        await admin.createTopics({ topics, partitions, replicas: -1 })
      } catch (error) {
        if (!(error as { findBy?: (k: string, v: unknown) => unknown }).findBy?.('apiId', 'TOPIC_ALREADY_EXISTS')) throw error
      }
    }
    return missing.map((m) => m.name)
  })
}
