import { defineApi } from '../codec/api.js'
import { array, bytes, int16, int32, int8, string, struct } from '../codec/schema.js'

/**
 * AlterUserScramCredentials (key 51, KIP-554). Version 0 only; flexible from 0.
 * The client sends the salt and the salted password (PBKDF2 output), never the password itself; the broker
 * derives and stores StoredKey/ServerKey. One result per user named in deletions or upsertions.
 */
export const AlterUserScramCredentialsApi = defineApi({
  key: 51,
  name: 'AlterUserScramCredentials',
  valid: '0',
  flexible: '0+',
  request: {
    deletions: array(struct({
      name: string(),
      mechanism: int8()
    })),
    upsertions: array(struct({
      name: string(),
      mechanism: int8(),
      iterations: int32(),
      salt: bytes(),
      saltedPassword: bytes()
    }))
  },
  response: {
    throttleTimeMs: int32(),
    results: array(struct({
      user: string(),
      errorCode: int16(),
      errorMessage: string({ nullable: '0+', default: null })
    }))
  }
})
