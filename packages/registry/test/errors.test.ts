import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { REGISTRY_ERRORS } from '../src/index.js'

test('every error code is documented in docs/registry.md with its HTTP status and error_code', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'registry.md'), 'utf8')
  for (const [code, { status, errorCode }] of Object.entries(REGISTRY_ERRORS)) {
    assert.match(doc, new RegExp(`\\| ${code} \\| ${status} \\| ${errorCode} \\|`), `${code} is missing from docs/registry.md`)
  }
})

test('every governance error code is documented in docs/registry.md with its category', async () => {
  const { GOVERNANCE_ERRORS } = await import('../src/index.js')
  const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'registry.md'), 'utf8')
  for (const [code, { category, retriable }] of Object.entries(GOVERNANCE_ERRORS)) {
    assert.match(doc, new RegExp(`\\| ${code} \\| ${category} \\| ${retriable ? 'yes' : 'no'} \\|`), `${code} is missing from docs/registry.md`)
  }
})
