import { defineApi } from '../codec/api.js'
import { array, int16, int32, int8, string, struct } from '../codec/schema.js'

/**
 * DescribeUserScramCredentials (key 50, KIP-554). Version 0 only; flexible from 0.
 * users null describes every user with a credential. Each result lists the user's mechanisms
 * (1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512) with their iteration counts — never salts or keys.
 */
export const DescribeUserScramCredentialsApi = defineApi({
  key: 50,
  name: 'DescribeUserScramCredentials',
  valid: '0',
  flexible: '0+',
  request: {
    users: array(struct({
      name: string()
    }), { nullable: '0+' })
  },
  response: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    errorMessage: string({ nullable: '0+', default: null }),
    results: array(struct({
      user: string(),
      errorCode: int16(),
      errorMessage: string({ nullable: '0+', default: null }),
      credentialInfos: array(struct({
        mechanism: int8(),
        iterations: int32()
      }))
    }))
  }
})
