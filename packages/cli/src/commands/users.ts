import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  CredentialStore, DEFAULT_SCRAM_ITERATIONS, SCRAM, SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, newCredential,
  saltedPasswordSync, scramMechanismOf, type ScramMechanism
} from '@samsa/broker'
import { AlterUserScramCredentialsApi, DescribeUserScramCredentialsApi, ErrorCode, errorName } from '@samsa/protocol'
import { clientSecurity, openAdminConnection, type AdminConnection } from './admin-connection.js'
import { usageError } from './usage.js'

const HELP = `usage: samsa users add <name> (--password <p> | --password-stdin) [--mechanism M]... [--iterations n] (--data-dir <dir> | --bootstrap <b>)
       samsa users list [<name>...] (--data-dir <dir> | --bootstrap <b>)
       samsa users remove <name> [--mechanism M]... (--data-dir <dir> | --bootstrap <b>)

SASL users of a broker. Credentials are stored salted (SCRAM: salt, iterations, StoredKey, ServerKey), never the
password; PLAIN logins are checked against the same credential.

  --data-dir <dir>        the data directory of a broker (stopped, or running: it rereads the file at the next login)
  --bootstrap <list>      a running broker, through AlterUserScramCredentials / DescribeUserScramCredentials
  --command-config <file> client security settings for --bootstrap (security.protocol, sasl.*, ssl.*)
  --mechanism <m>         SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN (= a SCRAM-SHA-512 credential); repeatable;
                          default: both SCRAM mechanisms (add), every mechanism of the user (remove)
  --iterations <n>        PBKDF2 iterations, ${SCRAM_MIN_ITERATIONS}-${SCRAM_MAX_ITERATIONS} (default ${DEFAULT_SCRAM_ITERATIONS})
  --password-stdin        read the password from standard input (keeps it out of the process list)`

interface Target { dataDir?: string, bootstrap?: string, commandConfig?: string }

export async function runUsers (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        password: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        mechanism: { type: 'string', multiple: true },
        iterations: { type: 'string' },
        'data-dir': { type: 'string' },
        bootstrap: { type: 'string' },
        'bootstrap-server': { type: 'string' },
        'command-config': { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    })
  } catch (error) {
    // Node appends a hint about "--" to unknown options when positionals are allowed; the first sentence says it all.
    return usage((error as Error).message.replace(/\. To specify a positional argument.*$/, ''))
  }
  const { values, positionals } = parsed
  if (values.help === true) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  const [action, ...names] = positionals
  const target: Target = { dataDir: values['data-dir'], bootstrap: values.bootstrap ?? values['bootstrap-server'], commandConfig: values['command-config'] }
  if ((target.dataDir === undefined) === (target.bootstrap === undefined)) return usage('give exactly one of --data-dir and --bootstrap')
  try {
    const mechanisms = (values.mechanism ?? []).flatMap((item) => item.split(',')).map((item) => item.trim().toUpperCase()).filter((item) => item !== '')
    const scram = [...new Set(mechanisms.map((mechanism): ScramMechanism => {
      if (mechanism === 'PLAIN') return 'SCRAM-SHA-512'
      if (mechanism === 'SCRAM-SHA-256' || mechanism === 'SCRAM-SHA-512') return mechanism
      throw new UsageError(`unknown mechanism ${mechanism} (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN)`)
    }))]
    switch (action) {
      case 'add': {
        if (names.length !== 1) return usage('users add takes one user name')
        const password = values['password-stdin'] === true ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : values.password
        if (password === undefined || password === '') return usage('give --password or --password-stdin')
        const iterations = values.iterations === undefined ? DEFAULT_SCRAM_ITERATIONS : Number(values.iterations)
        if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS) return usage(`--iterations must be an integer in [${SCRAM_MIN_ITERATIONS}, ${SCRAM_MAX_ITERATIONS}]`)
        return await addUser(target, names[0]!, password, scram.length > 0 ? scram : ['SCRAM-SHA-256', 'SCRAM-SHA-512'], iterations)
      }
      case 'list':
        return await listUsers(target, names)
      case 'remove':
      case 'delete':
        if (names.length !== 1) return usage('users remove takes one user name')
        return await removeUser(target, names[0]!, scram)
      default:
        return usage(action === undefined ? 'missing action (add, list, remove)' : `unknown action "${action}"`)
    }
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message)
    process.stderr.write(`samsa users: ${(error as Error).message}\n`)
    return 1
  }
}

class UsageError extends Error {}

const usage = (message: string): number => usageError('users', message)

