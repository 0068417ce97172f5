#!/usr/bin/env python3
"""Drives confluent-kafka-python (librdkafka) for samsa's security conformance tests.

Reads one JSON request on stdin, prints one JSON result on stdout. `config` carries the client's security settings
(security.protocol, sasl.*, ssl.*). Errors come back as {"code": <Kafka error code>, "name": "..."}, never as
exceptions, so the Node side asserts the exact code. Operations:
  produce       {config, topic, values, transactional}: delivered count and errors
  consume       {config, topic, count, group, group_id}: values read from the beginning (subscribe when group is
                set, else assign with group.id group_id) and errors, stopping at count, the first error or the timeout
  create_topic  {config, topic}       delete_topic {config, topic}
  describe_broker_configs {config}: DescribeConfigs of the broker (DESCRIBE_CONFIGS on the cluster)
  produce_slowly {config, topic, count, interval}: one message every interval seconds (re-authentication)
  version
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import confluent_kafka  # noqa: E402
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

from confluent_common import op_version  # noqa: E402,F401 (an operation)
from driver_common import operations_of, run_operations  # noqa: E402

TIMEOUT = 15
_keep = []


def error_of(err):
    return {'code': err.code(), 'name': err.name()}


def client_config(request, **extra):
    config = {'bootstrap.servers': request['bootstrap'], 'socket.timeout.ms': 10000}
    config.update(request.get('config', {}))
    config.update(extra)
    return config


def op_produce(request):
    errors = []
    timeout = request.get('timeout', TIMEOUT)
    config = client_config(request, **{'message.timeout.ms': timeout * 1000})
    config['error_cb'] = lambda err: errors.append(error_of(err))  # client-level errors (authentication, ...)
    if request.get('transactional'):
        config['transactional.id'] = request['transactional']
    producer = Producer(config)
    if request.get('transactional'):
        try:
            producer.init_transactions(TIMEOUT)
            producer.begin_transaction()
        except KafkaException as exc:
            return {'delivered': 0, 'errors': [error_of(exc.args[0])]}
    delivered = []

    def report(err, _msg):
        if err is not None:
            errors.append(error_of(err))
        else:
            delivered.append(1)
    for value in request['values']:
        producer.produce(request['topic'], value=value.encode(), on_delivery=report)
    producer.flush(timeout)
    if request.get('transactional') and not errors:
        try:
            producer.commit_transaction(TIMEOUT)
        except KafkaException as exc:
            errors.append(error_of(exc.args[0]))
    return {'delivered': len(delivered), 'errors': errors}


def op_produce_slowly(request):
    """One message every `interval` seconds on one producer (one connection): spans several SASL session lifetimes."""
    errors, delivered = [], []
    producer = Producer(client_config(request, **{'message.timeout.ms': TIMEOUT * 1000}))

    def report(err, _msg):
        (errors.append(error_of(err)) if err is not None else delivered.append(1))
    for index in range(request['count']):
        producer.produce(request['topic'], value=('m%d' % index).encode(), on_delivery=report)
        producer.flush(TIMEOUT)
        time.sleep(request['interval'])
    return {'delivered': len(delivered), 'errors': errors}


def op_consume(request):
    group = request.get('group')
    # librdkafka looks up the coordinator of group.id even for assign(): it needs DESCRIBE on that group.
    errors = []
    consumer = Consumer(client_config(request, **{'group.id': group or request.get('group_id', 'alice-assign'), 'auto.offset.reset': 'earliest',
                                                  'enable.auto.commit': False, 'enable.partition.eof': True,
                                                  'error_cb': lambda err: errors.append(error_of(err))}))
    _keep.append(consumer)
    if group:
        consumer.subscribe([request['topic']])
    else:
        consumer.assign([TopicPartition(request['topic'], 0, confluent_kafka.OFFSET_BEGINNING)])
    values = []
    deadline = time.time() + request.get('timeout', TIMEOUT)
    while time.time() < deadline and len(values) < request.get('count', 1) and not errors:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                continue
            errors.append(error_of(msg.error()))
            break
        values.append(msg.value().decode())
    consumer.close()
    return {'values': values, 'errors': errors}


def admin(request):
    client = AdminClient(client_config(request))
    _keep.append(client)
    return client


def settle(future):
    try:
        future.result(timeout=TIMEOUT)
        return None
    except KafkaException as exc:
        return error_of(exc.args[0])


def op_create_topic(request):
    return {'error': settle(admin(request).create_topics([NewTopic(request['topic'], num_partitions=1, replication_factor=1)], operation_timeout=TIMEOUT)[request['topic']])}


def op_delete_topic(request):
    return {'error': settle(admin(request).delete_topics([request['topic']], operation_timeout=TIMEOUT)[request['topic']])}


def op_describe_broker_configs(request):
    """DescribeConfigs of the broker resource: needs DESCRIBE_CONFIGS on the cluster (1.7 has no ACL admin calls)."""
    from confluent_kafka.admin import ConfigResource
    futures = admin(request).describe_configs([ConfigResource('broker', '1')], request_timeout=TIMEOUT)
    try:
        configs = list(futures.values())[0].result(timeout=TIMEOUT)
        return {'error': None, 'count': len(configs)}
    except KafkaException as exc:
        return {'error': error_of(exc.args[0])}


if __name__ == '__main__':
    run_operations(operations_of(globals()))
