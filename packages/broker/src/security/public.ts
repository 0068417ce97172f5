// What other packages (the CLI, tests) use of the security module.
export { Security, SUPPORTED_MECHANISMS } from './index.js'
export { AUTHORIZER_NAMES } from './authorizer-names.js'
export { CredentialStore } from './credentials.js'
export { AclStore } from './acl-store.js'
export {
  ResourceType, PatternType, AclOperation, AclPermission, CLUSTER_RESOURCE_NAME, describeBinding, filterMatches,
  resourceTypeName, operationName, permissionName, patternTypeName, type AclBinding, type AclFilter
} from './acl.js'
export {
  SCRAM, SCRAM_MIN_ITERATIONS, SCRAM_MAX_ITERATIONS, DEFAULT_SCRAM_ITERATIONS, clientProof, credentialFromSaltedPassword,
  newCredential, saltedPasswordSync, scramMechanismOf, isScramMechanism, hmac, type ScramMechanism, type ScramCredential
} from './scram.js'
export { encodeSaslName } from './sasl/scram-server.js'
export { parseMappingRules, applyMappingRules, subjectDn } from './principal-mapping.js'
export { ANONYMOUS } from './session.js'
export type { SecurityProtocol } from './listeners.js'
export { createDevCertificates, type DevCertificateOptions, type DevCertificateFiles } from './dev-certs.js'
export { saslClient, scramClient, plainClient, type SaslClient } from './sasl/client.js'
