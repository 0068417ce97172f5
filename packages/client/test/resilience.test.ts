import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { CircuitOpenError, KafkaClusters, silentLogger, type KafkaProducer } from '../src/index.js'
import { eventually, startBroker, testManager, uniqueTopic, type TestBroker } from './helpers.js'

describe('resilience: broker loss, circuit breaker, health checks', () => {
  let broker: TestBroker
  let manager: ReturnType<typeof testManager>
  let producer: KafkaProducer

  before(async () => {
    broker = await startBroker({ 'num.partitions': '2' })
    manager = testManager(broker, { retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 1000 } })
    producer = manager.createProducer('main')
    await producer.connect()
  })
  after(async () => {
    await manager?.disconnectAll()
    await broker?.stop()
  })

  test('broker killed and restarted mid-consume: the consumer resumes; nothing lost, nothing committed is processed again', async () => {
    const topic = uniqueTopic('restart')
    const total = 200
    await producer.send(topic, Array.from({ length: total }, (_, i) => ({ value: String(i), partition: i % 2 })))
    const consumer = manager.createConsumer('restart', { groupId: uniqueTopic('g'), fromBeginning: true, sessionTimeout: 6000, heartbeatInterval: 300, rebalanceTimeout: 6000 })
    await consumer.connect()
    const processed: number[] = []
    const committedAt = new Map<number, bigint>()
    consumer.on('commit', (offsets: Array<{ partition: number, offset: bigint }>) => { for (const o of offsets) committedAt.set(o.partition, o.offset) })
    let killedAt: Map<number, bigint> | undefined
    const afterRestart: Array<{ partition: number, offset: bigint }> = []
    consumer.registerHandler<number>(topic, async (value, context) => {
      await sleep(5)
      processed.push(value)
      if (killedAt !== undefined) afterRestart.push({ partition: context.partition, offset: BigInt(context.offset) })
    })
    await consumer.startWithHandlers()
    await eventually(() => processed.length >= 60, 20_000, '60 processed')
    const restart = await broker.kill()
    killedAt = new Map(committedAt)
    await sleep(1500)
    await restart()
    await eventually(() => new Set(processed).size === total, 60_000, 'every record processed')
    await eventually(() => (committedAt.get(0) ?? 0n) + (committedAt.get(1) ?? 0n) === BigInt(total), 20_000, 'everything committed')
    await consumer.disconnect()
    assert.deepEqual([...new Set(processed)].sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i))
    for (const { partition, offset } of afterRestart) {
      assert.ok(offset >= (killedAt.get(partition) ?? 0n), `offset ${offset} of partition ${partition} was committed (${killedAt.get(partition)}) before the broker died, yet processed again`)
    }
    assert.deepEqual([...committedAt.entries()].sort(), [[0, 100n], [1, 100n]])
  })

  test('circuit breaker: sends fail while the broker is down, then fail fast (OPEN); after the reset timeout a trial send closes it', async () => {
    const fast = testManager(broker, { retry: { initialRetryTime: 20, retries: 0, maxRetryTime: 20 } })
    const guarded = fast.createProducer('guarded', { circuitBreaker: { failureThreshold: 2, resetTimeout: 1000 } })
    await guarded.connect()
    const topic = uniqueTopic('guarded')
    await guarded.send(topic, [{ value: 'before' }])
    const restart = await broker.kill()
    try {
      await assert.rejects(guarded.send(topic, [{ value: 'x' }]))
      await assert.rejects(guarded.send(topic, [{ value: 'y' }]))
      assert.equal(guarded.circuit!.state, 'OPEN')
      const started = performance.now()
      await assert.rejects(guarded.send(topic, [{ value: 'z' }]), CircuitOpenError)
      assert.ok(performance.now() - started < 50, 'fails fast without touching the network')
      const gauge = await fast.registry.getSingleMetric('kafka_circuit_breaker_state')!.get()
      assert.equal(gauge.values.find((v) => v.labels.name === 'sdk-test:guarded')?.value, 1)
    } finally {
      await restart()
    }
    await eventually(() => guarded.circuit!.state === 'HALF_OPEN', 5000, 'half-open after the reset timeout')
    const [sent] = await eventually(async () => await guarded.send(topic, [{ value: 'after' }]).catch(() => undefined), 10_000, 'a successful trial send')
    assert.equal(sent!.topicName, topic)
    assert.equal(guarded.circuit!.state, 'CLOSED')
    await fast.disconnectAll()
  })

  test('healthCheck lists topics through the admin API; a multi-cluster factory reports each cluster', async () => {
    const topic = uniqueTopic('health')
    await producer.send(topic, [{ value: 'x' }])
    const health = await manager.healthCheck()
    assert.equal(health.status, 'up')
    assert.ok(health.topics.includes(topic))
    assert.deepEqual(health.brokers.map((b) => [b.host, b.port]), [['127.0.0.1', broker.port]])
    const clusters = new KafkaClusters({
      primary: { clientId: 'multi', brokers: [broker.bootstrap], env: {}, logger: silentLogger, metrics: false },
      offline: { clientId: 'multi', brokers: ['127.0.0.1:1'], env: {}, logger: silentLogger, metrics: false, retry: { retries: 0 } }
    })
    const all = await clusters.healthCheckAll({ timeoutMs: 3000 })
    assert.equal(all.primary!.status, 'up')
    assert.ok(all.primary!.topics.includes(topic))
    assert.equal(all.offline!.status, 'down')
    assert.deepEqual(all.offline!.topics, [])
    assert.equal(typeof all.offline!.error, 'string')
    assert.equal((await clusters.healthCheck('primary')).status, 'up')
    assert.equal(clusters.get('primary').options.nodeEnv, 'primary')
    assert.throws(() => clusters.get('nope'), { code: 'SAMSA_CLIENT_CONFIG' })
    await clusters.disconnectAll()
  })
})
