/**
 * Plain TCP connections read into one reused buffer per connection instead of the fresh 64 KiB Buffer that Node
 * allocates for every read of a stream socket. At produce rates those allocations (~100 MB per million 100-byte
 * records) are most of the broker's garbage collection, and a 64 KiB read splits nearly every Produce request of a
 * librdkafka producer (≈ 20–100 KB) across two chunks that then have to be joined. With a 1 MiB buffer most
 * requests arrive whole in one read and Produce decodes them in place (see FrameReader and Connection).
 *
 * Node offers this (the `onread` option) only for sockets it creates itself, so the accepted socket's handle is
 * moved to a new Socket built with it — the same handover net.Server does for every connection. The chunks it
 * delivers are only valid until the callback returns.
 */
import { Socket, type Server } from 'node:net'

const READ_BUFFER_BYTES = 1024 * 1024

type ChunkSink = (chunk: Buffer) => void

interface SocketInternals { _handle: unknown, _server: Server | null, server: Server | null }

const sinks = new WeakMap<Socket, ChunkSink | null>()

/**
 * A socket reading into a reused buffer, taking over `accepted` (from a server created with pauseOnConnect).
 * Falls back to `accepted` itself when it has no handle to hand over.
 */
export function withReadBuffer (accepted: Socket): Socket {
  const internals = accepted as unknown as SocketInternals
  const handle = internals._handle
  if (handle === null || handle === undefined) return accepted
  const buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES)
  // eslint-disable-next-line prefer-const
  let socket: Socket
  const options = {
    handle,
    readable: true,
    writable: true,
    pauseOnCreate: true,
    onread: {
      buffer,
      callback: (bytes: number): boolean => {
        sinks.get(socket)?.(buffer.subarray(0, bytes))
        return true
      }
    }
  }
  socket = new Socket(options as ConstructorParameters<typeof Socket>[0])
  // The server counts connections through `_server` (server.close() waits for them): move the count over too.
  const adopted = socket as unknown as SocketInternals
  adopted._server = internals._server
  adopted.server = internals.server
  internals._server = null
  internals._handle = null
  sinks.set(socket, null)
  return socket
}

/**
 * Delivers the socket's bytes to `onChunk`; `owned` is false when the chunk is the reused read buffer (copy what
 * must outlive the call).
 */
export function readChunks (socket: Socket, onChunk: (chunk: Buffer, owned: boolean) => void): void {
  if (sinks.has(socket)) {
    sinks.set(socket, (chunk) => onChunk(chunk, false))
    socket.resume()
  } else {
    socket.on('data', (chunk: Buffer) => onChunk(chunk, true))
    socket.resume() // a listener's pauseOnConnect socket
  }
}
