import { Reader, Writer } from '@samsa/protocol'

/**
 * The records of the group journal. Each is the payload of one journal frame (see journal.ts); the first byte is
 * the record type. Strings are int16-length UTF-8, as in Kafka's non-flexible encoding; numbers big-endian.
 *
 *   1 offset         group, topic, partition i32, offset i64, leaderEpoch i32, metadata (i32-length UTF-8),
 *                    commitTimestamp i64,
 *                    expireTimestamp i64 (-1 = governed by offsets.retention.minutes)
 *   2 offset-delete  group, topic, partition i32
 *   3 group          group, groupType, body (the group type's own serialization, opaque here)
 *   4 group-delete   group — removes the group's metadata and every committed offset of it
 *
 * The latest record per key wins on replay: (group, topic, partition) for offsets, group for metadata.
 */
export interface CommittedOffset {
  offset: number
  leaderEpoch: number
  metadata: string
  commitTimestamp: number
  /** Absolute expiry set by OffsetCommit v2–4 retentionTimeMs; -1 when offsets.retention.minutes governs. */
  expireTimestamp: number
}

export type GroupRecord =
  | { type: 'offset', group: string, topic: string, partition: number, value: CommittedOffset }
  | { type: 'offset-delete', group: string, topic: string, partition: number }
  | { type: 'group', group: string, groupType: string, body: Buffer }
  | { type: 'group-delete', group: string }

const OFFSET = 1
const OFFSET_DELETE = 2
const GROUP = 3
const GROUP_DELETE = 4

export function encodeRecord (record: GroupRecord): Buffer {
  const writer = new Writer(64)
  switch (record.type) {
    case 'offset': {
      const { value } = record
      writer.int8(OFFSET).string(record.group, false).string(record.topic, false).int32(record.partition)
      writer.int64(value.offset).int32(value.leaderEpoch).bytes(Buffer.from(value.metadata, 'utf8'), false).int64(value.commitTimestamp).int64(value.expireTimestamp)
      break
    }
    case 'offset-delete':
      writer.int8(OFFSET_DELETE).string(record.group, false).string(record.topic, false).int32(record.partition)
      break
    case 'group':
      writer.int8(GROUP).string(record.group, false).string(record.groupType, false).bytes(record.body, false)
      break
    case 'group-delete':
      writer.int8(GROUP_DELETE).string(record.group, false)
      break
  }
  return writer.toBuffer()
}

/** Decodes one payload; throws on an unknown type or a payload that does not parse (the frame CRC was valid). */
export function decodeRecord (payload: Buffer): GroupRecord {
  const reader = new Reader(payload)
  const type = reader.int8()
  const text = (): string => {
    const value = reader.string(false)
    if (value === null) throw new Error('null string in group journal record')
    return value
  }
  let record: GroupRecord
  switch (type) {
    case OFFSET: {
      const group = text()
      const topic = text()
      const partition = reader.int32()
      record = { type: 'offset', group, topic, partition, value: { offset: reader.int64(), leaderEpoch: reader.int32(), metadata: (reader.bytes(false) ?? Buffer.alloc(0)).toString('utf8'), commitTimestamp: reader.int64(), expireTimestamp: reader.int64() } }
      break
    }
    case OFFSET_DELETE:
      record = { type: 'offset-delete', group: text(), topic: text(), partition: reader.int32() }
      break
    case GROUP:
      record = { type: 'group', group: text(), groupType: text(), body: reader.bytes(false) ?? Buffer.alloc(0) }
      break
    case GROUP_DELETE:
      record = { type: 'group-delete', group: text() }
      break
    default:
      throw new Error(`unknown group journal record type ${type}`)
  }
  if (reader.remaining !== 0) throw new Error(`${reader.remaining} trailing bytes after a group journal record of type ${type}`)
  return record
}
