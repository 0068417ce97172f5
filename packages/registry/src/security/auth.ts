/**
 * HTTP basic auth with roles, users from a JSON file:
 *   {"users": [{"username": "ops", "password": "scrypt$<salt b64>$<hash b64>", "roles": ["ADMIN"]}]}
 * Passwords are stored as scrypt hashes (node:crypto; `hashPassword` or `samsa registry hash-password` make them)
 * and compared in constant time. Roles: ADMIN may do everything; DEVELOPER may read, register, check compatibility
 * and set a subject's compatibility; READONLY may read (lookups and compatibility checks included).
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Permission } from '../http/router.js'

export const ROLES = ['ADMIN', 'DEVELOPER', 'READONLY'] as const
export type Role = typeof ROLES[number]

const ALLOWED: Record<Role, Permission[]> = {
  ADMIN: ['read', 'register', 'admin'],
  DEVELOPER: ['read', 'register'],
  READONLY: ['read']
}

export interface User { username: string, password: string, roles: Role[] }

const KEY_LENGTH = 32

export function hashPassword (password: string, salt = randomBytes(16)): string {
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, KEY_LENGTH).toString('base64')}`
}

function verifyPassword (password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length)
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

export class UserStore {
  private readonly users = new Map<string, User>()

  constructor (users: User[]) {
    for (const user of users) {
      if (typeof user.username !== 'string' || typeof user.password !== 'string' || !Array.isArray(user.roles)) throw new Error('each user needs username, password (scrypt hash) and roles')
      for (const role of user.roles) if (!(ROLES as readonly string[]).includes(role)) throw new Error(`user ${user.username}: unknown role ${role} (known: ${ROLES.join(', ')})`)
      if (!user.password.startsWith('scrypt$')) throw new Error(`user ${user.username}: the password must be an scrypt hash (see samsa registry hash-password)`)
      this.users.set(user.username, user)
    }
  }

  static fromFile (path: string): UserStore {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { users?: User[] }
    return new UserStore(parsed.users ?? [])
  }

  /** The user's roles for an `Authorization` header, or undefined when the credentials are missing or wrong. */
  authenticate (header: string | undefined): { username: string, roles: Role[] } | undefined {
    if (header === undefined || !header.startsWith('Basic ')) return undefined
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) return undefined
    const user = this.users.get(decoded.slice(0, colon))
    if (user === undefined || !verifyPassword(decoded.slice(colon + 1), user.password)) return undefined
    return { username: user.username, roles: user.roles }
  }
}

export function permits (roles: Role[], permission: Permission): boolean {
  return roles.some((role) => ALLOWED[role].includes(permission))
}
