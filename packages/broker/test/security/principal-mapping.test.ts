import { test } from 'node:test'
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { BrokerConfigError, applyMappingRules, parseMappingRules, subjectDn } from '../../src/index.js'
import { devCertificates } from './secure-helpers.js'

test('ssl.principal.mapping.rules: Kafka rule syntax', () => {
  const dn = 'CN=Alice,OU=ServiceUsers,O=Example,C=US'
  assert.equal(applyMappingRules(parseMappingRules('DEFAULT'), dn), dn)
  assert.equal(applyMappingRules(parseMappingRules('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,DEFAULT'), dn), 'Alice')
  assert.equal(applyMappingRules(parseMappingRules('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L'), dn), 'alice')
  assert.equal(applyMappingRules(parseMappingRules('RULE:^CN=(.*?),OU=(.*?),O=(.*?),C=(.*?)$/$1@$2/U'), dn), 'ALICE@SERVICEUSERS')
  assert.equal(applyMappingRules(parseMappingRules('RULE:^CN=(.*?),OU=Other.*$/$1/, RULE:^CN=([^,]*).*$/u-$1/'), dn), 'u-Alice', 'first matching rule wins')
  assert.equal(applyMappingRules(parseMappingRules('RULE:^CN=(.*?),OU=Other.*$/$1/'), dn), null, 'no rule applies')
  assert.equal(applyMappingRules(parseMappingRules('RULE:^CN=([^,]*),.*$/svc\\/$1/'), dn), 'svc/Alice', 'escaped slash in the replacement')
  for (const bad of ['RULE:^CN=(.*$/x/', 'RULE:abc', 'NOPE', '']) assert.throws(() => parseMappingRules(bad), BrokerConfigError, bad)
})

test('certificate subjects in RFC 2253 order', () => {
  const certificate = new X509Certificate(readFileSync(devCertificates().clients.alice!.certificate))
  assert.equal(subjectDn(certificate), 'CN=alice,OU=clients,O=samsa')
})
