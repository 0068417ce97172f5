import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, int64, string, struct } from '../codec/schema.js'

/**
 * ApiVersions (key 18). Versions 0–4; flexible from 3. The response header is always v0 (no tagged fields),
 * even for flexible versions, so a client can parse the answer before it knows what the broker supports.
 * v4 only changes semantics of SupportedFeatures.minVersion (may be 0); the layout is the one of v3.
 */
export const ApiVersionsApi = defineApi({
  key: 18,
  name: 'ApiVersions',
  valid: '0-4',
  flexible: '3+',
  request: {
    clientSoftwareName: string({ versions: '3+' }),
    clientSoftwareVersion: string({ versions: '3+' })
  },
  response: {
    errorCode: int16(),
    apiKeys: array(struct({
      apiKey: int16(),
      minVersion: int16(),
      maxVersion: int16()
    })),
    throttleTimeMs: int32({ versions: '1+' }),
    supportedFeatures: array(struct({
      name: string(),
      minVersion: int16(),
      maxVersion: int16()
    }), { versions: '3+', tag: 0 }),
    finalizedFeaturesEpoch: int64({ versions: '3+', tag: 1, default: -1 }),
    finalizedFeatures: array(struct({
      name: string(),
      maxVersionLevel: int16(),
      minVersionLevel: int16()
    }), { versions: '3+', tag: 2 }),
    zkMigrationReady: bool({ versions: '3+', tag: 3 })
  }
})
