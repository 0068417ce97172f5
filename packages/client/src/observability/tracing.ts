import {
  context, createTraceState, isSpanContextValid, propagation, ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace,
  type Attributes, type Context, type Span, type SpanContext, type Tracer, type TracerProvider
} from '@opentelemetry/api'
import type { ConsumedRecord } from '../consumer/records.js'

export const TRACER_NAME = '@samsa/client'
// What a ProxyTracerProvider delegates to before a real provider is registered.
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate()
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** W3C `traceparent` (and `tracestate`) of a span context. */
export function traceparentOf (spanContext: SpanContext): { traceparent: string, tracestate?: string } {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')
  const traceparent = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`
  const tracestate = spanContext.traceState?.serialize()
  return tracestate !== undefined && tracestate.length > 0 ? { traceparent, tracestate } : { traceparent }
}

/** The remote span context a record's headers carry, if any. */
export function parseTraceparent (traceparent: string | undefined, tracestate?: string): SpanContext | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent.trim())
  if (match === null || match[1] === 'ff') return undefined
  const spanContext: SpanContext = { traceId: match[2]!, spanId: match[3]!, traceFlags: parseInt(match[4]!, 16), isRemote: true }
  if (tracestate !== undefined && tracestate.length > 0) spanContext.traceState = createTraceState(tracestate)
  return isSpanContextValid(spanContext) ? spanContext : undefined
}

const headerGetter = {
  keys: (carrier: Record<string, Buffer>) => Object.keys(carrier),
  get: (carrier: Record<string, Buffer>, key: string) => carrier[key]?.toString('latin1')
}
const headerSetter = {
  set: (carrier: Map<string, Buffer>, key: string, value: string) => { carrier.set(key, Buffer.from(value, 'latin1')) }
}

/**
 * Spans with the OpenTelemetry messaging semantic conventions for Kafka: `send <topic>` (PRODUCER) around a send,
 * `process <topic>` (CONSUMER) around a handler, child of the producer's context found in the record's headers.
 */
export class KafkaTracing {
  readonly #tracer: Tracer
  readonly #clientId: string
  readonly #global: ProxyTracerProvider | undefined

  constructor (clientId: string, provider?: TracerProvider) {
    const global = trace.getTracerProvider()
    this.#tracer = (provider ?? global).getTracer(TRACER_NAME)
    this.#global = provider === undefined && global instanceof ProxyTracerProvider ? global : undefined
    this.#clientId = clientId
  }

  /**
   * False while spans would go nowhere (no provider given and none registered globally yet): the hot paths then
   * skip building attributes and parsing headers. Checked per call, so a provider registered later is picked up.
   */
  get enabled (): boolean {
    return this.#global === undefined || this.#global.getDelegate() !== NOOP_PROVIDER
  }

  /** Starts `send <topic>` and writes its traceparent into every message's headers. */
  startSend (topic: string, headers: Array<Map<string, Buffer>>, key?: string): Span {
    const attributes: Attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'messaging.destination.name': topic,
      'messaging.client.id': this.#clientId
    }
    if (headers.length > 1) attributes['messaging.batch.message_count'] = headers.length
    else if (key !== undefined) attributes['messaging.kafka.message.key'] = key
    const span = this.#tracer.startSpan(`send ${topic}`, { kind: SpanKind.PRODUCER, attributes })
    const spanContext = span.spanContext()
    if (isSpanContextValid(spanContext)) {
      const { traceparent, tracestate } = traceparentOf(spanContext)
      const activeContext = trace.setSpan(context.active(), span)
      for (const carrier of headers) {
        carrier.set('traceparent', Buffer.from(traceparent, 'latin1'))
        if (tracestate !== undefined) carrier.set('tracestate', Buffer.from(tracestate, 'latin1'))
        propagation.inject(activeContext, carrier, headerSetter)
      }
    }
    return span
  }

  /** Starts `process <topic>` as a child of the record's producer span; returns the context to run the handler in. */
  startProcess (record: ConsumedRecord, groupId: string): { span: Span, context: Context } {
    const parent = this.#extract(record)
    const attributes: Attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'process',
      'messaging.operation.type': 'process',
      'messaging.destination.name': record.topic,
      'messaging.destination.partition.id': String(record.partition),
      'messaging.consumer.group.name': groupId,
      'messaging.kafka.offset': Number(record.offset),
      'messaging.client.id': this.#clientId
    }
    if (record.key !== null) attributes['messaging.kafka.message.key'] = record.key.toString()
    if (record.value === null) attributes['messaging.kafka.message.tombstone'] = true
    const span = this.#tracer.startSpan(`process ${record.topic}`, { kind: SpanKind.CONSUMER, attributes }, parent)
    return { span, context: trace.setSpan(parent, span) }
  }

  #extract (record: ConsumedRecord): Context {
    const viaGlobal = propagation.extract(ROOT_CONTEXT, record.headers, headerGetter)
    if (trace.getSpanContext(viaGlobal) !== undefined) return viaGlobal
    const spanContext = parseTraceparent(record.headers.traceparent?.toString('latin1'), record.headers.tracestate?.toString('latin1'))
    return spanContext === undefined ? context.active() : trace.setSpanContext(viaGlobal, spanContext)
  }
}

/** Ends a span, recording the error (and its category as error.type) if there was one. */
export function endSpan (span: Span, error?: unknown, errorType?: string): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error))
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
    span.setAttribute('error.type', errorType ?? (error instanceof Error ? error.constructor.name : 'Error'))
  }
  span.end()
}
