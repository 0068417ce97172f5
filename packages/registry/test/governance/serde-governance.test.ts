/**
 * Governance end to end: schemas registered with classification metadata and field tags, our serializers enforcing
 * the rules against what the registry holds (exact wire bytes per format), consumers decrypting or not, and the
 * registry refusing schemas that break the rules.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { GovernanceError, LocalKeyring, RegistryClient, SchemaDeserializer, SchemaSerializer, SerializationError, type RunningRegistry, type SchemaMetadata } from '../../src/index.js'
import { http, startBroker, startTestRegistry, type TestBroker } from '../helpers.js'

const KEY = Buffer.from([...Array(32).keys()])
const NONCE = Buffer.from([...Array(12).keys()])
const ring = LocalKeyring.fromKeys([{ id: 'k1', key: KEY }], 'k1')
const produceKeys = { keyProvider: ring, nonce: () => NONCE }
// Python cryptography: AESGCM(bytes(range(32))).encrypt(bytes(range(12)), b'MRN-0042', b'samsa-fle/v1\nk1\npatientId')
const MRN_ENVELOPE = 'ENC:AES256GCM:k1:AAECAwQFBgcICQoLClCYNvXV9ilGjQDAQydFOS_v4ki9c1vm'
const META: SchemaMetadata = { properties: { dataClassification: 'PHI', owner: 'patient-services-team', businessDomain: 'patient-management', retentionPolicy: '7-years', regulatoryImplications: 'HIPAA,HITECH' } }

const PATIENT = JSON.stringify({
  type: 'record',
  name: 'Patient',
  namespace: 'com.healthcare.patient',
  fields: [
    { name: 'patientId', type: 'string', 'confluent:tags': ['PHI'] },
    { name: 'ssn', type: 'string', 'confluent:tags': ['PII', 'MASK_SSN'] },
    { name: 'consentVerified', type: 'boolean' }
  ]
})
const VALUE = { patientId: 'MRN-0042', ssn: '*****6789', consentVerified: true }

/** Avro string: zigzag varint length, then UTF-8 (lengths here fit one or two bytes). */
function avroString (text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8')
  let n = bytes.length * 2
  const head: number[] = []
  while (n > 0x7f) { head.push((n & 0x7f) | 0x80); n >>>= 7 }
  head.push(n)
  return Buffer.concat([Buffer.from(head), bytes])
}
const header = (id: number): Buffer => Buffer.from([0, id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff])
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

let broker: TestBroker
let registry: RunningRegistry
let client: RegistryClient

before(async () => {
  broker = await startBroker()
  registry = await startTestRegistry(broker)
  client = new RegistryClient({ url: registry.url })
})
after(async () => {
  await registry.close()
  await broker.stop()
})

