import { SamsaError } from '@samsa/protocol'

/** Stable codes for broker faults. Protocol-level failures are Kafka error codes in responses, not these. */
export type BrokerErrorCode =
  | 'SAMSA_BROKER_CONFIG_INVALID'
  | 'SAMSA_BROKER_FRAME_TOO_LARGE'
  | 'SAMSA_BROKER_STORAGE'
  | 'SAMSA_BROKER_UNANSWERABLE_REQUEST'

export class BrokerConfigError extends SamsaError {
  constructor (message: string) {
    super('SAMSA_BROKER_CONFIG_INVALID', message)
  }
}

export class FrameTooLargeError extends SamsaError {
  constructor (size: number, limit: number) {
    super('SAMSA_BROKER_FRAME_TOO_LARGE', `request of ${size} bytes exceeds socket.request.max.bytes=${limit}`)
  }
}

export class StorageError extends SamsaError {
  constructor (message: string, cause?: unknown) {
    super('SAMSA_BROKER_STORAGE', message, { cause })
  }
}

/**
 * A request that decodes but that no answer in its version can describe (Metadata v10–11 naming a topic by id
 * only: the response has no null name until v12). A handler throws it; the connection is closed with a warning,
 * as for a malformed frame, and the broker serves everyone else.
 */
export class UnanswerableRequestError extends SamsaError {
  constructor (message: string) {
    super('SAMSA_BROKER_UNANSWERABLE_REQUEST', message)
  }
}
