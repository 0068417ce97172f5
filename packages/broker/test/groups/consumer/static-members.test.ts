import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ErrorCode } from '@samsa/protocol'
import { createTopic, sleep } from '../group-helpers.js'
import { Kip848Member, expectCode, settledPair, startConsumerBroker } from './consumer-helpers.js'

test('a static member that leaves with epoch -2 keeps its partitions; its restart under a new id gets them back without a rebalance', async (t) => {
  const server = await startConsumerBroker(t, { 'group.consumer.session.timeout.ms': '30000' })
  createTopic(server, 't', 6)
  const { a, b, group } = await settledPair(t, server, { groupId: 's', instanceId: 'instance-a', memberId: 'a1' }, { groupId: 's', instanceId: 'instance-b', memberId: 'b1' })
  const epoch = group.groupEpoch
  const partitionsOfB = b.ownedList()

  const left = await b.leave(-2)
  expectCode(left.errorCode, ErrorCode.NONE)
  assert.equal(left.memberEpoch, -2)
  assert.equal(group.groupEpoch, epoch, 'no rebalance for a temporary leave')
  assert.equal(group.staticMember('instance-b')?.memberEpoch, -2)
  // a is not given b's partitions meanwhile.
  for (let i = 0; i < 3; i++) {
    const response = await a.heartbeat()
    assert.equal(response.assignment, null)
  }
  // Another process claiming instance-a while a is active is refused.
  const intruder = await Kip848Member.connect(t, server, { groupId: 's', instanceId: 'instance-a', memberId: 'x' })
  const refused = await intruder.heartbeat()
  expectCode(refused.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID)

  // b restarts with a new member id: same partitions, same epoch, nobody else disturbed.
  const restarted = await Kip848Member.connect(t, server, { groupId: 's', instanceId: 'instance-b', memberId: 'b2' })
  const rejoined = await restarted.heartbeat()
  expectCode(rejoined.errorCode, ErrorCode.NONE)
  assert.equal(rejoined.memberEpoch, epoch)
  assert.deepEqual(rejoined.assignment?.topicPartitions, partitionsOfB)
  assert.equal(group.groupEpoch, epoch)
  assert.equal(group.members.has('b1'), false)
  assert.equal(group.stateName, 'Stable')
  // The old id is fenced out of the instance.
  expectCode((await b.send({ memberEpoch: epoch })).errorCode, ErrorCode.FENCED_INSTANCE_ID)
  expectCode((await b.send({ memberEpoch: -1 })).errorCode, ErrorCode.FENCED_INSTANCE_ID)
})

test('a static member that left temporarily and never returns is removed when its session ends', async (t) => {
  const server = await startConsumerBroker(t, { 'group.consumer.session.timeout.ms': '400' })
  createTopic(server, 't', 4)
  const { a, b, group } = await settledPair(t, server, { groupId: 's', instanceId: 'ia' }, { groupId: 's', instanceId: 'ib' })
  await b.leave(-2)
  const started = Date.now()
  while (group.staticMember('ib') !== undefined) {
    await a.heartbeat()
    assert.ok(Date.now() - started < 3000)
    await sleep(30)
  }
  await a.heartbeat()
  assert.equal(a.ownedCount(), 4)
})

test('a static member leaving with epoch -1 leaves for good: the group rebalances', async (t) => {
  const server = await startConsumerBroker(t)
  createTopic(server, 't', 4)
  const { a, b, group } = await settledPair(t, server, { groupId: 's', instanceId: 'ia' }, { groupId: 's', instanceId: 'ib' })
  const epoch = group.groupEpoch
  expectCode((await b.leave(-1)).errorCode, ErrorCode.NONE)
  assert.equal(group.groupEpoch, epoch + 1)
  assert.equal(group.staticMember('ib'), undefined)
  await a.heartbeat()
  assert.equal(a.ownedCount(), 4)
  // Unknown instance ids.
  const stranger = await Kip848Member.connect(t, server, { groupId: 's', instanceId: 'nobody', memberId: 'n' })
  stranger.epoch = 3
  const unknown = await stranger.send()
  expectCode(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(unknown.errorMessage, 'Instance id nobody is unknown.')
})
