import { Producer, Consumer, stringSerializers, stringDeserializers } from '@platformatic/kafka'
import { Broker, loadConfig, silentLogger, createLogger } from '@samsa/broker'
import { mkdtempSync } from 'node:fs'
const config = loadConfig({ env: {}, warn: () => {}, overrides: { port: '0', 'log.dirs': mkdtempSync('/tmp/plt-'), 'num.partitions': '2' } })
const broker = await Broker.start(config, { logger: createLogger('warn') })
const bootstrap = `127.0.0.1:${broker.address.port}`
const producer = new Producer({ clientId: 'p', bootstrapBrokers: [bootstrap], idempotent: true, transactionalId: 'plt-tx', serializers: stringSerializers, autocreateTopics: true })
try {
  const tx = await producer.beginTransaction()
  await tx.send({ messages: [{ topic: 'plt-out', value: 'c1', partition: 0 }, { topic: 'plt-out', value: 'c2', partition: 1 }] })
  await tx.commit()
  console.log('committed')
  const tx2 = await producer.beginTransaction()
  await tx2.send({ messages: [{ topic: 'plt-out', value: 'a1', partition: 0 }] })
  await tx2.abort()
  console.log('aborted')
  console.log('begin3'); const tx3 = await producer.beginTransaction(); console.log('began3')
  await tx3.send({ messages: [{ topic: 'plt-out', value: 'c3', partition: 0 }] })
  console.log('sent3'); await tx3.commit(); console.log('committed3')
} catch (e) { console.log('ERR', e, e.errors) }
console.log('closing'); await producer.close(); console.log('closed')
const idem = new Producer({ clientId: 'i', bootstrapBrokers: [bootstrap], idempotent: true, serializers: stringSerializers, autocreateTopics: true })
console.log(await idem.send({ messages: [{ topic: 'plt-idem', value: 'x', partition: 0 }, { topic: 'plt-idem', value: 'y', partition: 0 }] }))
await idem.close()
for (const isolationLevel of [1, 0]) {
  const consumer = new Consumer({ clientId: 'c', groupId: 'g-' + isolationLevel, bootstrapBrokers: [bootstrap], deserializers: stringDeserializers, isolationLevel })
  const stream = await consumer.consume({ topics: ['plt-out'], mode: 'earliest' })
  const seen = []
  const timer = setTimeout(() => stream.close(), 3000)
  for await (const m of stream) { seen.push(`${m.partition}:${m.value}`) }
  console.log(isolationLevel, seen)
  await consumer.close()
}
await broker.stop()
