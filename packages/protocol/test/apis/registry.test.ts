import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ALL_APIS, ApiVersionsApi } from '../../src/index.js'
import { testEveryVersion } from './roundtrip.js'

// ApiVersions is declared elsewhere; its every-version round trip lives with the other APIs' checks.
testEveryVersion(ApiVersionsApi)

test('ALL_APIS lists each API once, ordered by key, and matches the NN-name.ts files', () => {
  const keys = ALL_APIS.map((api) => api.key)
  assert.deepEqual(keys, [...new Set(keys)].sort((a, b) => a - b))
  const dir = fileURLToPath(new URL('../../src/apis/', import.meta.url))
  const files = readdirSync(dir).filter((name) => /^\d\d-.*\.js$/.test(name))
  assert.deepEqual(files.map((name) => Number(name.slice(0, 2))).sort((a, b) => a - b), keys)
  for (const api of ALL_APIS) {
    const file = files.find((name) => Number(name.slice(0, 2)) === api.key)!
    const words = file.slice(3, -3).split('-').map((word) => word[0]!.toUpperCase() + word.slice(1)).join('')
    assert.equal(words.toLowerCase(), api.name.toLowerCase(), `${file} declares ${api.name}`)
    assert.ok(api.validVersions.min <= api.validVersions.max, `${api.name} has versions`)
  }
})
