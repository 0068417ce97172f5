/** Prometheus text exposition of request counters/latency and the registry's state (no client library needed). */
import type { Registry } from '../registry.js'

export class Metrics {
  private readonly requests = new Map<string, number>()
  private readonly durations = new Map<string, { sum: number, count: number }>()
  private readonly started = Date.now()

  observe (method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${route}",status="${status}"`
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1)
    const dkey = `method="${method}",route="${route}"`
    const d = this.durations.get(dkey) ?? { sum: 0, count: 0 }
    d.sum += seconds
    d.count++
    this.durations.set(dkey, d)
  }

  render (registry: Registry, writer: boolean): string {
    const state = registry.state
    let versions = 0
    let deleted = 0
    for (const subject of state.subjects.keys()) {
      for (const entry of state.versionsOf(subject, 'all')) entry.deleted ? deleted++ : versions++
    }
    const lines = [
      '# HELP samsa_registry_http_requests_total HTTP requests by method, route pattern and status.',
      '# TYPE samsa_registry_http_requests_total counter',
      ...[...this.requests].map(([labels, n]) => `samsa_registry_http_requests_total{${labels}} ${n}`),
      '# HELP samsa_registry_http_request_duration_seconds Time to answer, by method and route pattern.',
      '# TYPE samsa_registry_http_request_duration_seconds summary',
      ...[...this.durations].flatMap(([labels, d]) => [`samsa_registry_http_request_duration_seconds_sum{${labels}} ${d.sum}`, `samsa_registry_http_request_duration_seconds_count{${labels}} ${d.count}`]),
      '# HELP samsa_registry_subjects Subjects with at least one live version.',
      '# TYPE samsa_registry_subjects gauge',
      `samsa_registry_subjects ${registry.subjects().length}`,
      '# HELP samsa_registry_versions Schema versions by state.',
      '# TYPE samsa_registry_versions gauge',
      `samsa_registry_versions{state="live"} ${versions}`,
      `samsa_registry_versions{state="soft_deleted"} ${deleted}`,
      '# HELP samsa_registry_schema_ids Distinct schema ids in use.',
      '# TYPE samsa_registry_schema_ids gauge',
      `samsa_registry_schema_ids ${state.ids().length}`,
      '# HELP samsa_registry_max_schema_id Highest schema id seen in the log.',
      '# TYPE samsa_registry_max_schema_id gauge',
      `samsa_registry_max_schema_id ${state.maxId}`,
      '# HELP samsa_registry_store_offset Offset of _schemas applied to the state (exclusive).',
      '# TYPE samsa_registry_store_offset gauge',
      `samsa_registry_store_offset ${registry.store.appliedOffset}`,
      '# HELP samsa_registry_store_records_skipped_total Records of _schemas that were not understood and skipped.',
      '# TYPE samsa_registry_store_records_skipped_total counter',
      `samsa_registry_store_records_skipped_total ${state.recordsSkipped}`,
      '# HELP samsa_registry_up 1 while the store reader is healthy.',
      '# TYPE samsa_registry_up gauge',
      `samsa_registry_up ${registry.store.healthy ? 1 : 0}`,
      '# HELP samsa_registry_writer 1 while this instance is the elected (or configured) writer.',
      '# TYPE samsa_registry_writer gauge',
      `samsa_registry_writer ${writer ? 1 : 0}`,
      '# HELP samsa_registry_uptime_seconds Seconds since start.',
      '# TYPE samsa_registry_uptime_seconds gauge',
      `samsa_registry_uptime_seconds ${(Date.now() - this.started) / 1000}`
    ]
    return lines.join('\n') + '\n'
  }
}
