import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import { ApiVersionsApi, KafkaConnection, connectSocket, encodeResponse } from '../src/index.js'

/** A server on 127.0.0.1 that hands each accepted socket to `onSocket`; closed after the test. */
async function serve (t: { after: (fn: () => unknown) => void }, onSocket: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    onSocket(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return (server.address() as { port: number }).port
}

/** Reads the correlation id of each request (bytes 8..12 of a frame) and answers with an ApiVersions v0 response. */
function answerApiVersions (socket: Socket, split: boolean): void {
  let buffered = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk])
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const correlationId = buffered.readInt32BE(8)
      buffered = buffered.subarray(4 + buffered.readInt32BE(0))
      const response = Buffer.concat(encodeResponse(ApiVersionsApi, 0, correlationId, { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] }))
      if (!split) socket.write(response)
      else for (let i = 0; i < response.length; i++) socket.write(response.subarray(i, i + 1)) // one byte at a time
    }
  })
}

test('requests and responses: frames split into single bytes, pipelined requests matched in order', async (t) => {
  const port = await serve(t, (socket) => answerApiVersions(socket, true))
  const connection = await KafkaConnection.open({ host: '127.0.0.1', port })
  t.after(() => connection.close())
  const answers = await Promise.all([1, 2, 3].map(async () => await connection.request(ApiVersionsApi, 0, {})))
  for (const answer of answers) assert.deepEqual(answer.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 3 }])
})

test('a frame size beyond maxFrameBytes (or negative) closes the connection; the pending request rejects', async (t) => {
  for (const size of [1025, -1]) {
    const port = await serve(t, (socket) => socket.once('data', () => {
      const prefix = Buffer.alloc(4)
      prefix.writeInt32BE(size)
      socket.write(prefix)
    }))
    const connection = new KafkaConnection(await connectSocket({ host: '127.0.0.1', port }), { maxFrameBytes: 1024 })
    await assert.rejects(connection.request(ApiVersionsApi, 0, {}), new RegExp(`response frame size ${size} is outside 0\\.\\.1024`))
    await connection.closed
    assert.equal(connection.isClosed, true)
  }
})

test('the peer closing: nextFrame yields null, requests reject, a zero-length frame is a frame', async (t) => {
  const port = await serve(t, (socket) => socket.once('data', () => socket.end(Buffer.alloc(4))))
  const connection = await KafkaConnection.open({ host: '127.0.0.1', port })
  connection.writeFrame(Buffer.from('hello'))
  assert.deepEqual(await connection.nextFrame(), Buffer.alloc(0))
  assert.equal(await connection.nextFrame(), null)
  await assert.rejects(connection.request(ApiVersionsApi, 0, {}), /closed before the ApiVersions response/)
})

test('connect errors and time-outs reject', async (t) => {
  const port = await serve(t, () => {})
  await assert.rejects(connectSocket({ host: '127.0.0.1', port, tls: { rejectUnauthorized: true }, connectTimeoutMs: 200 }), /timed out/)
  const closedPort = await new Promise<number>((resolve) => {
    const probe = createServer()
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number }
      probe.close(() => resolve(free))
    })
  })
  await assert.rejects(KafkaConnection.open({ host: '127.0.0.1', port: closedPort }), /ECONNREFUSED/)
})
