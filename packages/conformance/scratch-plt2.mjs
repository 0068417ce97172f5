import { Producer, stringSerializers } from '@platformatic/kafka'
import { Broker, loadConfig, createLogger } from '@samsa/broker'
import { mkdtempSync } from 'node:fs'
const config = loadConfig({ env: {}, warn: () => {}, overrides: { port: '0', 'log.dirs': mkdtempSync('/tmp/plt-'), 'num.partitions': '2' } })
const broker = await Broker.start(config, { logger: createLogger('debug') })
const bootstrap = `127.0.0.1:${broker.address.port}`
const idem = new Producer({ clientId: 'i', bootstrapBrokers: [bootstrap], idempotent: true, serializers: stringSerializers, autocreateTopics: true, retries: 2, timeout: 3000 })
idem.on('client:broker:request', (e) => console.log('req', e))
try { console.log(await idem.send({ messages: [{ topic: 'plt-idem', value: 'x', partition: 0 }, { topic: 'plt-idem', value: 'y', partition: 0 }] })) } catch (e) { console.log('ERR', e) }
await idem.close()
await broker.stop()
