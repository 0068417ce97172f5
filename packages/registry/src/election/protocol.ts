/**
 * What registry instances exchange through the Kafka group protocol to elect the one writer (the approach of
 * Confluent's Kafka-based leader election; our payloads are our own JSON, so a Confluent registry in the same group
 * is refused by the coordinator — INCONSISTENT_GROUP_PROTOCOL — instead of both writing).
 *
 * Member metadata (JoinGroup): {"version":1,"url":"http://host:port","eligible":true}
 * Assignment (SyncGroup, the same for every member): {"version":1,"error":0,"writer":{"memberId":…,"url":…}}
 * error 1 = no member is eligible to write.
 */
export const PROTOCOL_TYPE = 'sr'
export const PROTOCOL_NAME = 'samsa-v1'

export interface MemberIdentity { url: string, eligible: boolean }
export interface WriterAssignment { error: 0 | 1, writer?: { memberId: string, url: string } }

export function encodeIdentity (identity: MemberIdentity): Buffer {
  return Buffer.from(JSON.stringify({ version: 1, url: identity.url, eligible: identity.eligible }))
}

export function decodeIdentity (bytes: Buffer | null): MemberIdentity | undefined {
  if (bytes === null || bytes.length === 0) return undefined
  try {
    const raw = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
    if (typeof raw.url !== 'string') return undefined
    return { url: raw.url, eligible: raw.eligible === true }
  } catch {
    return undefined
  }
}

export function encodeAssignment (assignment: WriterAssignment): Buffer {
  return Buffer.from(JSON.stringify({ version: 1, ...assignment }))
}

export function decodeAssignment (bytes: Buffer | null): WriterAssignment | undefined {
  if (bytes === null || bytes.length === 0) return undefined
  try {
    const raw = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>
    const writer = raw.writer as { memberId?: unknown, url?: unknown } | undefined
    if (raw.error === 0 && typeof writer?.memberId === 'string' && typeof writer.url === 'string') return { error: 0, writer: { memberId: writer.memberId, url: writer.url } }
    return { error: 1 }
  } catch {
    return undefined
  }
}

/**
 * The group leader's choice: the previous writer while it is still an eligible member (a joining instance must not
 * move the writer), otherwise the eligible member with the smallest URL (deterministic; ties by member id).
 */
export function chooseWriter (members: Array<{ memberId: string, identity: MemberIdentity | undefined }>, previousWriterUrl?: string): WriterAssignment {
  const eligible = members.filter((m): m is { memberId: string, identity: MemberIdentity } => m.identity?.eligible === true)
  if (eligible.length === 0) return { error: 1 }
  const previous = eligible.find((m) => m.identity.url === previousWriterUrl)
  const chosen = previous ?? [...eligible].sort((a, b) => a.identity.url < b.identity.url ? -1 : a.identity.url > b.identity.url ? 1 : a.memberId < b.memberId ? -1 : 1)[0] as { memberId: string, identity: MemberIdentity }
  return { error: 0, writer: { memberId: chosen.memberId, url: chosen.identity.url } }
}
