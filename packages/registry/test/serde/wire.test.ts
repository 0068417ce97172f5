/** Wire format and message indexes, byte for byte (no registry needed). */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeMessageIndexes, encodeMessageIndexes, frame, messageIndexes, providerFor, subjectName, recordName, unframe, WireFormatError, type ProtoParsed } from '../../src/index.js'

test('frame: magic 0, big-endian id, payload', () => {
  const bytes = frame(0x01020304, Buffer.from([9, 9]))
  assert.deepEqual([...bytes], [0, 1, 2, 3, 4, 9, 9])
  assert.deepEqual(unframe(bytes), { id: 0x01020304, body: Buffer.from([9, 9]) })
  assert.throws(() => unframe(Buffer.from([1, 0, 0, 0, 1])), WireFormatError)
  assert.throws(() => unframe(Buffer.from([0, 0])), WireFormatError)
})

test('message indexes: [0] is one zero byte, others zigzag varints (count first)', () => {
  assert.deepEqual([...encodeMessageIndexes([0])], [0])
  assert.deepEqual([...encodeMessageIndexes([1])], [2, 2])
  assert.deepEqual([...encodeMessageIndexes([0, 2])], [4, 0, 4])
  assert.deepEqual([...encodeMessageIndexes([70])], [2, 0x8c, 0x01])
  assert.deepEqual([...encodeMessageIndexes([1], 'unsigned')], [1, 1])
  for (const indexes of [[0], [1], [3, 0, 5], [70, 200]]) {
    const encoded = Buffer.concat([encodeMessageIndexes(indexes), Buffer.from([0xaa])])
    assert.deepEqual(decodeMessageIndexes(encoded), { indexes, rest: Buffer.from([0xaa]) })
  }
  assert.throws(() => decodeMessageIndexes(Buffer.from([0x80])), WireFormatError)
})

test('message indexes follow nested declarations', () => {
  const parsed = providerFor('PROTOBUF').parse('syntax = "proto3"; package p; message A { message B { message C {} } message D {} } enum E { X = 0; } message F {}', [])
  const proto = parsed.native as ProtoParsed
  assert.deepEqual(messageIndexes(proto, 'p.A'), [0])
  assert.deepEqual(messageIndexes(proto, 'p.A.B.C'), [0, 0, 0])
  assert.deepEqual(messageIndexes(proto, 'p.A.D'), [0, 1])
  assert.deepEqual(messageIndexes(proto, 'p.F'), [1])
})

test('subject name strategies', () => {
  const avro = providerFor('AVRO').parse('{"type":"record","name":"Order","namespace":"shop","fields":[]}', [])
  assert.equal(subjectName('topic', 'orders', false, () => 'x'), 'orders-value')
  assert.equal(subjectName('topic', 'orders', true, () => 'x'), 'orders-key')
  assert.equal(subjectName('record', 'orders', false, () => recordName(avro)), 'shop.Order')
  assert.equal(subjectName('topic-record', 'orders', false, () => recordName(avro)), 'orders-shop.Order')
  const json = providerFor('JSON').parse('{"title":"Visit","type":"object"}', [])
  assert.equal(recordName(json), 'Visit')
})
