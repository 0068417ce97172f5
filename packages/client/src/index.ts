export { KafkaManager, KafkaClusters, type KafkaManagerOptions } from './manager.js'
export { KafkaProducer, type ProducerOptions, type TypedProducer, type Compression, type OutgoingRecord } from './producer/producer.js'
export { KafkaConsumer } from './consumer/consumer.js'
export { parseMessageValue, type ConsumerOptions, type TypedConsumer } from './consumer/options.js'
export type { Ordering } from './consumer/dispatcher.js'
export type { TopicPartition } from './consumer/fetcher.js'
export type { ConsumedRecord } from './consumer/records.js'
export type { ProcessorEvents } from './consumer/processor.js'
export * from './types.js'
export {
  optionsFromEnv, resolveClientOptions, retryDelay, toBaseOptions, DEFAULT_RETRY, DEVELOPMENT_BROKERS,
  type KafkaClientOptions, type ResolvedClientOptions, type RetryOptions, type SaslOptions, type NodeEnv
} from './config.js'
export { SamsaClientError, CircuitOpenError, ValidationError, CLIENT_ERROR_CODES, type ClientErrorCode } from './errors.js'
export {
  murmur2, toPositive, javaKeyPartition, javaCompatiblePartitioner, roundRobinPartitioner, timeWindowPartitioner,
  type Partitioner, type PartitionRequest, type JavaCompatibleOptions, type TimeWindowOptions
} from './partitioners/index.js'
export {
  topic, defineTopics, topicMap, TopicDescriptor, TopicRegistry, jsonCodec, SCHEMA_VERSION_HEADER,
  type Validator, type Codec, type MessageOf, type TopicMapOf, type AnyTopicDescriptor
} from './topics.js'
export {
  ERROR_CATEGORIES, CategorizedError, SchemaValidationError, BusinessRuleError, TransientError, SystemError,
  classify, defaultClassifier, errorClassName, type ErrorCategory, type KnownErrorCategory, type ErrorClassifier, type ClassifyContext
} from './retry/categories.js'
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './retry/backoff.js'
export { resolveRetryPolicy, type RetryPolicy, type RetryPolicyOptions } from './retry/policy.js'
export { DLT_HEADERS, RETRY_HEADERS, HEALTHCARE_HEADERS, readNumber, bigIntegerBytes } from './retry/headers.js'
export { retryTopicName, deadLetterTopicName, parseRetryTopic, isDeadLetterTopic } from './retry/topics.js'
export type { Recovery } from './retry/recoverer.js'
export { DeadLetterQueue, toDeadLetter, REPLAYED_FROM_HEADER, type DeadLetter, type DeadLetterFilter, type ListOptions } from './dlq.js'
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.js'
export { kafkaMetrics, metricsHandler, startMetricsServer, type KafkaMetrics } from './observability/metrics.js'
export { KafkaTracing, traceparentOf, parseTraceparent, TRACER_NAME } from './observability/tracing.js'
export { installShutdownHandlers, type ShutdownOptions, type Disconnectable } from './lifecycle.js'
export type { HealthStatus } from './health.js'
export { silentLogger, consoleLogger, type Logger, type ObservabilityOptions } from './services.js'
export { readTopic, type ReadOptions } from './internal/read.js'
export { TransactionalPipeline, transactionalPipeline, type PipelineOptions, type PipelineRecord, type PipelineOutput } from './eos.js'