describe('AVRO patient records (the design example)', () => {
  test('registered with metadata; PHI encrypted on produce, exact bytes; decrypted only with the key', async () => {
    const serializer = new SchemaSerializer({ client, schemaType: 'AVRO', schema: PATIENT, metadata: META, governance: produceKeys })
    const bytes = await serializer.serialize('patient-records', VALUE)
    const latest = await http(registry.url, 'GET', '/subjects/patient-records-value/versions/latest')
    assert.deepEqual(latest.body.metadata, META)
    const id = latest.body.id as number
    assert.deepEqual(bytes, Buffer.concat([header(id), avroString(MRN_ENVELOPE), avroString('*****6789'), Buffer.from([1])]))
    assert.equal(bytes.subarray(0, 7).toString('hex'), `00${id.toString(16).padStart(8, '0')}8201`) // 65-character envelope → zigzag 130 = 0x82 0x01

    assert.deepEqual(plain(await new SchemaDeserializer({ client, governance: { keyProvider: ring } }).deserialize(bytes)), VALUE)
    assert.deepEqual(plain(await new SchemaDeserializer({ client }).deserialize(bytes)), { ...VALUE, patientId: '*****' })
    assert.deepEqual(plain(await new SchemaDeserializer({ client, governance: { unauthorized: 'ciphertext' } }).deserialize(bytes)), { ...VALUE, patientId: MRN_ENVELOPE })
  })

  test('violations are typed, schema-validation errors, and nothing is encoded', async () => {
    const withKeys = new SchemaSerializer({ client, schemaType: 'AVRO', schema: PATIENT, metadata: META, governance: produceKeys })
    await assert.rejects(withKeys.serialize('patient-records', { ...VALUE, ssn: '123-45-6789' }), (error: GovernanceError) => {
      assert.ok(GovernanceError.is(error))
      assert.equal(error.code, 'SAMSA_REGISTRY_GOVERNANCE_PII_UNMASKED')
      assert.equal(error.category, 'schema-validation')
      assert.equal(error.message, "PII field 'ssn' must be properly masked (like *****1234), encrypted or tokenized")
      assert.equal(error.governance?.owner, 'patient-services-team')
      return true
    })
    await assert.rejects(withKeys.serialize('patient-records', { ...VALUE, consentVerified: false }), { code: 'SAMSA_REGISTRY_GOVERNANCE_CONSENT_MISSING', category: 'schema-validation' })
    const noKeys = new SchemaSerializer({ client, schemaType: 'AVRO', schema: PATIENT, metadata: META })
    await assert.rejects(noKeys.serialize('patient-records', VALUE), { code: 'SAMSA_REGISTRY_GOVERNANCE_PHI_UNPROTECTED', message: "PHI field 'patientId' must be encrypted or tokenized (no key provider is configured to encrypt it)" })
    assert.ok(await noKeys.serialize('patient-records', { ...VALUE, patientId: 'tok_0042abcdef' }))
    // a value that does not match the schema stays a SerializationError, also classified schema-validation
    await assert.rejects(withKeys.serialize('patient-records', { ...VALUE, consentVerified: 'yes' }), (error: SerializationError) => error instanceof SerializationError && error.category === 'schema-validation')
  })

  test('a producer that does not know the contract gets the governed id (metadata inherited) and the same rules', async () => {
    const unaware = new SchemaSerializer({ client: new RegistryClient({ url: registry.url }), schemaType: 'AVRO', schema: PATIENT })
    await assert.rejects(unaware.serialize('patient-records', VALUE), { code: 'SAMSA_REGISTRY_GOVERNANCE_PHI_UNPROTECTED' })
    assert.deepEqual((await http(registry.url, 'GET', '/subjects/patient-records-value/versions')).body, [1])
    const lookupOnly = new SchemaSerializer({ client: new RegistryClient({ url: registry.url }), schemaType: 'AVRO', schema: PATIENT, autoRegister: false })
    await assert.rejects(lookupOnly.serialize('patient-records', VALUE), { code: 'SAMSA_REGISTRY_GOVERNANCE_PHI_UNPROTECTED' })
    const latest = new SchemaSerializer({ client: new RegistryClient({ url: registry.url }), schemaType: 'AVRO', useLatest: true, governance: produceKeys })
    assert.ok((await latest.serialize('patient-records', VALUE)).includes(Buffer.from(MRN_ENVELOPE)))

    // evolving the schema without metadata keeps the metadata
    const v2 = JSON.stringify({ ...JSON.parse(PATIENT), fields: [...JSON.parse(PATIENT).fields, { name: 'mrnIssuer', type: ['null', 'string'], default: null }] })
    const registered = await http(registry.url, 'POST', '/subjects/patient-records-value/versions', { schema: v2 })
    assert.equal(registered.status, 200)
    const second = await http(registry.url, 'GET', '/subjects/patient-records-value/versions/2')
    assert.deepEqual(second.body.metadata, META)
  })

  test('the registry refuses schemas that cannot satisfy the rules (42201)', async () => {
    const noConsent = JSON.stringify({ type: 'record', name: 'Lab', namespace: 'hc', fields: [{ name: 'mrn', type: 'string', 'confluent:tags': ['PHI'] }] })
    const reply = await http(registry.url, 'POST', '/subjects/labs-value/versions', { schema: noConsent, metadata: META })
    assert.equal(reply.status, 422)
    assert.deepEqual(reply.body, { error_code: 42201, message: "Schema does not satisfy the governance rules: a PHI schema needs a boolean consent field 'consentVerified' (metadata property consentField names another)" })
    const numeric = JSON.stringify({ type: 'record', name: 'Lab', namespace: 'hc', fields: [{ name: 'mrn', type: 'long', 'confluent:tags': ['PII'] }] })
    const second = await http(registry.url, 'POST', '/subjects/labs-value/versions', { schema: numeric })
    assert.equal(second.body.error_code, 42201)
    assert.match(second.body.message, /PII field hc\.Lab\.mrn is not a string/)
    const badClass = await http(registry.url, 'POST', '/subjects/labs-value/versions', { schema: numeric.replace('"PII"', '"PUBLIC"'), metadata: { properties: { dataClassification: 'phi' } } })
    assert.equal(badClass.body.message, "Schema does not satisfy the governance rules: metadata property dataClassification must be one of PHI, PII, SENSITIVE, PUBLIC (got 'phi')")
    assert.equal((await http(registry.url, 'GET', '/subjects/labs-value/versions')).status, 404)
  })
})

