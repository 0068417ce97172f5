import { createSecureContext } from 'node:tls'
import type { BrokerConfig } from '../config.js'
import { BrokerConfigError } from '../errors.js'
import { AUTHORIZER_NAMES } from './authorizer-names.js'
import { resolveListeners, usesSasl, usesTls } from './listeners.js'
import { parseMappingRules } from './principal-mapping.js'
import { tlsServerOptions } from './tls.js'

/**
 * Start-up checks of the security keys, so a broker with an impossible configuration refuses to start with one
 * line naming the key (exit code 2) instead of failing on the first connection.
 */
export function validateSecurityConfig (config: BrokerConfig): void {
  const listeners = resolveListeners(config)
  if (listeners.some((listener) => usesTls(listener.securityProtocol))) {
    try {
      createSecureContext(tlsServerOptions(config)) // a wrong password or a key that does not match fails here, not per connection
    } catch (error) {
      if (error instanceof BrokerConfigError) throw error
      throw new BrokerConfigError(`cannot use the TLS keystore ${config.sslKeystoreLocation} (ssl.keystore.*, ssl.key.password, ssl.truststore.location): ${(error as Error).message}`)
    }
  }
  if (listeners.some((listener) => usesSasl(listener.securityProtocol)) && config.saslEnabledMechanisms.trim() === '') {
    throw new BrokerConfigError('a SASL listener needs at least one mechanism in sasl.enabled.mechanisms')
  }
  parseMappingRules(config.sslPrincipalMappingRules)
  if (config.authorizerClassName !== '' && !AUTHORIZER_NAMES.includes(config.authorizerClassName)) {
    throw new BrokerConfigError(`authorizer.class.name "${config.authorizerClassName}" is not supported: use ${AUTHORIZER_NAMES[0]!} (or leave it empty for no authorization)`)
  }
  for (const principal of config.superUsers.split(';').map((item) => item.trim()).filter((item) => item !== '')) {
    if (principal.indexOf(':') <= 0) throw new BrokerConfigError(`invalid value "${config.superUsers}" for super.users: expected principals like User:admin separated by ";"`)
  }
}
