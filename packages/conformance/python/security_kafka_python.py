#!/usr/bin/env python3
"""Drives kafka-python (2.0.2, Debian) for samsa's security conformance tests.

kafka-python authenticates with SaslHandshake v0 and raw SASL tokens (no SaslAuthenticate), the oldest SASL
framing a broker must still accept. Reads one JSON request on stdin, prints one JSON result on stdout; `config`
holds kafka-python's own option names (security_protocol, sasl_mechanism, sasl_plain_username, ssl_cafile, ...).
Errors come back as {"code": errno, "name": class name}. Operations:
  produce      {config, topic, values}            consume {config, topic, count, group}
  create_topic {config, topic}                    version
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kafka  # noqa: E402
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import NewTopic  # noqa: E402
from kafka.errors import KafkaError  # noqa: E402

from driver_common import operations_of, run_operations  # noqa: E402

TIMEOUT_MS = 15000


def error_of(exc):
    return {'code': getattr(exc, 'errno', None), 'name': type(exc).__name__, 'message': str(exc)}


def settings(request):
    config = {'bootstrap_servers': request['bootstrap'], 'request_timeout_ms': TIMEOUT_MS, 'api_version_auto_timeout_ms': 10000}
    config.update(request.get('config', {}))
    return config


def op_version(_request):
    return {'version': kafka.__version__}


def op_produce(request):
    producer = None
    try:
        producer = KafkaProducer(**settings(request), max_block_ms=TIMEOUT_MS, retries=0)
        for value in request['values']:
            producer.send(request['topic'], value.encode()).get(timeout=TIMEOUT_MS / 1000)
        return {'delivered': len(request['values']), 'error': None}
    except KafkaError as exc:
        return {'delivered': 0, 'error': error_of(exc)}
    finally:
        if producer is not None:
            producer.close(timeout=5)


def op_consume(request):
    group = request.get('group')
    consumer = None
    try:
        consumer = KafkaConsumer(**settings(request), group_id=group, auto_offset_reset='earliest', enable_auto_commit=False,
                                 consumer_timeout_ms=request.get('timeout_ms', 8000))
        if group:
            consumer.subscribe([request['topic']])
        else:
            partition = TopicPartition(request['topic'], 0)
            consumer.assign([partition])
            consumer.seek_to_beginning(partition)
        values = []
        for message in consumer:
            values.append(message.value.decode())
            if len(values) >= request.get('count', 1):
                break
        return {'values': values, 'error': None}
    except KafkaError as exc:
        return {'values': [], 'error': error_of(exc)}
    finally:
        if consumer is not None:
            consumer.close()


def op_create_topic(request):
    client = None
    try:
        client = KafkaAdminClient(**settings(request))
        response = client.create_topics([NewTopic(request['topic'], 1, 1)], timeout_ms=TIMEOUT_MS)
        errors = [e for e in getattr(response, 'topic_errors', []) if e[1] != 0]
        return {'error': None if not errors else {'code': errors[0][1], 'name': str(errors[0][2])}}
    except KafkaError as exc:
        return {'error': error_of(exc)}
    finally:
        if client is not None:
            client.close()


if __name__ == '__main__':
    run_operations(operations_of(globals()))
