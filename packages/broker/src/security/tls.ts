import { readFileSync } from 'node:fs'
import type { SecureVersion, TlsOptions } from 'node:tls'
import type { BrokerConfig } from '../config.js'
import { BrokerConfigError } from '../errors.js'

/**
 * TLS settings of the SSL and SASL_SSL listeners, with Kafka's key names:
 * - ssl.keystore.type=PEM (default): ssl.keystore.location is one PEM file holding the private key and the
 *   certificate chain (as Kafka's PEM keystores); ssl.key.password decrypts an encrypted key.
 *   ssl.keystore.type=PKCS12: ssl.keystore.location is a .p12 file, ssl.keystore.password opens it.
 * - ssl.truststore.location: PEM file of the CA certificates client certificates must chain to (mTLS).
 *   Without it, Node's default CAs are used.
 * - ssl.client.auth=none|requested|required: whether SSL listeners ask for / demand a client certificate. A
 *   presented certificate that does not verify is refused in both requested and required modes. As in Kafka
 *   (KIP-684), SASL_SSL listeners do not ask for one: their clients authenticate with SASL.
 * - ssl.enabled.protocols: TLSv1.2 and/or TLSv1.3; ssl.cipher.suites: OpenSSL cipher list (empty = Node's).
 */
export type ClientAuth = 'none' | 'requested' | 'required'

export function tlsServerOptions (config: BrokerConfig, clientAuth = config.sslClientAuth as ClientAuth): TlsOptions {
  if (config.sslKeystoreLocation === '') throw new BrokerConfigError('an SSL or SASL_SSL listener needs ssl.keystore.location (PEM file with the private key and certificate chain)')
  const read = (file: string, key: string): Buffer => {
    try {
      return readFileSync(file)
    } catch (error) {
      throw new BrokerConfigError(`cannot read ${key} ${file}: ${(error as Error).message}`)
    }
  }
  const keystore = read(config.sslKeystoreLocation, 'ssl.keystore.location')
  const versions = config.sslEnabledProtocols.split(',').map((item) => item.trim()).filter((item) => item !== '').sort() as SecureVersion[]
  const options: TlsOptions = {
    requestCert: clientAuth !== 'none',
    // Verified in listener-servers.ts after the handshake, so a refusal can be logged and audited with its reason
    // (Node drops such sockets silently otherwise).
    rejectUnauthorized: false,
    minVersion: versions[0],
    maxVersion: versions[versions.length - 1],
    handshakeTimeout: 10_000
  }
  if (config.sslKeystoreType === 'PKCS12') {
    options.pfx = keystore
    options.passphrase = config.sslKeystorePassword
  } else {
    const text = keystore.toString('utf8')
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) || !text.includes('-----BEGIN CERTIFICATE-----')) {
      throw new BrokerConfigError(`ssl.keystore.location ${config.sslKeystoreLocation} must hold a PEM private key and certificate chain`)
    }
    options.key = keystore
    options.cert = keystore
    if (config.sslKeyPassword !== '') options.passphrase = config.sslKeyPassword
  }
  if (config.sslTruststoreLocation !== '') options.ca = read(config.sslTruststoreLocation, 'ssl.truststore.location')
  if (config.sslCipherSuites !== '') options.ciphers = config.sslCipherSuites
  return options
}
