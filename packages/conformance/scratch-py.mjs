import { Broker, loadConfig, silentLogger } from '@samsa/broker'
import { mkdtempSync } from 'node:fs'
import { spawn } from 'node:child_process'
const config = loadConfig({ env: {}, warn: () => {}, overrides: { port: '0', 'log.dirs': mkdtempSync('/tmp/py-'), 'num.partitions': '2' } })
const broker = await Broker.start(config, { logger: silentLogger })
const bootstrap = `127.0.0.1:${broker.address.port}`
const run = (req, env = {}) => new Promise((resolve) => { const c = spawn('/usr/bin/python3', ['python/txn_confluent.py'], { env: { ...process.env, ...env } }); let out = '', err = ''; c.stdout.on('data', d => out += d); c.stderr.on('data', d => err += d); c.stdin.end(JSON.stringify({ bootstrap, ...req })); c.on('close', () => { console.log(out.trim().slice(-1500), err.slice(-1500)); resolve() }) })
for (const env of [{}, { LD_LIBRARY_PATH: '/work/main/.build/librdkafka/lib' }]) {
  const id = 'py-' + Math.random()
  let t = Date.now()
  await run({ op: 'transactions', transactional_id: id, transactions: [
    { commit: true, records: [{ topic: 'pa', value: 'c1' }, { topic: 'pb', value: 'c2', partition: 1 }] },
    { commit: false, records: [{ topic: 'pa', value: 'a1' }, { topic: 'pb', value: 'a2', partition: 1 }] },
    { commit: true, records: [{ topic: 'pa', value: 'c3' }] }] }, env)
  console.log('ms', Date.now() - t)
  await run({ op: 'consume', partitions: [{ topic: 'pa', partition: 0 }, { topic: 'pb', partition: 1 }], config: { 'isolation.level': 'read_committed' } }, env)
  await run({ op: 'consume', partitions: [{ topic: 'pa', partition: 0 }, { topic: 'pb', partition: 1 }], config: { 'isolation.level': 'read_uncommitted' } }, env)
  await run({ op: 'idempotent', topic: 'pi', values: ['1','2','3'] }, env)
}
await broker.stop()
