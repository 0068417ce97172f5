import { DescribeUserScramCredentialsApi, ErrorCode } from '@samsa/protocol'
import { authorizeCluster } from '../security/authorize.js'
import { SCRAM } from '../security/scram.js'
import { defineHandler } from './types.js'

/**
 * DescribeUserScramCredentials (50), version 0 (flexible).
 * Behavior: for each named user (null or empty list = every user with a credential), the SCRAM mechanisms and
 * iteration counts stored — never salts or keys. Unknown user: RESOURCE_NOT_FOUND; a name given twice:
 * DUPLICATE_RESOURCE. Needs DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED at the top level).
 */
export const describeUserScramCredentialsHandler = defineHandler({
  api: DescribeUserScramCredentialsApi,
  minVersion: 0,
  maxVersion: 0,
  handle (request, context) {
    const credentials = context.broker.security.credentials
    if (!authorizeCluster(context, 'DESCRIBE')) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', results: [] }
    }
    credentials.refresh()
    const names = request.users === null || request.users.length === 0 ? credentials.list() : request.users.map((user) => user.name)
    const counts = new Map<string, number>()
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1)
    const results = names.map((user) => {
      if (counts.get(user)! > 1) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request', credentialInfos: [] }
      const mechanisms = credentials.mechanisms(user)
      if (mechanisms.length === 0) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to describe a user credential that does not exist', credentialInfos: [] }
      return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: mechanisms.map((entry) => ({ mechanism: SCRAM[entry.mechanism].code, iterations: entry.iterations })) }
    })
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results }
  }
})
