/** Kafka's rule for legal topic names: [a-zA-Z0-9._-], 1–249 characters, not "." or "..". */
const LEGAL = /^[a-zA-Z0-9._-]+$/
export const MAX_TOPIC_NAME_LENGTH = 249

export function topicNameProblem (name: string | null | undefined): string | null {
  if (name === null || name === undefined || name === '') return 'topic name is empty'
  if (name === '.' || name === '..') return `topic name "${name}" is not allowed`
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `topic name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`
  if (!LEGAL.test(name)) return `topic name "${name}" contains characters other than ASCII alphanumerics, '.', '_' and '-'`
  return null
}
