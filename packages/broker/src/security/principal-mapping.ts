import type { X509Certificate } from 'node:crypto'
import { BrokerConfigError } from '../errors.js'

/**
 * The principal of a client certificate, as Kafka derives it: the subject's distinguished name in RFC 2253 form
 * ("CN=alice,OU=eng,O=samsa") passed through `ssl.principal.mapping.rules`, a comma-separated list of
 *   RULE:<pattern>/<replacement>/[L|U]   the first rule whose pattern matches the whole DN rewrites it
 *                                        ($1.. are groups); L or U lower- or upper-cases the result
 *   DEFAULT                              the DN unchanged
 * A DN no rule matches is refused (Kafka: "No rules apply"). The result is the name of principal "User:<name>".
 */
export type MappingRule = { kind: 'default' } | { kind: 'rule', pattern: RegExp, replacement: string, caseChange: '' | 'L' | 'U' }

export function parseMappingRules (raw: string): MappingRule[] {
  const rules: MappingRule[] = []
  let at = 0
  const text = raw.trim()
  while (at < text.length) {
    while (at < text.length && /[\s,]/.test(text[at]!)) at++
    if (at >= text.length) break
    if (text.startsWith('DEFAULT', at)) {
      rules.push({ kind: 'default' })
      at += 'DEFAULT'.length
      continue
    }
    if (!text.startsWith('RULE:', at)) throw invalid(raw, `unexpected text at "${text.slice(at)}"`)
    at += 'RULE:'.length
    const pattern = readPart(text, at)
    const replacement = readPart(text, pattern.end + 1)
    if (pattern.end >= text.length || replacement.end >= text.length) throw invalid(raw, 'a RULE needs pattern/replacement/')
    at = replacement.end + 1
    let caseChange: '' | 'L' | 'U' = ''
    if (text[at] === 'L' || text[at] === 'U') caseChange = text[at++] as 'L' | 'U'
    if (at < text.length && text[at] !== ',') throw invalid(raw, `unexpected text after a rule: "${text.slice(at)}"`)
    let regex: RegExp
    try {
      regex = new RegExp(`^(?:${pattern.value})$`)
    } catch (error) {
      throw invalid(raw, (error as Error).message)
    }
    rules.push({ kind: 'rule', pattern: regex, replacement: replacement.value, caseChange })
  }
  if (rules.length === 0) throw invalid(raw, 'no rule')
  return rules
}

/** Reads up to the next unescaped "/"; "\/" stands for "/". */
function readPart (text: string, from: number): { value: string, end: number } {
  let value = ''
  let at = from
  while (at < text.length && text[at] !== '/') {
    if (text[at] === '\\' && text[at + 1] === '/') {
      value += '/'
      at += 2
    } else {
      value += text[at++]
    }
  }
  return { value, end: at }
}

const invalid = (raw: string, why: string): BrokerConfigError => new BrokerConfigError(`invalid value "${raw}" for ssl.principal.mapping.rules: ${why}`)

/** The mapped name, or null when no rule applies. */
export function applyMappingRules (rules: readonly MappingRule[], dn: string): string | null {
  for (const rule of rules) {
    if (rule.kind === 'default') return dn
    if (!rule.pattern.test(dn)) continue
    const mapped = dn.replace(new RegExp(rule.pattern.source, 'g'), rule.replacement)
    return rule.caseChange === 'L' ? mapped.toLowerCase() : rule.caseChange === 'U' ? mapped.toUpperCase() : mapped
  }
  return null
}

/**
 * RFC 2253 form of a certificate subject: RDNs in reverse order of the certificate (most specific first), joined
 * by ",". Node prints the subject one RDN per line in certificate order.
 */
export function subjectDn (certificate: X509Certificate): string {
  return certificate.subject.split('\n').filter((line) => line !== '').reverse().map(escapeRdn).join(',')
}

/** Escapes the characters RFC 2253 reserves inside an attribute value (Node prints them raw). */
function escapeRdn (rdn: string): string {
  return rdn.split('+').map((part) => {
    const equals = part.indexOf('=')
    if (equals < 0) return part
    const value = part.slice(equals + 1)
      .replace(/([,+"\\<>;])/g, '\\$1')
      .replace(/^([ #])/, '\\$1')
      .replace(/ $/, '\\ ')
    return `${part.slice(0, equals)}=${value}`
  }).join('+')
}
