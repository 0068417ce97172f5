/**
 * A Kafka error code with the message the reply carries. Admin operations throw it from validation so that a
 * handler turns the first problem of a resource into that resource's result, with nothing applied.
 */
export class ApiError extends Error {
  constructor (readonly errorCode: number, message: string) {
    super(message)
    this.name = 'ApiError'
  }
}
