#!/usr/bin/env python3
"""Drives kafka-python (pure Python) for the samsa conformance suite.

Reads one JSON request on stdin, prints one JSON result on stdout; bytes travel as base64 (null stays null).
api_version is left to auto-detection (kafka-python 2.0.2 probes with ApiVersions and infers a broker version
from the advertised ranges); the detected tuple is returned so the suite can assert it.

Operations: produce, consume, offsets, metadata.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.client_async import KafkaClient  # noqa: E402
from kafka.errors import KafkaError  # noqa: E402
from kafka.protocol.metadata import MetadataRequest  # noqa: E402

from driver_common import headers_in, operations_of, record_json, run_operations, unb64  # noqa: E402


def error_info(exc):
    return {'error': type(exc).__name__, 'errno': getattr(exc, 'errno', None)}


def op_produce(request):
    config = {'bootstrap_servers': request['bootstrap'], 'retries': 0, 'linger_ms': 5}
    config.update(request.get('config', {}))
    producer = KafkaProducer(**config)
    futures = []
    reports = []
    for record in request['records']:
        kwargs = {'value': unb64(record.get('value')), 'key': unb64(record.get('key'))}
        partition = record.get('partition', request.get('partition'))
        if partition is not None:
            kwargs['partition'] = partition
        if record.get('timestamp') is not None:
            kwargs['timestamp_ms'] = record['timestamp']
        if record.get('headers') is not None:
            kwargs['headers'] = headers_in(record['headers'])
        try:
            futures.append(producer.send(request['topic'], **kwargs))
        except KafkaError as exc:  # refused before it was queued
            futures.append(dict(error_info(exc), local=True))
    for future in futures:
        if isinstance(future, dict):
            reports.append(future)
            continue
        try:
            meta = future.get(timeout=request.get('timeout_s', 30))
            reports.append({'error': None, 'partition': meta.partition, 'offset': meta.offset})
        except KafkaError as exc:
            reports.append(error_info(exc))
    api_version = producer.config['api_version']
    producer.close(timeout=10)
    return {'reports': reports, 'apiVersion': list(api_version)}


def op_consume(request):
    config = {'bootstrap_servers': request['bootstrap'], 'group_id': None, 'enable_auto_commit': False}
    config.update(request.get('config', {}))
    consumer = KafkaConsumer(**config)
    tp = TopicPartition(request['topic'], request.get('partition', 0))
    consumer.assign([tp])
    start = request.get('offset', 'beginning')
    if start == 'beginning':
        consumer.seek_to_beginning(tp)
    elif start == 'end':
        consumer.seek_to_end(tp)
    else:
        consumer.seek(tp, start)
    end = consumer.end_offsets([tp])[tp]
    count = request.get('count')
    deadline = time.time() + request.get('timeout_s', 20)
    records = []
    while time.time() < deadline:
        if count is None and consumer.position(tp) >= end:
            break
        if count is not None and len(records) >= count:
            break
        for batch in consumer.poll(timeout_ms=200).values():
            for msg in batch:
                records.append(record_json(msg.partition, msg.offset, msg.timestamp, msg.timestamp_type, msg.key, msg.value, msg.headers))
    if count is not None:
        records = records[:count]  # poll() hands out whole fetched batches
    api_version = consumer.config['api_version']
    consumer.close()
    return {'records': records, 'apiVersion': list(api_version)}


def op_offsets(request):
    consumer = KafkaConsumer(bootstrap_servers=request['bootstrap'], group_id=None, enable_auto_commit=False)
    tp = TopicPartition(request['topic'], request.get('partition', 0))
    result = {
        'beginning': consumer.beginning_offsets([tp])[tp],
        'end': consumer.end_offsets([tp])[tp],
        'byTimestamp': [],
    }
    for timestamp in request.get('timestamps', []):
        found = consumer.offsets_for_times({tp: timestamp})[tp]
        result['byTimestamp'].append({'timestamp': timestamp,
                                      'offset': None if found is None else found.offset,
                                      'foundTimestamp': None if found is None else found.timestamp})
    consumer.close()
    return result


def op_metadata(request):
    """A raw MetadataRequest through kafka-python's network client: shows the per-topic error codes that the
    high-level producer only turns into a timeout."""
    client = KafkaClient(bootstrap_servers=request['bootstrap'])
    deadline = time.time() + request.get('timeout_s', 10)
    node = client.least_loaded_node()
    while not client.ready(node):
        if time.time() > deadline:
            raise RuntimeError('broker not ready')
        client.poll(timeout_ms=100)
    future = client.send(node, MetadataRequest[1](request['topics']))
    client.poll(future=future, timeout_ms=10000)
    if future.failed():
        raise future.exception
    response = future.value
    client.close()
    return {'topics': [{'topic': topic, 'errorCode': error_code, 'partitions': len(partitions)}
                       for error_code, topic, _internal, partitions in response.topics]}


if __name__ == '__main__':
    run_operations(operations_of(globals()))
