import { AlterUserScramCredentialsApi, ErrorCode } from '@samsa/protocol'
import { authorizeCluster } from '../security/authorize.js'
import { SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, credentialFromSaltedPassword, scramMechanismOf, type ScramMechanism } from '../security/scram.js'
import { defineHandler } from './types.js'

/**
 * AlterUserScramCredentials (51), version 0 (flexible).
 * Behavior: deletions and upsertions of SCRAM credentials, one result per user (in order of first mention). An
 * upsertion carries the salt and the salted password (the client ran PBKDF2); the broker stores StoredKey and
 * ServerKey derived from it. Per user, all of its changes apply or none: an unknown mechanism gives
 * UNSUPPORTED_SASL_MECHANISM; iterations outside [4096, 16384], an empty name, salt or salted password give
 * UNACCEPTABLE_CREDENTIAL; the same user and mechanism twice gives DUPLICATE_RESOURCE; deleting a credential that
 * does not exist gives RESOURCE_NOT_FOUND. Applied changes are persisted once and audited.
 * Needs ALTER on the cluster (CLUSTER_AUTHORIZATION_FAILED for every user).
 */
interface Change { user: string, mechanismCode: number, upsert?: { iterations: number, salt: Buffer, saltedPassword: Buffer } }

export const alterUserScramCredentialsHandler = defineHandler({
  api: AlterUserScramCredentialsApi,
  minVersion: 0,
  maxVersion: 0,
  handle (request, context) {
    const security = context.broker.security
    const changes: Change[] = [
      ...request.deletions.map((deletion) => ({ user: deletion.name, mechanismCode: deletion.mechanism })),
      ...request.upsertions.map((upsertion) => ({ user: upsertion.name, mechanismCode: upsertion.mechanism, upsert: { iterations: upsertion.iterations, salt: upsertion.salt, saltedPassword: upsertion.saltedPassword } }))
    ]
    const users = [...new Set(changes.map((change) => change.user))]
    if (!authorizeCluster(context, 'ALTER')) {
      return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' })) }
    }
    security.credentials.refresh()
    let applied = 0
    const results = users.map((user) => {
      const mine = changes.filter((change) => change.user === user)
      const problem = userProblem(user, mine, (mechanism) => security.credentials.get(user, mechanism) !== undefined)
      if (problem !== null) return { user, errorCode: problem.errorCode, errorMessage: problem.message }
      for (const change of mine) {
        const mechanism = scramMechanismOf(change.mechanismCode)!
        if (change.upsert === undefined) {
          security.credentials.delete(user, mechanism)
        } else {
          security.credentials.upsert(user, mechanism, credentialFromSaltedPassword(mechanism, Buffer.from(change.upsert.salt), change.upsert.saltedPassword, change.upsert.iterations))
        }
        security.recordChange(context, { action: change.upsert === undefined ? 'user.delete' : 'user.upsert', user, mechanism, iterations: change.upsert?.iterations })
        applied++
      }
      return { user, errorCode: ErrorCode.NONE, errorMessage: null }
    })
    if (applied > 0) security.credentials.save()
    return { throttleTimeMs: 0, results }
  }
})

function userProblem (user: string, changes: Change[], exists: (mechanism: ScramMechanism) => boolean): { errorCode: number, message: string } | null {
  if (user === '') return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Username must not be empty' }
  const seen = new Set<number>()
  for (const change of changes) {
    const mechanism = scramMechanismOf(change.mechanismCode)
    if (mechanism === undefined) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, message: `Unknown SCRAM mechanism ${change.mechanismCode}` }
    if (seen.has(change.mechanismCode)) return { errorCode: ErrorCode.DUPLICATE_RESOURCE, message: 'A user credential cannot be altered twice in the same request' }
    seen.add(change.mechanismCode)
    if (change.upsert === undefined) {
      if (!exists(mechanism)) return { errorCode: ErrorCode.RESOURCE_NOT_FOUND, message: 'Attempt to delete a user credential that does not exist' }
      continue
    }
    if (change.upsert.iterations < SCRAM_MIN_ITERATIONS) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: `Too few iterations (minimum ${SCRAM_MIN_ITERATIONS})` }
    if (change.upsert.iterations > SCRAM_MAX_ITERATIONS) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: `Too many iterations (maximum ${SCRAM_MAX_ITERATIONS})` }
    if (change.upsert.salt.length === 0) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Salt must not be empty' }
    if (change.upsert.saltedPassword.length === 0) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Salted password must not be empty' }
  }
  return null
}
