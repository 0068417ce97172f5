/** Retry and dead-letter topic names: `<topic>-retry-<n>` (n from 0) and `<topic>-dlt`, as Spring suffixes them. */
const RETRY = /^(.+)-retry-(\d+)$/

export function retryTopicName (topic: string, stage: number): string {
  return `${topic}-retry-${stage}`
}

export function deadLetterTopicName (topic: string): string {
  return `${topic}-dlt`
}

/** The main topic and retry stage of a topic name (stage -1 for a main topic). */
export function parseRetryTopic (topic: string): { base: string, stage: number } {
  const match = RETRY.exec(topic)
  return match === null ? { base: topic, stage: -1 } : { base: match[1]!, stage: Number(match[2]) }
}

export function isDeadLetterTopic (topic: string): boolean {
  return topic.endsWith('-dlt')
}
