import { withAdmin } from './internal/admin.js'
import type { ResolvedClientOptions } from './config.js'

export interface HealthStatus {
  status: 'up' | 'down'
  clientId: string
  brokers: Array<{ nodeId: number, host: string, port: number }>
  /** Topic names (internal topics excluded), sorted. */
  topics: string[]
  latencyMs: number
  error?: string
}

export async function checkHealth (resolved: ResolvedClientOptions, timeoutMs: number): Promise<HealthStatus> {
  const started = performance.now()
  const base = { clientId: resolved.clientId, brokers: [], topics: [] }
  let timer: NodeJS.Timeout | undefined
  try {
    const probe = withAdmin({ ...resolved, retry: { ...resolved.retry, retries: 0 } }, async (admin) => {
      const topics = await admin.listTopics({ includeInternals: false })
      const metadata = await admin.metadata({ topics: [] })
      return {
        topics: [...topics].sort(),
        brokers: [...metadata.brokers].map(([nodeId, { host, port }]) => ({ nodeId, host, port })).sort((a, b) => a.nodeId - b.nodeId)
      }
    })
    const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs) })
    const { topics, brokers } = await Promise.race([probe, timeout])
    return { ...base, status: 'up', topics, brokers, latencyMs: Math.round(performance.now() - started) }
  } catch (error) {
    return { ...base, status: 'down', latencyMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) }
  } finally {
    clearTimeout(timer)
  }
}