async function addUser (target: Target, user: string, password: string, mechanisms: ScramMechanism[], iterations: number): Promise<number> {
  if (target.dataDir !== undefined) {
    const store = CredentialStore.open(resolve(target.dataDir))
    for (const mechanism of mechanisms) store.upsert(user, mechanism, newCredential(mechanism, password, iterations))
    store.save()
  } else {
    const upsertions = mechanisms.map((mechanism) => {
      const salt = randomBytes(24)
      return { name: user, mechanism: SCRAM[mechanism].code, iterations, salt, saltedPassword: saltedPasswordSync(mechanism, password, salt, iterations) }
    })
    const failed = await alter(target, { deletions: [], upsertions })
    if (failed !== null) return fail(failed)
  }
  process.stdout.write(`user ${user}: ${mechanisms.join(', ')} (${iterations} iterations)\n`)
  return 0
}

async function listUsers (target: Target, names: string[]): Promise<number> {
  let rows: Array<{ user: string, mechanisms: string }>
  if (target.dataDir !== undefined) {
    const store = CredentialStore.open(resolve(target.dataDir))
    const wanted = names.length > 0 ? names : store.list()
    rows = wanted.map((user) => ({ user, mechanisms: store.mechanisms(user).map((entry) => `${entry.mechanism} (${entry.iterations} iterations)`).join(', ') || '(no credentials)' }))
  } else {
    const response = await withConnection(target, (connection) => connection.request(DescribeUserScramCredentialsApi, 0, { users: names.length > 0 ? names.map((name) => ({ name })) : null }))
    if (response.errorCode !== ErrorCode.NONE) return fail(`${errorName(response.errorCode)}: ${response.errorMessage ?? ''}`)
    rows = response.results.map((result) => ({
      user: result.user,
      mechanisms: result.errorCode !== ErrorCode.NONE
        ? `(${errorName(result.errorCode)})`
        : result.credentialInfos.map((info) => `${scramMechanismOf(info.mechanism) ?? info.mechanism} (${info.iterations} iterations)`).join(', ')
    }))
  }
  for (const row of rows) process.stdout.write(`${row.user}\t${row.mechanisms}\n`)
  return 0
}

async function removeUser (target: Target, user: string, mechanisms: ScramMechanism[]): Promise<number> {
  if (target.dataDir !== undefined) {
    const store = CredentialStore.open(resolve(target.dataDir))
    const chosen = mechanisms.length > 0 ? mechanisms : store.mechanisms(user).map((entry) => entry.mechanism)
    const removed = chosen.filter((mechanism) => store.delete(user, mechanism))
    if (removed.length === 0) return fail(`user ${user} has no ${mechanisms.length > 0 ? mechanisms.join('/') + ' ' : ''}credential`)
    store.save()
    process.stdout.write(`user ${user}: removed ${removed.join(', ')}\n`)
    return 0
  }
  let chosen = mechanisms
  if (chosen.length === 0) {
    const described = await withConnection(target, (connection) => connection.request(DescribeUserScramCredentialsApi, 0, { users: [{ name: user }] }))
    const result = described.results[0]
    if (described.errorCode !== ErrorCode.NONE || result === undefined || result.errorCode !== ErrorCode.NONE) return fail(`user ${user}: ${errorName(result?.errorCode ?? described.errorCode)}`)
    chosen = result.credentialInfos.map((info) => scramMechanismOf(info.mechanism)).filter((mechanism): mechanism is ScramMechanism => mechanism !== undefined)
  }
  const failed = await alter(target, { deletions: chosen.map((mechanism) => ({ name: user, mechanism: SCRAM[mechanism].code })), upsertions: [] })
  if (failed !== null) return fail(failed)
  process.stdout.write(`user ${user}: removed ${chosen.join(', ')}\n`)
  return 0
}

async function alter (target: Target, body: Parameters<AdminConnection['request']>[2]): Promise<string | null> {
  const response = await withConnection(target, (connection) => connection.request(AlterUserScramCredentialsApi, 0, body as never))
  const failed = response.results.find((result) => result.errorCode !== ErrorCode.NONE)
  return failed === undefined ? null : `user ${failed.user}: ${errorName(failed.errorCode)}${failed.errorMessage !== null ? ` (${failed.errorMessage})` : ''}`
}

async function withConnection<T> (target: Target, use: (connection: AdminConnection) => Promise<T>): Promise<T> {
  const connection = await openAdminConnection(target.bootstrap!, clientSecurity(target.commandConfig))
  try {
    return await use(connection)
  } finally {
    connection.close()
  }
}

function fail (message: string): number {
  process.stderr.write(`samsa users: ${message}\n`)
  return 1
}
