import { statfsSync } from 'node:fs'
import { DescribeLogDirsApi, ErrorCode } from '@samsa/protocol'
import { clusterError } from '../security/guards.js'
import { defineHandler } from './types.js'

/**
 * DescribeLogDirs (35), versions 0–4.
 * Behavior: one log directory (the data directory). A null topic list describes every partition; otherwise the
 * named partitions that exist (unknown ones are left out, as Kafka does). partitionSize is the bytes of the
 * partition's segments; offsetLag is 0 and isFutureKey false (no replica movement on one node).
 * Version notes: v2 flexible; v3 top-level errorCode; v4 totalBytes / usableBytes of the file system.
 */
export const describeLogDirsHandler = defineHandler({
  api: DescribeLogDirsApi,
  minVersion: 0,
  maxVersion: 4,
  handle (request, context) {
    const { broker } = context
    // security/: DESCRIBE on the cluster (Kafka answers CLUSTER_AUTHORIZATION_FAILED from v3, nothing before).
    const denied = clusterError(context, 'DESCRIBE')
    if (denied !== ErrorCode.NONE) return { throttleTimeMs: 0, errorCode: denied, results: [] }
    const wanted = request.topics === null
      ? broker.topics.list().map((topic) => ({ topic: topic.name, partitions: topic.partitions.map((_log, index) => index) }))
      : request.topics
    const topics = []
    for (const { topic: name, partitions } of wanted) {
      const topic = broker.topics.get(name)
      if (topic === undefined) continue
      const described = partitions
        .filter((index) => topic.partitions[index] !== undefined)
        .map((index) => ({ partitionIndex: index, partitionSize: topic.partitions[index]!.size, offsetLag: 0, isFutureKey: false }))
      if (described.length > 0) topics.push({ name, partitions: described })
    }
    let totalBytes = -1
    let usableBytes = -1
    try {
      const fs = statfsSync(broker.config.dataDir)
      totalBytes = fs.blocks * fs.bsize
      usableBytes = fs.bavail * fs.bsize
    } catch {}
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir: broker.config.dataDir, topics, totalBytes, usableBytes }]
    }
  }
})
