import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@samsa/protocol'
import { createTopic } from '../group-helpers.js'
import { Kip848Member, consumerGroupOf, describe, expectCode, settle, settledPair, startConsumerBroker, topicId } from './consumer-helpers.js'

test('subscribed topics that appear, grow or disappear bump the group epoch and change the assignment', async (t) => {
  const server = await startConsumerBroker(t)
  const topics = server.broker.context.topics
  createTopic(server, 'now', 2)
  const { a, b, group } = await settledPair(t, server, { groupId: 'm', topics: ['now', 'later'] })
  assert.equal(a.ownedCount() + b.ownedCount(), 2)
  let epoch = group.groupEpoch

  createTopic(server, 'later', 4)
  await settle([a, b], () => group)
  assert.equal(group.groupEpoch, epoch + 1, 'a created topic is a new epoch')
  assert.equal(a.ownedCount() + b.ownedCount(), 6)
  assert.deepEqual([a.ownedCount(), b.ownedCount()], [3, 3])
  epoch = group.groupEpoch

  topics.addPartitions(topics.get('later')!, 6)
  await settle([a, b], () => group)
  assert.equal(group.groupEpoch, epoch + 1, 'new partitions are a new epoch')
  assert.deepEqual([a.ownedCount(), b.ownedCount()], [4, 4])
  epoch = group.groupEpoch

  const laterId = topicId(server, 'later')
  await topics.delete(topics.get('later')!)
  await settle([a, b], () => group)
  assert.equal(group.groupEpoch, epoch + 1, 'a deleted topic is a new epoch')
  assert.equal(a.owned.has(laterId) || b.owned.has(laterId), false, 'its partitions were revoked')
  assert.equal(a.ownedCount() + b.ownedCount(), 2)
  const described = await describe(a.client, 'm')
  assert.deepEqual(described.members.map((member) => member.subscribedTopicNames), [['later', 'now'], ['later', 'now']])
})

test('v1 regular expressions: whole topic names match, topics created later join the subscription', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 'orders-eu', 2)
  createTopic(server, 'orders-us', 2)
  createTopic(server, 'orders', 2)
  createTopic(server, 'audit-orders-eu', 2)
  const { a, b, group } = await settledPair(t, server, { groupId: 'rx', topics: null, regex: 'orders-.*' }, { groupId: 'rx', topics: ['orders'], regex: null })
  const id = (name: string): string => topicId(server, name)
  assert.deepEqual([...a.owned.keys()].sort(), [id('orders-eu'), id('orders-us')].sort())
  assert.deepEqual([...b.owned.keys()], [id('orders')])
  const epoch = group.groupEpoch
  createTopic(server, 'orders-apac', 3)
  await settle([a, b], () => group)
  assert.equal(group.groupEpoch, epoch + 1)
  assert.equal(a.ownedCount(), 7)
  const described = await describe(a.client, 'rx')
  const first = described.members.find((member) => member.memberId === a.memberId)!
  assert.equal(first.subscribedTopicRegex, 'orders-.*')
  assert.deepEqual(first.subscribedTopicNames, [])
})

test('a member changing its subscription bumps the epoch and is reconciled to the new topics', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 'x', 3)
  createTopic(server, 'y', 3)
  const a = await Kip848Member.connect(t, server, { groupId: 'sub', topics: ['x'] })
  await a.heartbeat()
  assert.equal(a.ownedCount(), 3)
  const changed = await a.heartbeat({ subscribedTopicNames: ['y'] })
  expectCode(changed.errorCode, ErrorCode.NONE)
  // First it must revoke x's partitions (same epoch), then it gets y's.
  assert.deepEqual(changed.assignment, { topicPartitions: [] })
  const next = await a.heartbeat()
  assert.deepEqual(next.assignment?.topicPartitions, [{ topicId: topicId(server, 'y'), partitions: [0, 1, 2] }])
  assert.equal(consumerGroupOf(server, 'sub').stateName, 'Stable')
})
