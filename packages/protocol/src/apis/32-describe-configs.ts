import { defineApi } from '../codec/api.js'
import { array, bool, int16, int32, int8, string, struct } from '../codec/schema.js'

/**
 * DescribeConfigs (key 32). Versions 0–4; flexible from 4.
 * - v1: includeSynonyms; each config reports configSource and its synonyms, replacing the v0-only isDefault flag.
 * - v2: same layout (throttled responses are sent before throttling).
 * - v3: includeDocumentation; configs report configType and documentation (KIP-569).
 * - v4: first flexible version.
 * configSource's -1 default is a placeholder: for v0 the real source depends on the resource type.
 */
export const DescribeConfigsApi = defineApi({
  key: 32,
  name: 'DescribeConfigs',
  valid: '0-4',
  flexible: '4+',
  request: {
    resources: array(struct({
      resourceType: int8(),
      resourceName: string(),
      configurationKeys: array(string(), { nullable: '0+', default: [] })
    })),
    includeSynonyms: bool({ versions: '1+', default: false }),
    includeDocumentation: bool({ versions: '3+', default: false })
  },
  response: {
    throttleTimeMs: int32(),
    results: array(struct({
      errorCode: int16(),
      errorMessage: string({ nullable: '0+', default: '' }),
      resourceType: int8(),
      resourceName: string(),
      configs: array(struct({
        name: string(),
        value: string({ nullable: '0+', default: '' }),
        readOnly: bool(),
        isDefault: bool({ versions: '0' }),
        configSource: int8({ versions: '1+', default: -1 }),
        isSensitive: bool(),
        synonyms: array(struct({
          name: string({ versions: '1+' }),
          value: string({ versions: '1+', nullable: '0+', default: '' }),
          source: int8({ versions: '1+' })
        }), { versions: '1+' }),
        configType: int8({ versions: '3+', default: 0 }),
        documentation: string({ versions: '3+', nullable: '0+', default: '' })
      }))
    }))
  }
})
