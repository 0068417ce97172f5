export { Broker } from './broker.js'
export { loadConfig, parseProperties, DEFAULT_CONFIG, CONFIG_KEYS, type BrokerConfig } from './config.js'
export { createLogger, silentLogger, type Logger } from './logger.js'
export { BrokerConfigError, StorageError, FrameTooLargeError } from './errors.js'