describe('JSON Schema and PROTOBUF', () => {
  test('JSON: keyword tags; validation sees the plaintext (a pattern on a PHI field), the bytes carry the envelope', async () => {
    const schema = JSON.stringify({ type: 'object', title: 'Patient', properties: { patientId: { type: 'string', pattern: '^MRN-[0-9]{4}$', 'confluent:tags': ['PHI'] }, consentVerified: { type: 'boolean' } }, required: ['patientId', 'consentVerified'] })
    const serializer = new SchemaSerializer({ client, schemaType: 'JSON', schema, metadata: META, governance: produceKeys })
    const bytes = await serializer.serialize('json-patients', { patientId: 'MRN-0042', consentVerified: true })
    const id = (await http(registry.url, 'GET', '/subjects/json-patients-value/versions/latest')).body.id as number
    assert.deepEqual(bytes, Buffer.concat([header(id), Buffer.from(`{"patientId":"${MRN_ENVELOPE}","consentVerified":true}`)]))
    assert.deepEqual(await new SchemaDeserializer({ client, governance: { keyProvider: ring } }).deserialize(bytes), { patientId: 'MRN-0042', consentVerified: true })
    await assert.rejects(serializer.serialize('json-patients', { patientId: 'mrn 42', consentVerified: true }), SerializationError)
  })

  test('PROTOBUF: (confluent.field_meta).tags; exact bytes; decrypt on consume', async () => {
    const schema = 'syntax = "proto3";\npackage hc;\nimport "confluent/meta.proto";\n\nmessage Patient {\n  string patientId = 1 [(confluent.field_meta).tags = "PHI"];\n  string ssn = 2 [(confluent.field_meta) = { tags: ["PII", "MASK_SSN"] }];\n  bool consentVerified = 3;\n}\n'
    const serializer = new SchemaSerializer({ client, schemaType: 'PROTOBUF', schema, metadata: META, governance: produceKeys })
    const bytes = await serializer.serialize('proto-patients', VALUE)
    const stored = (await http(registry.url, 'GET', '/subjects/proto-patients-value/versions/latest')).body
    assert.match(stored.schema, /string ssn = 2 \[\(confluent\.field_meta\) = \{ tags: \["PII", "MASK_SSN"\] \}\];/)
    const envelope = Buffer.from(MRN_ENVELOPE)
    // message index [0] = 0x00; field 1 (0x0a) length 65 (0x41); field 2 (0x12) length 9; field 3 (0x18) true
    assert.deepEqual(bytes, Buffer.concat([header(stored.id), Buffer.from([0x00, 0x0a, envelope.length]), envelope, Buffer.from([0x12, 9]), Buffer.from('*****6789'), Buffer.from([0x18, 1])]))
    assert.deepEqual(await new SchemaDeserializer({ client, governance: { keyProvider: ring } }).deserialize(bytes), VALUE)
    assert.deepEqual(await new SchemaDeserializer({ client }).deserialize(bytes), { ...VALUE, patientId: '*****' })
    await assert.rejects(serializer.serialize('proto-patients', { ...VALUE, ssn: '123456789' }), { code: 'SAMSA_REGISTRY_GOVERNANCE_PII_UNMASKED' })
  })
})
