import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { BusinessRuleError, parseTraceparent, startMetricsServer, traceparentOf } from '../src/index.js'
import { eventually, startBroker, testManager, uniqueTopic, type TestBroker } from './helpers.js'

describe('observability: OpenTelemetry spans and Prometheus metrics', () => {
  let broker: TestBroker
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  let manager: ReturnType<typeof testManager>

  before(async () => {
    broker = await startBroker({ 'num.partitions': '1' })
    manager = testManager(broker, { tracing: { tracerProvider: provider } })
  })
  after(async () => {
    await manager?.disconnectAll()
    await provider.shutdown()
    await broker?.stop()
  })

  test('one trace from producer to consumer: send <topic> → traceparent header → process <topic> as its child', async () => {
    const topic = uniqueTopic('traced')
    const groupId = uniqueTopic('g')
    const producer = manager.createProducer('traced')
    await producer.connect()
    await producer.send(topic, [{ key: 'order-1', value: '{"ok":true}' }])
    const consumer = manager.createConsumer('traced', { groupId, fromBeginning: true })
    await consumer.connect()
    let header: string | undefined
    consumer.registerHandler(topic, async (_message, context) => { header = context.headers.traceparent?.toString() })
    await consumer.startWithHandlers()
    await eventually(() => exporter.getFinishedSpans().some((s) => s.name === `process ${topic}`), 10_000, 'the process span')
    await consumer.disconnect()
    await producer.disconnect()

    const send = exporter.getFinishedSpans().find((s) => s.name === `send ${topic}`)!
    const processed = exporter.getFinishedSpans().find((s) => s.name === `process ${topic}`)!
    assert.equal(send.kind, SpanKind.PRODUCER)
    assert.equal(processed.kind, SpanKind.CONSUMER)
    assert.equal(header, `00-${send.spanContext().traceId}-${send.spanContext().spanId}-01`)
    assert.equal(processed.spanContext().traceId, send.spanContext().traceId)
    assert.equal(processed.parentSpanContext?.spanId, send.spanContext().spanId)
    assert.deepEqual(send.attributes, {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'messaging.destination.name': topic,
      'messaging.client.id': 'sdk-test',
      'messaging.kafka.message.key': 'order-1'
    })
    assert.deepEqual(processed.attributes, {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'process',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.destination.partition.id': '0',
      'messaging.consumer.group.name': groupId,
      'messaging.kafka.offset': 0,
      'messaging.client.id': 'sdk-test',
      'messaging.kafka.message.key': 'order-1'
    })
    assert.equal(processed.status.code, SpanStatusCode.UNSET)
  })

  test('a failed handler marks its span as an error with the category as error.type; tombstones are flagged', async () => {
    exporter.reset()
    const topic = uniqueTopic('traced-fail')
    const producer = manager.createProducer('traced-fail')
    await producer.connect()
    await producer.send(topic, [{ key: 'k', value: null }])
    const consumer = manager.createConsumer('traced-fail', { groupId: uniqueTopic('g'), fromBeginning: true, retry: { attempts: 1, deadLetter: false } })
    await consumer.connect()
    consumer.registerHandler(topic, async () => { throw new BusinessRuleError('no deletes allowed') })
    await consumer.startWithHandlers()
    const span = await eventually(() => exporter.getFinishedSpans().find((s) => s.name === `process ${topic}`), 10_000, 'the span')
    await consumer.disconnect()
    await producer.disconnect()
    assert.equal(span.status.code, SpanStatusCode.ERROR)
    assert.equal(span.status.message, 'no deletes allowed')
    assert.equal(span.attributes['error.type'], 'business-rule')
    assert.equal(span.attributes['messaging.kafka.message.tombstone'], true)
    assert.equal(span.events[0]?.name, 'exception')
  })

  test('traceparent helpers round-trip and reject malformed values', () => {
    const context = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }
    assert.deepEqual(traceparentOf(context), { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' })
    assert.deepEqual(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'), { ...context, isRemote: true })
    assert.equal(parseTraceparent('00-00000000000000000000000000000000-b7ad6b7169203331-01'), undefined)
    assert.equal(parseTraceparent('garbage'), undefined)
    assert.equal(parseTraceparent(undefined), undefined)
  })

  test('metrics: message outcomes, processing time, consumer lag per partition, /metrics endpoint', async () => {
    const topic = uniqueTopic('metered')
    const groupId = uniqueTopic('g')
    const producer = manager.createProducer('metered')
    await producer.connect()
    await producer.send(topic, Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: String(i) })))
    const consumer = manager.createConsumer('metered', { groupId, fromBeginning: true })
    await consumer.connect()
    let handled = 0
    consumer.registerHandler(topic, async () => { handled++ })
    await consumer.startWithHandlers()
    await eventually(() => handled === 5, 10_000, 'five handled')
    const lagOf = async () => (await manager.registry.getSingleMetric('kafka_consumer_lag')!.get()).values.find((v) => v.labels.topic === topic && v.labels.consumer_group === groupId)
    await eventually(async () => (await lagOf())?.value === 0, 10_000, 'lag 0 after commit')
    assert.deepEqual((await lagOf())!.labels, { topic, partition: '0', consumer_group: groupId })

    const server = await startMetricsServer({ port: 0, registry: manager.registry })
    try {
      const port = (server.address() as AddressInfo).port
      const response = await fetch(`http://127.0.0.1:${port}/metrics`)
      assert.equal(response.status, 200)
      const text = await response.text()
      assert.ok(text.includes(`kafka_messages_total{topic="${topic}",status="produced"} 5`), 'produced')
      assert.ok(text.includes(`kafka_messages_total{topic="${topic}",status="consumed"} 5`), 'consumed')
      assert.ok(text.includes(`kafka_messages_total{topic="${topic}",status="processed"} 5`), 'processed')
      assert.ok(text.includes(`kafka_message_processing_duration_seconds_count{topic="${topic}",consumer_group="${groupId}"} 5`), 'durations')
      assert.ok(text.includes(`kafka_producer_send_duration_seconds_count{topic="${topic}"} 1`), 'send duration')
      assert.ok(text.includes(`kafka_consumer_lag{topic="${topic}",partition="0",consumer_group="${groupId}"} 0`), 'lag')
      assert.ok(text.includes('kafka_circuit_breaker_state{name="sdk-test:metered"} 0'), 'circuit state')
      assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404)
    } finally {
      server.close()
    }
    await producer.send(topic, [{ key: 'k', value: 'late' }, { key: 'k', value: 'later' }])
    await eventually(() => handled === 7, 10_000, 'seven handled')
    await consumer.disconnect()
    await producer.disconnect()
  })
})
