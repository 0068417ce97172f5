import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Development certificates for TLS and mTLS listeners, made with the `openssl` command (Node's crypto can make
 * keys but cannot sign X.509 certificates, and openssl is on every Debian/macOS machine; no npm dependency).
 *   ca.pem / ca.key                 a local certificate authority (truststore of broker and clients)
 *   broker.pem / broker.key         server certificate for the given host names and IP addresses
 *   broker.keystore.pem             key + certificate chain in one file: ssl.keystore.location
 *   client-<name>.pem / .key        client certificates for mTLS (subject, RFC 2253: CN=<name>,OU=clients,O=samsa)
 * Keys are EC P-256 and unencrypted (mode 0600); for development and tests only.
 */
export interface DevCertificateOptions {
  dir: string
  /** DNS names and IP addresses of the broker certificate (default localhost and 127.0.0.1). */
  hosts?: string[]
  /** Client certificates to issue, by common name. */
  clients?: string[]
  /** Validity in days; a negative value makes already-expired certificates (tests). */
  days?: number
  /** Reuse the CA in `dir` if present instead of making a new one. */
  reuseCa?: boolean
  /** Issue the broker certificate (default true; false to add client certificates to an existing set). */
  broker?: boolean
  caName?: string
  openssl?: string
}

export interface DevCertificateFiles {
  ca: string
  caKey: string
  brokerCertificate: string
  brokerKey: string
  brokerKeystore: string
  clients: Record<string, { certificate: string, key: string, keystore: string }>
}

export function createDevCertificates (options: DevCertificateOptions): DevCertificateFiles {
  const openssl = options.openssl ?? 'openssl'
  const dir = options.dir
  const days = String(options.days ?? 825)
  mkdirSync(dir, { recursive: true })
  const run = (args: string[]): void => {
    try {
      execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? ''
      throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || (error as Error).message}`)
    }
  }
  const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  const ca = join(dir, 'ca.pem')
  const caKey = join(dir, 'ca.key')
  if (options.reuseCa !== true || !existsSync(ca) || !existsSync(caKey)) {
    run(['req', '-x509', '-new', ...keyArgs, '-keyout', caKey, '-out', ca, '-days', String(Math.max(Number(days), 1)),
      '-subj', `/O=samsa/CN=${options.caName ?? 'samsa development CA'}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  }
  const issue = (name: string, subject: string, extensions: string): { certificate: string, key: string, keystore: string } => {
    const key = join(dir, `${name}.key`)
    const certificate = join(dir, `${name}.pem`)
    const request = join(dir, `${name}.csr`)
    const extfile = join(dir, `${name}.ext`)
    writeFileSync(extfile, extensions)
    try {
      run(['req', '-new', ...keyArgs, '-keyout', key, '-out', request, '-subj', subject])
      run(['x509', '-req', '-in', request, '-CA', ca, '-CAkey', caKey, '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-days', days, '-out', certificate, '-extfile', extfile])
    } finally {
      rmSync(request, { force: true })
      rmSync(extfile, { force: true })
    }
    const keystore = join(dir, `${name}.keystore.pem`)
    writeFileSync(keystore, readFileSync(key, 'utf8') + readFileSync(certificate, 'utf8') + readFileSync(ca, 'utf8'), { mode: 0o600 })
    chmodSync(key, 0o600)
    return { certificate, key, keystore }
  }
  const hosts = options.hosts ?? ['localhost', '127.0.0.1']
  const altNames = hosts.map((host) => /^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`).join(',')
  const broker = options.broker === false ? { certificate: join(dir, 'broker.pem'), key: join(dir, 'broker.key'), keystore: join(dir, 'broker.keystore.pem') } : issue('broker', `/O=samsa/CN=${hosts[0] ?? 'localhost'}`, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${altNames}\n`)
  const clients: DevCertificateFiles['clients'] = {}
  for (const name of options.clients ?? []) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`client name "${name}" must be letters, digits, ".", "_" or "-"`)
    clients[name] = issue(`client-${name}`, `/O=samsa/OU=clients/CN=${name}`, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n')
  }
  chmodSync(caKey, 0o600)
  return { ca, caKey, brokerCertificate: broker.certificate, brokerKey: broker.key, brokerKeystore: broker.keystore, clients }
}
