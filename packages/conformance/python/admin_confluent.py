#!/usr/bin/env python3
"""Drives confluent-kafka-python's AdminClient (librdkafka) for samsa's topic-administration conformance tests.

Reads one JSON request on stdin, prints one JSON result on stdout. Errors come back as
{"code": <Kafka error code>, "name": "...", "message": "..."} per topic/resource, never as exceptions, so the
Node side asserts the exact error. Operations:
  create_topics     {topics: [{name, partitions, replication, config}], validate_only}
  delete_topics     {topics: [names]}
  create_partitions {topics: [{name, total}], validate_only}
  describe_configs  {resources: [{type: topic|broker, name}]}
  alter_configs     {resources: [{type, name, config}], validate_only}
  list_offsets      {topic, partitions, timestamps: [ms]}: watermarks and offsets_for_times per partition
  metadata          {topics}: partitions and replicas as list_topics reports them
  version
confluent-kafka-python 1.7 (Debian) has no incremental_alter_configs, delete_records or list_offsets in its
AdminClient; list_offsets therefore uses a Consumer (ListOffsets through get_watermark_offsets/offsets_for_times).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from confluent_kafka import Consumer, KafkaException, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic  # noqa: E402

from confluent_common import op_version  # noqa: E402,F401 (an operation)
from driver_common import operations_of, run_operations  # noqa: E402

TIMEOUT = 30


_clients = []


def admin(request):
    """An AdminClient kept alive for the whole run: librdkafka fails pending futures of a collected handle."""
    config = {'bootstrap.servers': request['bootstrap'], 'client.id': 'samsa-admin-confluent', 'socket.timeout.ms': 10000}
    config.update(request.get('config', {}))
    client = AdminClient(config)
    _clients.append(client)
    return client


def error_of(exc):
    err = exc.args[0] if exc.args else None
    if hasattr(err, 'code'):
        return {'code': err.code(), 'name': err.name(), 'message': err.str()}
    return {'code': None, 'name': type(exc).__name__, 'message': str(exc)}


def settle(futures):
    out = {}
    for key, future in futures.items():
        try:
            value = future.result(timeout=TIMEOUT)
            out[key] = {'error': None, 'value': value}
        except KafkaException as exc:
            out[key] = {'error': error_of(exc), 'value': None}
    return out


def op_create_topics(request):
    topics = [NewTopic(t['name'], num_partitions=t.get('partitions', 1), replication_factor=t.get('replication', 1),
                       config=t.get('config', {})) for t in request['topics']]
    futures = admin(request).create_topics(topics, operation_timeout=TIMEOUT, validate_only=request.get('validate_only', False))
    return {name: result['error'] for name, result in settle(futures).items()}


def op_delete_topics(request):
    futures = admin(request).delete_topics(request['topics'], operation_timeout=TIMEOUT)
    return {name: result['error'] for name, result in settle(futures).items()}


def op_create_partitions(request):
    parts = [NewPartitions(t['name'], t['total']) for t in request['topics']]
    futures = admin(request).create_partitions(parts, operation_timeout=TIMEOUT, validate_only=request.get('validate_only', False))
    return {name: result['error'] for name, result in settle(futures).items()}


def resource(spec):
    kind = ConfigResource.Type.TOPIC if spec['type'] == 'topic' else ConfigResource.Type.BROKER
    return ConfigResource(kind, spec['name'], set_config=spec.get('config'))


def entry_json(entry):
    return {
        'value': entry.value,
        'source': int(entry.source),
        'read_only': bool(entry.is_read_only),
        'default': bool(entry.is_default),
        'sensitive': bool(entry.is_sensitive),
        'synonyms': [{'name': s.name, 'value': s.value, 'source': int(s.source)} for s in entry.synonyms.values()],
    }


def op_describe_configs(request):
    resources = [resource(spec) for spec in request['resources']]
    futures = admin(request).describe_configs(resources, request_timeout=TIMEOUT)
    out = {}
    for res, result in zip(resources, [futures[r] for r in resources]):
        try:
            configs = result.result(timeout=TIMEOUT)
            out[res.name] = {'error': None, 'configs': {name: entry_json(entry) for name, entry in configs.items()}}
        except KafkaException as exc:
            out[res.name] = {'error': error_of(exc), 'configs': None}
    return out


def op_alter_configs(request):
    resources = [resource(spec) for spec in request['resources']]
    futures = admin(request).alter_configs(resources, request_timeout=TIMEOUT, validate_only=request.get('validate_only', False))
    out = {}
    for res in resources:
        try:
            futures[res].result(timeout=TIMEOUT)
            out[res.name] = None
        except KafkaException as exc:
            out[res.name] = error_of(exc)
    return out


def op_list_offsets(request):
    consumer = Consumer({'bootstrap.servers': request['bootstrap'], 'client.id': 'samsa-admin-confluent', 'group.id': 'samsa-admin-unused', 'enable.auto.commit': False})
    try:
        out = []
        for partition in range(request['partitions']):
            low, high = consumer.get_watermark_offsets(TopicPartition(request['topic'], partition), timeout=TIMEOUT)
            by_time = []
            for ts in request.get('timestamps', []):
                found = consumer.offsets_for_times([TopicPartition(request['topic'], partition, ts)], timeout=TIMEOUT)[0]
                by_time.append(found.offset)
            out.append({'partition': partition, 'low': low, 'high': high, 'by_time': by_time})
        return out
    finally:
        consumer.close()


def op_metadata(request):
    md = admin(request).list_topics(timeout=TIMEOUT)
    out = {}
    for name in request['topics']:
        topic = md.topics.get(name)
        if topic is None:
            out[name] = None
            continue
        out[name] = {
            'error': topic.error.name() if topic.error is not None else None,
            'partitions': {str(p.id): {'leader': p.leader, 'replicas': list(p.replicas), 'isrs': list(p.isrs)} for p in topic.partitions.values()},
        }
    return out


if __name__ == '__main__':
    run_operations(operations_of(globals()))
