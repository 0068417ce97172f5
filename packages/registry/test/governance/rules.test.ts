/**
 * Governance building blocks without a broker: masks, the AES-256-GCM envelope (known answers computed with Python's
 * `cryptography` AESGCM, an independent implementation), the keyring file, tags per format, and every produce /
 * consume rule with its violation — exact values throughout.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import {
  createKeyring, decryptField, encryptField, fieldPlan, GovernanceError, governanceOf, governanceProblems, governForConsume, governForProduce,
  isMasked, LocalKeyring, mask, parseEnvelope, providerFor, rotateKeyring, wildcardMatch, type FieldPlan, type KeyProvider, type SchemaMetadata
} from '../../src/index.js'

const KEY = Buffer.from([...Array(32).keys()])
const NONCE = Buffer.from([...Array(12).keys()])
const ring = LocalKeyring.fromKeys([{ id: 'k1', key: KEY }], 'k1')
const pinned = { keyProvider: ring, nonce: () => NONCE }
// AESGCM(bytes(range(32))).encrypt(bytes(range(12)), plaintext, b"samsa-fle/v1\nk1\n" + field) in Python.
const MRN_ENVELOPE = 'ENC:AES256GCM:k1:AAECAwQFBgcICQoLClCYNvXV9ilGjQDAQydFOS_v4ki9c1vm' // 'MRN-0042' in patientId
const SSN_ENVELOPE = 'ENC:AES256GCM:k1:AAECAwQFBgcICQoLdjDlNvHQ7y26ea7E6Rfy0N1TTh48FEca-1UK' // '123-45-6789' in ssn

// The design's patient record (healthcare-event-broker.md), tagged the Confluent way.
const PATIENT = JSON.stringify({
  type: 'record',
  name: 'Patient',
  namespace: 'com.healthcare.patient',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'patientId', type: 'string', 'confluent:tags': ['PHI'] },
    { name: 'firstName', type: 'string', 'confluent:tags': ['PII', 'MASK_FULL'] },
    { name: 'dob', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'ssn', type: ['null', 'string'], default: null, 'confluent:tags': ['PII', 'MASK_SSN'] },
    { name: 'notes', type: { type: 'array', items: 'string' }, default: [], 'confluent:tags': ['SENSITIVE'] },
    { name: 'consentVerified', type: 'boolean' }
  ]
})
const PHI_METADATA: SchemaMetadata = { properties: { dataClassification: 'PHI', owner: 'patient-services-team', businessDomain: 'patient-management', retentionPolicy: '7-years', regulatoryImplications: 'HIPAA,HITECH' } }
const plan = fieldPlan(providerFor('AVRO').parse(PATIENT, []), PHI_METADATA)
const governance = governanceOf(PHI_METADATA)
const patient = { id: '12345', patientId: 'MRN-0042', firstName: '****', dob: '*******1-01', ssn: '*****6789', notes: [], consentVerified: true }

async function produceError (value: unknown, options = {}, usePlan: FieldPlan = plan, rules = governance): Promise<GovernanceError> {
  try {
    await governForProduce(usePlan, value, options, { schemaId: 7, governance: rules })
  } catch (error) {
    assert.ok(GovernanceError.is(error), String(error))
    return error
  }
  assert.fail('expected a GovernanceError')
}

describe('masks', () => {
  test('ssn, last4 and full masks, and "properly masked" = masking changes nothing', () => {
    assert.equal(mask('123-45-6789', 'ssn'), '*****6789')
    assert.equal(mask('123456789', 'ssn'), '*****6789')
    assert.equal(mask('1980-01-01', 'last4'), '******1-01')
    assert.equal(mask('1234', 'last4'), '****')
    assert.equal(mask('Main St 5', 'full'), '*********')
    assert.equal(isMasked('*****1234', 'ssn'), true)
    assert.equal(isMasked('123-45-1234', 'ssn'), false)
    assert.equal(isMasked('*****-1234', 'ssn'), false)
    assert.equal(isMasked('******1-01', 'last4'), true)
    assert.equal(isMasked('1980-01-01', 'last4'), false)
    assert.equal(isMasked('****', 'full'), true)
  })
})

describe('AES-256-GCM envelope', () => {
  test('known answers (independent implementation) and round trip', () => {
    assert.equal(encryptField('MRN-0042', { id: 'k1', key: KEY }, 'patientId', NONCE), MRN_ENVELOPE)
    assert.equal(encryptField('123-45-6789', { id: 'k1', key: KEY }, 'ssn', NONCE), SSN_ENVELOPE)
    const envelope = parseEnvelope(SSN_ENVELOPE)
    assert.ok(envelope !== undefined)
    assert.equal(envelope.keyId, 'k1')
    assert.deepEqual(envelope.nonce, NONCE)
    assert.equal(envelope.ciphertext.length, 11)
    assert.equal(envelope.tag.length, 16)
    assert.equal(decryptField(envelope, KEY, 'ssn'), '123-45-6789')
    // random nonces by default: two encryptions differ, both decrypt
    const a = encryptField('x', { id: 'k1', key: KEY }, 'f')
    const b = encryptField('x', { id: 'k1', key: KEY }, 'f')
    assert.notEqual(a, b)
    assert.equal(decryptField(parseEnvelope(b) as never, KEY, 'f'), 'x')
  })

  test('tampering, another field, another key id or key all fail to decrypt', () => {
    const envelope = parseEnvelope(SSN_ENVELOPE) as NonNullable<ReturnType<typeof parseEnvelope>>
    assert.throws(() => decryptField(envelope, KEY, 'notes'), /authenticate/)
    assert.throws(() => decryptField({ ...envelope, keyId: 'k2' }, KEY, 'ssn'), /authenticate/)
    assert.throws(() => decryptField(envelope, Buffer.alloc(32, 7), 'ssn'), /authenticate/)
    const flipped = Buffer.from(envelope.ciphertext)
    flipped[0] = (flipped[0] as number) ^ 1
    assert.throws(() => decryptField({ ...envelope, ciphertext: flipped }, KEY, 'ssn'), /authenticate/)
  })

  test('non-envelopes are recognized as such', () => {
    for (const value of ['123-45-6789', 'ENC:AES256:12345', 'ENC:AES256GCM:k1', 'ENC:AES256GCM:k1:short', 'ENC:AES256GCM:bad id:AAECAwQFBgcICQoLdjDlNvHQ7y26ea7E6Rfy0N1TTh48FEca-1UK']) {
      assert.equal(parseEnvelope(value), undefined, value)
    }
  })
})

describe('keyring file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-keyring-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('create (mode 0600), load, rotate: new values use the new key, old ones still decrypt', () => {
    const path = join(dir, 'keyring.json')
    const { current } = createKeyring(path, { keyId: 'k1' })
    assert.equal(current, 'k1')
    assert.equal(statSync(path).mode & 0o777, 0o600)
    assert.throws(() => createKeyring(path), /EEXIST/)
    const loaded = LocalKeyring.load(path, { refreshMs: 0 })
    const first = loaded.encryptionKey()
    assert.equal(first.id, 'k1')
    assert.equal(first.key.length, 32)
    const old = encryptField('secret', first, 'f')

    assert.deepEqual(rotateKeyring(path, { keyId: 'k2' }), { previous: 'k1', current: 'k2' })
    assert.equal(statSync(path).mode & 0o777, 0o600)
    assert.equal(loaded.encryptionKey().id, 'k2') // the running process sees the rotation
    assert.deepEqual(loaded.keyIds, ['k1', 'k2'])
    assert.equal(decryptField(parseEnvelope(old) as never, loaded.decryptionKey('k1') as Buffer, 'f'), 'secret')
    assert.equal(loaded.decryptionKey('k9'), undefined)
    const generated = rotateKeyring(path).current
    assert.match(generated, /^k-\d{14}-[0-9a-f]{6}$/)
  })

  test('refuses group/world-readable files and malformed ones', () => {
    const path = join(dir, 'open.json')
    createKeyring(path, { keyId: 'k1' })
    chmodSync(path, 0o644)
    assert.throws(() => LocalKeyring.load(path), /readable by group or others \(mode 644\)/)
    assert.equal(LocalKeyring.load(path, { allowInsecurePermissions: true }).currentKeyId, 'k1')
    const bad = join(dir, 'bad.json')
    const raw = JSON.parse(readFileSync(path, 'utf8'))
    writeFileSync(bad, JSON.stringify({ ...raw, current: 'nope' }), { mode: 0o600 })
    assert.throws(() => LocalKeyring.load(bad), /"current" must name one of the keys/)
    writeFileSync(bad, JSON.stringify({ ...raw, keys: [{ id: 'k1', key: 'c2hvcnQ=' }] }), { mode: 0o600 })
    assert.throws(() => LocalKeyring.load(bad), /key k1 is 5 bytes, AES-256 needs 32/)
  })
})

describe('tags', () => {
  test('AVRO field attribute, JSON keyword, PROTOBUF option and metadata.tags patterns', () => {
    const tagsOf = (p: FieldPlan): Record<string, string[]> => Object.fromEntries((p.root as { fields: Array<{ fullName: string, tags: string[] }> }).fields.map((f) => [f.fullName, f.tags]))
    assert.deepEqual(tagsOf(plan), {
      'com.healthcare.patient.Patient.id': [],
      'com.healthcare.patient.Patient.patientId': ['PHI'],
      'com.healthcare.patient.Patient.firstName': ['PII', 'MASK_FULL'],
      'com.healthcare.patient.Patient.dob': ['PII'],
      'com.healthcare.patient.Patient.ssn': ['PII', 'MASK_SSN'],
      'com.healthcare.patient.Patient.notes': ['SENSITIVE'],
      'com.healthcare.patient.Patient.consentVerified': []
    })
    const json = providerFor('JSON').parse(JSON.stringify({ type: 'object', properties: { ssn: { type: 'string', 'confluent:tags': ['PII'] }, mrn: { $ref: '#/definitions/mrn' } }, definitions: { mrn: { type: 'string', 'confluent:tags': ['PHI'] } } }), [])
    assert.deepEqual(tagsOf(fieldPlan(json)), { '$.ssn': ['PII'], '$.mrn': ['PHI'] })
    const proto = providerFor('PROTOBUF').parse('syntax = "proto3";\npackage hc;\nimport "confluent/meta.proto";\nmessage Patient {\n  string mrn = 1 [(confluent.field_meta).tags = "PHI"];\n  string ssn = 2 [(confluent.field_meta) = { tags: ["PII", "MASK_SSN"] }];\n  bool consentVerified = 3;\n}\n', [])
    assert.deepEqual(tagsOf(fieldPlan(proto)), { 'hc.Patient.mrn': ['PHI'], 'hc.Patient.ssn': ['PII', 'MASK_SSN'], 'hc.Patient.consentVerified': [] })
    const untagged = providerFor('AVRO').parse(JSON.stringify({ type: 'record', name: 'P', namespace: 'a.b', fields: [{ name: 'ssn', type: 'string' }, { name: 'x', type: 'int' }] }), [])
    assert.equal(fieldPlan(untagged).tagged, false)
    assert.deepEqual(tagsOf(fieldPlan(untagged, { tags: { '**.ssn': ['PII'], 'a.*.x': ['PUBLIC'] } })), { 'a.b.P.ssn': ['PII'], 'a.b.P.x': [] })
    assert.equal(wildcardMatch('a.b.P.x', 'a.*.P.x'), true)
    assert.equal(wildcardMatch('a.b.c.P.x', 'a.*.P.x'), false)
    assert.equal(wildcardMatch('a.b.c.P.x', 'a.**.x'), true)
  })
})

describe('produce rules', () => {
  test('a compliant message: PHI encrypted with the current key, masked PII kept, exact output', async () => {
    const out = await governForProduce(plan, patient, pinned, { schemaId: 7, governance })
    assert.deepEqual(out, { ...patient, patientId: MRN_ENVELOPE })
    assert.equal(patient.patientId, 'MRN-0042') // the caller's object is untouched
  })

  test('PHI plaintext without a key provider: SAMSA_REGISTRY_GOVERNANCE_PHI_UNPROTECTED', async () => {
    const error = await produceError(patient)
    assert.equal(error.code, 'SAMSA_REGISTRY_GOVERNANCE_PHI_UNPROTECTED')
    assert.equal(error.category, 'schema-validation')
    assert.equal(error.retriable, false)
    assert.equal(error.message, "PHI field 'patientId' must be encrypted or tokenized (no key provider is configured to encrypt it)")
    assert.deepEqual(error.violations, [{ code: 'SAMSA_REGISTRY_GOVERNANCE_PHI_UNPROTECTED', field: 'com.healthcare.patient.Patient.patientId', path: 'patientId', classification: 'PHI', message: error.message }])
    assert.equal(error.schemaId, 7)
    assert.deepEqual(error.governance?.regulatoryImplications, ['HIPAA', 'HITECH'])
    assert.equal(error.governance?.owner, 'patient-services-team')
    const rejected = await produceError(patient, { ...pinned, actions: { PHI: 'reject' } })
    assert.equal(rejected.message, "PHI field 'patientId' must be encrypted or tokenized")
  })

  test('already encrypted or tokenized PHI passes unchanged, without any key', async () => {
    const encrypted = { ...patient, patientId: MRN_ENVELOPE }
    assert.equal(await governForProduce(plan, encrypted, {}, { governance }), encrypted)
    const tokenized = { ...patient, patientId: 'tok_8f3a9c2b1d' }
    assert.equal(await governForProduce(plan, tokenized, {}, { governance }), tokenized)
    const custom = { ...patient, patientId: 'VAULT#0042' }
    assert.equal(await governForProduce(plan, custom, { isToken: (v) => v.startsWith('VAULT#') }, { governance }), custom)
    // the design's placeholder 'ENC:AES256:12345' is not a real envelope
    assert.equal((await produceError({ ...patient, patientId: 'ENC:AES256:12345' })).code, 'SAMSA_REGISTRY_GOVERNANCE_PHI_UNPROTECTED')
  })

  test('consent flag: SAMSA_REGISTRY_GOVERNANCE_CONSENT_MISSING unless exactly true', async () => {
    for (const consentVerified of [false, undefined, 'true']) {
      const error = await produceError({ ...patient, patientId: MRN_ENVELOPE, consentVerified }, pinned)
      assert.equal(error.code, 'SAMSA_REGISTRY_GOVERNANCE_CONSENT_MISSING')
      assert.equal(error.message, "PHI data requires verified consent: field 'consentVerified' must be true")
    }
    const custom = governanceOf({ properties: { dataClassification: 'PHI', consentField: 'consent.given' } })
    await assert.rejects(governForProduce(plan, { consent: { given: false } }, {}, { governance: custom }), { code: 'SAMSA_REGISTRY_GOVERNANCE_CONSENT_MISSING' })
    assert.deepEqual(await governForProduce(fieldPlan(providerFor('AVRO').parse('"string"', [])), { consent: { given: true } }, {}, { governance: custom }), { consent: { given: true } })
  })

  test('PII: unmasked values rejected by default, masked with action mask', async () => {
    const raw = { ...patient, ssn: '123-45-6789', dob: '1980-01-01', firstName: 'John' }
    const error = await produceError(raw, pinned)
    assert.equal(error.code, 'SAMSA_REGISTRY_GOVERNANCE_PII_UNMASKED')
    assert.deepEqual(error.violations.map((v) => v.message), [
      "PII field 'firstName' must be properly masked (every character as *), encrypted or tokenized",
      "PII field 'dob' must be properly masked (every character but the last four as *), encrypted or tokenized",
      "PII field 'ssn' must be properly masked (like *****1234), encrypted or tokenized"
    ])
    assert.equal(error.message, `${error.violations[0]?.message} (and 2 more: ${error.violations.slice(1).map((v) => v.message).join('; ')})`)
    const masked = await governForProduce(plan, raw, { ...pinned, actions: { PII: 'mask' } }, { governance })
    assert.deepEqual(masked, { ...patient, patientId: MRN_ENVELOPE, firstName: '****', dob: '******1-01', ssn: '*****6789' })
    const encrypted = await governForProduce(plan, { ...raw, firstName: '****', dob: '******1-01' }, { ...pinned, actions: { PII: 'encrypt' } }, { governance })
    assert.equal((encrypted as { ssn: string }).ssn, SSN_ENVELOPE)
    // null for the optional ssn is fine
    assert.equal((await governForProduce(plan, { ...patient, patientId: MRN_ENVELOPE, ssn: null }, {}, { governance }) as { ssn: null }).ssn, null)
  })

  test('SENSITIVE: no rule by default; reject / mask / encrypt on request (arrays element by element)', async () => {
    const value = { ...patient, patientId: MRN_ENVELOPE, notes: ['called back', '*******back'] }
    assert.equal(await governForProduce(plan, value, {}, { governance }), value)
    const error = await produceError(value, { actions: { SENSITIVE: 'reject' } })
    assert.equal(error.code, 'SAMSA_REGISTRY_GOVERNANCE_SENSITIVE_UNPROTECTED')
    assert.deepEqual(error.violations.map((v) => [v.path, v.message]), [['notes[0]', "SENSITIVE field 'notes[0]' must be masked (every character but the last four as *), encrypted or tokenized"]])
    assert.deepEqual((await governForProduce(plan, value, { actions: { SENSITIVE: 'mask' } }, { governance }) as { notes: string[] }).notes, ['*******back', '*******back'])
  })

  test('a failing key provider: SAMSA_REGISTRY_GOVERNANCE_KEY_UNAVAILABLE, a transient (retriable) error', async () => {
    const broken: KeyProvider = { encryptionKey: () => { throw new Error('vault unreachable') }, decryptionKey: () => undefined }
    const error = await produceError(patient, { keyProvider: broken })
    assert.equal(error.code, 'SAMSA_REGISTRY_GOVERNANCE_KEY_UNAVAILABLE')
    assert.equal(error.category, 'transient-error')
    assert.equal(error.retriable, true)
    assert.equal(error.message, "no encryption key for PHI field 'patientId': vault unreachable")
    // not consulted when nothing needs encrypting
    assert.ok(await governForProduce(plan, { ...patient, patientId: MRN_ENVELOPE }, { keyProvider: broken }, { governance }))
  })

  test('PHI cannot be configured to be masked', async () => {
    await assert.rejects(governForProduce(plan, patient, { actions: { PHI: 'mask' } }, { governance }), /PHI fields cannot be masked/)
  })

  test('nested records, maps and wrapped unions report value paths', async () => {
    const schema = JSON.stringify({
      type: 'record',
      name: 'Encounter',
      fields: [
        { name: 'visits', type: { type: 'array', items: { type: 'record', name: 'Visit', fields: [{ name: 'diagnosis', type: 'string', 'confluent:tags': ['PHI'] }] } } },
        { name: 'labels', type: { type: 'map', values: 'string' }, 'confluent:tags': ['PHI'] },
        // two object-like branches: avsc wraps the values ({ "string": … })
        { name: 'either', type: ['null', 'string', { type: 'map', values: 'int' }, { type: 'record', name: 'R', fields: [{ name: 'n', type: 'int' }] }], 'confluent:tags': ['PHI'] }
      ]
    })
    const nested = fieldPlan(providerFor('AVRO').parse(schema, []))
    const value = { visits: [{ diagnosis: MRN_ENVELOPE }, { diagnosis: 'J45.909' }], labels: { a: 'tok_abcdefgh12', b: 'x' }, either: { string: 'y' } }
    const error = await produceError(value, {}, nested, governanceOf(undefined))
    assert.deepEqual(error.violations.map((v) => v.path), ['visits[1].diagnosis', 'labels.b', 'either'])
    const out = await governForProduce(nested, value, pinned, { governance: governanceOf(undefined) }) as typeof value
    assert.equal(out.visits[0], value.visits[0])
    assert.equal(decryptField(parseEnvelope(out.visits[1]?.diagnosis as string) as never, KEY, 'diagnosis'), 'J45.909')
    assert.equal(out.labels.a, 'tok_abcdefgh12')
    assert.match(out.either.string, /^ENC:AES256GCM:k1:/)
  })
})

describe('consume rules', () => {
  const stored = { ...patient, patientId: MRN_ENVELOPE, ssn: SSN_ENVELOPE }

  test('authorized readers get plaintext; others a redaction or the ciphertext', async () => {
    assert.deepEqual(await governForConsume(plan, stored, { keyProvider: ring }, {}), { ...patient, ssn: '123-45-6789' })
    assert.deepEqual(await governForConsume(plan, stored, {}, {}), { ...patient, patientId: '*****', ssn: '*****' })
    assert.equal(await governForConsume(plan, stored, { unauthorized: 'ciphertext' }, {}), stored)
    const phiOnly = await governForConsume(plan, stored, { keyProvider: ring, authorize: (f) => f.classification !== 'PHI' }, {})
    assert.deepEqual(phiOnly, { ...patient, patientId: '*****', ssn: '123-45-6789' })
    const otherKeys = LocalKeyring.fromKeys([{ id: 'k2', key: Buffer.alloc(32, 9) }], 'k2')
    assert.deepEqual(await governForConsume(plan, stored, { keyProvider: otherKeys }, {}), { ...patient, patientId: '*****', ssn: '*****' })
  })

  test('an altered ciphertext: SAMSA_REGISTRY_GOVERNANCE_DECRYPTION_FAILED', async () => {
    // the patientId ciphertext moved into ssn: the field binding rejects it
    await assert.rejects(governForConsume(plan, { ...stored, ssn: MRN_ENVELOPE }, { keyProvider: ring }, {}), (error: GovernanceError) => {
      assert.equal(error.code, 'SAMSA_REGISTRY_GOVERNANCE_DECRYPTION_FAILED')
      assert.equal(error.category, 'schema-validation')
      assert.equal(error.message, "field 'ssn' does not decrypt with key k1 (altered, or written for another field)")
      return true
    })
  })
})

describe('registration checks', () => {
  const avro = (fields: unknown[]) => providerFor('AVRO').parse(JSON.stringify({ type: 'record', name: 'P', namespace: 'hc', fields }), [])

  test('the design schema passes; bad classifications, non-string PHI and missing consent do not', () => {
    assert.deepEqual(governanceProblems(providerFor('AVRO').parse(PATIENT, []), PHI_METADATA), [])
    assert.deepEqual(governanceProblems(avro([{ name: 'a', type: 'string' }]), { properties: { dataClassification: 'Secret' } }), ["metadata property dataClassification must be one of PHI, PII, SENSITIVE, PUBLIC (got 'Secret')"])
    assert.deepEqual(governanceProblems(avro([{ name: 'age', type: 'int', 'confluent:tags': ['PHI'] }, { name: 'consentVerified', type: 'boolean' }]), PHI_METADATA), ['PHI field hc.P.age is not a string (PHI fields are encrypted, tokenized or masked, which needs string values)'])
    assert.deepEqual(governanceProblems(avro([{ name: 'a', type: 'string' }]), PHI_METADATA), ["a PHI schema needs a boolean consent field 'consentVerified' (metadata property consentField names another)"])
    assert.deepEqual(governanceProblems(avro([{ name: 'consentVerified', type: ['null', 'boolean'], default: null }, { name: 'ids', type: { type: 'array', items: 'string' }, 'confluent:tags': ['PII'] }]), PHI_METADATA), [])
    assert.deepEqual(governanceProblems(avro([{ name: 'n', type: 'int', 'confluent:tags': ['SENSITIVE'] }]), undefined), [])
  })
})
