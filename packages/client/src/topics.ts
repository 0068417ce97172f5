import { SamsaClientError, ValidationError } from './errors.js'

/** Anything with a zod-style `parse()` that returns the typed value or throws: zod, valibot wrappers, arktype… */
export interface Validator<T> {
  parse: (input: unknown) => T
}

/** Bytes ↔ plain value. Validation happens after decode and before encode. */
export interface Codec {
  encode: (value: unknown) => Buffer
  decode: (bytes: Buffer) => unknown
}

export const jsonCodec: Codec = {
  encode: (value) => Buffer.from(JSON.stringify(value)),
  decode: (bytes) => JSON.parse(bytes.toString('utf8'))
}

export const SCHEMA_VERSION_HEADER = 'schema-version'

type KeyOf<T> = (message: T) => string | Buffer | null | undefined

interface DescriptorState<T> {
  validator: Validator<T> | undefined
  keyOf: KeyOf<T> | undefined
  codec: Codec
  version: string | undefined
}

/**
 * A topic with its message type: `topic('orders.created').schema(OrderCreated).key(m => m.orderId)`.
 * Each builder call returns a new descriptor; the type parameter follows the validator.
 */
export class TopicDescriptor<T, Name extends string = string> {
  readonly name: Name
  readonly #state: DescriptorState<T>

  constructor (name: Name, state: DescriptorState<T>) {
    if (name.length === 0) throw new SamsaClientError('SAMSA_CLIENT_CONFIG', 'a topic name cannot be empty')
    this.name = name
    this.#state = state
  }

  /** Validates messages on send and on receive; the message type becomes the validator's output type. */
  schema<U> (validator: Validator<U>): TopicDescriptor<U, Name> {
    return new TopicDescriptor<U, Name>(this.name, { ...this.#state, validator, keyOf: undefined })
  }

  /** Declares the message type without runtime validation. */
  type<U> (): TopicDescriptor<U, Name> {
    return new TopicDescriptor<U, Name>(this.name, { ...this.#state, validator: undefined, keyOf: undefined })
  }

  /** Derives the record key from the message (the partitioner then keeps one key's messages in order). */
  key (keyOf: KeyOf<T>): TopicDescriptor<T, Name> {
    return new TopicDescriptor<T, Name>(this.name, { ...this.#state, keyOf })
  }

  /** Writes the schema version in a `schema-version` header of every record. */
  version (version: string | number): TopicDescriptor<T, Name> {
    return new TopicDescriptor<T, Name>(this.name, { ...this.#state, version: String(version) })
  }

  codec (codec: Codec): TopicDescriptor<T, Name> {
    return new TopicDescriptor<T, Name>(this.name, { ...this.#state, codec })
  }

  get schemaVersion (): string | undefined { return this.#state.version }

  /** Validates and serializes one message. Throws ValidationError (category schema-validation). */
  encode (message: T): { key: Buffer | string | null, value: Buffer, headers: Record<string, string> } {
    const valid = this.validate(message)
    const key = this.#state.keyOf?.(valid) ?? null
    const headers: Record<string, string> = {}
    if (this.#state.version !== undefined) headers[SCHEMA_VERSION_HEADER] = this.#state.version
    return { key, value: this.#state.codec.encode(valid), headers }
  }

  /** Deserializes and validates one record value. */
  decode (bytes: Buffer | null): T {
    if (bytes === null) return this.validate(null)
    let raw: unknown
    try {
      raw = this.#state.codec.decode(bytes)
    } catch (error) {
      throw new ValidationError(this.name, error)
    }
    return this.validate(raw)
  }

  validate (input: unknown): T {
    if (this.#state.validator === undefined) return input as T
    try {
      return this.#state.validator.parse(input)
    } catch (error) {
      throw new ValidationError(this.name, error)
    }
  }
}

/** Starts a topic descriptor. Without `.schema()`/`.type()` its messages are `unknown`. */
export function topic<const Name extends string> (name: Name): TopicDescriptor<unknown, Name> {
  return new TopicDescriptor<unknown, Name>(name, { validator: undefined, keyOf: undefined, codec: jsonCodec, version: undefined })
}

export type AnyTopicDescriptor = TopicDescriptor<any, string>
export type MessageOf<D> = D extends TopicDescriptor<infer T, string> ? T : never
/** `{ [name]: message type }` of a list of descriptors. */
export type TopicMapOf<Ds extends readonly AnyTopicDescriptor[]> = { [D in Ds[number] as D['name']]: MessageOf<D> }

/** A topic map: names to descriptors, so `send` and handlers can be checked by name. */
export class TopicRegistry<M extends object> {
  readonly #descriptors = new Map<string, AnyTopicDescriptor>()

  constructor (descriptors: readonly AnyTopicDescriptor[] = []) {
    for (const descriptor of descriptors) {
      if (this.#descriptors.has(descriptor.name)) throw new SamsaClientError('SAMSA_CLIENT_CONFIG', `topic "${descriptor.name}" is defined twice`)
      this.#descriptors.set(descriptor.name, descriptor)
    }
  }

  /** The descriptor of a topic; topics declared only by type get a JSON descriptor without validation. */
  get<K extends keyof M & string> (name: K): TopicDescriptor<M[K], K> {
    let descriptor = this.#descriptors.get(name)
    if (descriptor === undefined) {
      descriptor = topic(name)
      this.#descriptors.set(name, descriptor)
    }
    return descriptor as TopicDescriptor<M[K], K>
  }

  names (): string[] {
    return [...this.#descriptors.keys()]
  }
}

/** A registry of descriptors: `defineTopics(OrderCreated, PaymentCaptured)`. */
export function defineTopics<const Ds extends readonly AnyTopicDescriptor[]> (...descriptors: Ds): TopicRegistry<TopicMapOf<Ds>> {
  return new TopicRegistry<TopicMapOf<Ds>>(descriptors)
}

/** A registry from a TypeScript interface alone (map style): `topicMap<{ 'orders.created': Order }>()`. */
export function topicMap<M extends object> (): TopicRegistry<M> {
  return new TopicRegistry<M>()
}
