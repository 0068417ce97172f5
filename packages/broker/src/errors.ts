import { SamsaError } from '@samsa/protocol'

/** Stable codes for broker faults. Protocol-level failures are Kafka error codes in responses, not these. */
export type BrokerErrorCode =
  | 'SAMSA_BROKER_CONFIG_INVALID'
  | 'SAMSA_BROKER_FRAME_TOO_LARGE'
  | 'SAMSA_BROKER_STORAGE'

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
