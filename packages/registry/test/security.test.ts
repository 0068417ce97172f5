/** Basic auth roles, CORS, health and metrics over real HTTP. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { hashPassword, UserStore, type RunningRegistry } from '../src/index.js'
import { http, startBroker, startTestRegistry, type TestBroker } from './helpers.js'

let broker: TestBroker
let registry: RunningRegistry
const basic = (user: string, password: string): Record<string, string> => ({ Authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') })
const admin = basic('ada', 'admin-secret')
const developer = basic('dev', 'dev-secret')
const reader = basic('rita', 'read-secret')

before(async () => {
  broker = await startBroker()
  const users = new UserStore([
    { username: 'ada', password: hashPassword('admin-secret'), roles: ['ADMIN'] },
    { username: 'dev', password: hashPassword('dev-secret'), roles: ['DEVELOPER'] },
    { username: 'rita', password: hashPassword('read-secret'), roles: ['READONLY'] }
  ])
  registry = await startTestRegistry(broker, { users, cors: { origins: ['https://console.example'], methods: ['GET', 'POST'] } })
})
after(async () => {
  await registry.close()
  await broker.stop()
})

test('no or wrong credentials: 401 with a Basic challenge', async () => {
  const none = await http(registry.url, 'GET', '/subjects')
  assert.equal(none.status, 401)
  assert.equal(none.body.error_code, 401)
  assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm=/)
  assert.equal((await http(registry.url, 'GET', '/subjects', undefined, basic('ada', 'wrong'))).status, 401)
})

test('roles: READONLY reads, DEVELOPER registers, only ADMIN deletes and changes global config', async () => {
  const schema = { schema: '"string"' }
  assert.equal((await http(registry.url, 'POST', '/subjects/s/versions', schema, reader)).status, 403)
  assert.equal((await http(registry.url, 'POST', '/subjects/s/versions', schema, developer)).status, 200)
  assert.equal((await http(registry.url, 'GET', '/subjects', undefined, reader)).status, 200)
  assert.equal((await http(registry.url, 'POST', '/subjects/s', schema, reader)).status, 200, 'lookups are reads')
  assert.equal((await http(registry.url, 'PUT', '/config', { compatibility: 'NONE' }, developer)).status, 403)
  assert.equal((await http(registry.url, 'DELETE', '/subjects/s', undefined, developer)).status, 403)
  assert.equal((await http(registry.url, 'DELETE', '/subjects/s', undefined, admin)).status, 200)
  assert.throws(() => new UserStore([{ username: 'x', password: 'plain', roles: ['ADMIN'] }]), /scrypt hash/)
  assert.throws(() => new UserStore([{ username: 'x', password: hashPassword('p'), roles: ['ROOT' as never] }]), /unknown role/)
})

test('CORS: allowed origins get headers and preflights, others do not', async () => {
  const preflight = await fetch(registry.url + '/subjects', { method: 'OPTIONS', headers: { Origin: 'https://console.example', 'Access-Control-Request-Method': 'POST' } })
  assert.equal(preflight.status, 204)
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://console.example')
  assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET,POST')
  const simple = await http(registry.url, 'GET', '/subjects', undefined, { ...reader, Origin: 'https://console.example' })
  assert.equal(simple.headers.get('access-control-allow-origin'), 'https://console.example')
  const other = await http(registry.url, 'GET', '/subjects', undefined, { ...reader, Origin: 'https://evil.example' })
  assert.equal(other.headers.get('access-control-allow-origin'), null)
  const denied = await fetch(registry.url + '/subjects', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } })
  assert.equal(denied.status, 403)
})

test('health and metrics need no credentials', async () => {
  assert.deepEqual((await http(registry.url, 'GET', '/health')).body, { status: 'UP' })
  const ready = await http(registry.url, 'GET', '/health/ready')
  assert.equal(ready.status, 200)
  const metrics = await http(registry.url, 'GET', '/metrics')
  assert.equal(metrics.status, 200)
  assert.match(metrics.text, /^samsa_registry_up 1$/m)
  assert.match(metrics.text, /^samsa_registry_http_requests_total\{method="POST",route="\/subjects\/:subject\/versions",status="200"\} 1$/m)
  assert.match(metrics.text, /^samsa_registry_max_schema_id 1$/m)
})
