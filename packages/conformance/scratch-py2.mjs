import { Broker, loadConfig, silentLogger } from '@samsa/broker'
import { mkdtempSync } from 'node:fs'
import { spawn } from 'node:child_process'
const config = loadConfig({ env: {}, warn: () => {}, overrides: { port: '0', 'log.dirs': mkdtempSync('/tmp/py-'), 'num.partitions': '2' } })
const broker = await Broker.start(config, { logger: silentLogger })
const bootstrap = `127.0.0.1:${broker.address.port}`
const run = (req, env = {}) => new Promise((resolve) => { const c = spawn('/usr/bin/python3', ['python/txn_confluent.py'], { env: { ...process.env, ...env } }); let out = '', err = ''; c.stdout.on('data', d => out += d); c.stderr.on('data', d => err += d); c.stdin.end(JSON.stringify({ bootstrap, ...req })); c.on('close', () => { console.log(out.trim().slice(-1500), err); resolve() }) })
const env = process.argv[2] === 'modern' ? { LD_LIBRARY_PATH: '/work/main/.build/librdkafka/lib' } : {}
await run({ op: 'transactions', transactional_id: 'x', config: { debug: 'eos,protocol' }, transactions: [
    { commit: true, records: [{ topic: 'pa', value: 'c1' }, { topic: 'pb', value: 'c2', partition: 1 }] },
    { commit: false, records: [{ topic: 'pa', value: 'a1' }, { topic: 'pb', value: 'a2', partition: 1 }] }] }, env)
await broker.stop()
