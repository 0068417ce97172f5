import { CONFIG_KEYS, kafkaDefaultOf, type BrokerConfig, type ConfigKind } from '../config.js'
import { TOPIC_CONFIGS, TOPIC_CONFIG_NAMES, topicConfigValue } from './topic-configs.js'

/**
 * Config entries as DescribeConfigs (and CreateTopics v5+) report them, following Kafka's rules:
 * - a topic override has source TOPIC_CONFIG; otherwise the source is that of the first broker synonym with a
 *   value (STATIC_BROKER_CONFIG when set in server.properties/env/flags, else DEFAULT_CONFIG);
 * - synonyms list the override first, then each broker synonym that has a value, static ones before defaults;
 * - topic configs are never read-only; broker configs are (samsa has no dynamic broker configs).
 */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6
} as const

export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, BROKER: 4, BROKER_LOGGER: 8 } as const

const CONFIG_TYPE_IDS: Record<ConfigKind, number> = { boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, class: 8, password: 9 }

export interface ConfigSynonym { name: string, value: string | null, source: number }

export interface DescribedConfig {
  name: string
  value: string | null
  readOnly: boolean
  source: number
  isSensitive: boolean
  synonyms: ConfigSynonym[]
  configType: number
  documentation: string
}

/** Only the names in `wanted` (null or empty = every config), in Kafka's order (sorted by name). */
function selected (all: readonly string[], wanted: readonly string[] | null): string[] {
  if (wanted === null || wanted.length === 0) return [...all]
  const set = new Set(wanted)
  return all.filter((name) => set.has(name))
}

/** Broker synonyms of a topic config that have a value: static ones first, then Kafka defaults. */
function brokerSynonyms (keys: readonly string[], config: BrokerConfig, fallbackDefault: string): ConfigSynonym[] {
  const staticOnes: ConfigSynonym[] = []
  const defaults: ConfigSynonym[] = []
  for (const key of keys) {
    const raw = config.staticKeys[key]
    if (raw !== undefined) staticOnes.push({ name: key, value: raw, source: ConfigSource.STATIC_BROKER_CONFIG })
    const known = CONFIG_KEYS[key] !== undefined
    const value = known ? kafkaDefaultOf(key) : (key === keys[0] ? fallbackDefault : null)
    if (value !== null) defaults.push({ name: key, value, source: ConfigSource.DEFAULT_CONFIG })
  }
  return [...staticOnes, ...defaults]
}

export function describeTopicConfigs (overrides: Readonly<Record<string, string>>, config: BrokerConfig, wanted: readonly string[] | null): DescribedConfig[] {
  return selected(TOPIC_CONFIG_NAMES, wanted).map((name) => {
    const spec = TOPIC_CONFIGS[name]!
    const value = topicConfigValue(name, overrides, config)
    const synonyms = brokerSynonyms(spec.synonyms, config, spec.fromBroker(config))
    if (overrides[name] !== undefined) synonyms.unshift({ name, value, source: ConfigSource.TOPIC_CONFIG })
    return {
      name,
      value,
      readOnly: false,
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: false,
      synonyms,
      configType: CONFIG_TYPE_IDS[spec.kind],
      documentation: `${spec.doc} (samsa: ${spec.enforcement})`
    }
  })
}

const BROKER_KEY_NAMES = Object.keys(CONFIG_KEYS).sort()

export function describeBrokerConfigs (config: BrokerConfig, wanted: readonly string[] | null): DescribedConfig[] {
  return selected(BROKER_KEY_NAMES, wanted).map((name) => {
    const spec = CONFIG_KEYS[name]!
    const sensitive = spec.kind === 'password' // never shown, as in Kafka (ssl.key.password, ...)
    const raw = sensitive ? undefined : config.staticKeys[name]
    const fallback = sensitive ? null : kafkaDefaultOf(name)
    const synonyms: ConfigSynonym[] = []
    if (raw !== undefined) synonyms.push({ name, value: raw, source: ConfigSource.STATIC_BROKER_CONFIG })
    if (fallback !== null) synonyms.push({ name, value: fallback, source: ConfigSource.DEFAULT_CONFIG })
    return {
      name,
      value: raw ?? fallback,
      readOnly: true,
      source: sensitive && config.staticKeys[name] !== undefined ? ConfigSource.STATIC_BROKER_CONFIG : synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: sensitive,
      synonyms,
      configType: CONFIG_TYPE_IDS[spec.kind],
      documentation: spec.doc
    }
  })
}
