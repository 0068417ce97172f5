#!/usr/bin/env python3
"""Drives confluent-kafka-python (librdkafka) for the samsa conformance suite.

Reads one JSON request on stdin, prints one JSON result on stdout. Keys, values and header values travel as
base64 (null stays null) so the Node side can compare bytes exactly. The librdkafka in use is whichever the
dynamic loader finds: Debian's, or a newer one through LD_LIBRARY_PATH.

Operations: version, produce, consume, watermarks, offsets_for_times, metadata.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import confluent_kafka  # noqa: E402
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition  # noqa: E402

from confluent_common import op_version  # noqa: E402,F401 (an operation)
from driver_common import headers_in, operations_of, record_json, run_operations, unb64  # noqa: E402


def base_config(request):
    config = {'bootstrap.servers': request['bootstrap']}
    config.update(request.get('config', {}))
    return config


def op_produce(request):
    """Produces records in order; returns one delivery report per record, in input order."""
    errors = []
    config = base_config(request)
    config['error_cb'] = lambda err: errors.append(err.name())
    producer = Producer(config)
    reports = [None] * len(request['records'])

    def on_delivery(index):
        def report(err, msg):
            if err is not None:
                reports[index] = {'error': err.name(), 'code': err.code()}
            else:
                reports[index] = {'error': None, 'partition': msg.partition(), 'offset': msg.offset()}
        return report

    for index, record in enumerate(request['records']):
        kwargs = {'value': unb64(record.get('value')), 'key': unb64(record.get('key')), 'on_delivery': on_delivery(index)}
        if record.get('partition') is not None:
            kwargs['partition'] = record['partition']
        elif request.get('partition') is not None:
            kwargs['partition'] = request['partition']
        if record.get('timestamp') is not None:
            kwargs['timestamp'] = record['timestamp']
        if record.get('headers') is not None:
            kwargs['headers'] = headers_in(record['headers'])
        try:
            producer.produce(request['topic'], **kwargs)
        except KafkaException as exc:  # refused before it was queued (e.g. local size check)
            err = exc.args[0]
            reports[index] = {'error': err.name(), 'code': err.code(), 'local': True}
        except BufferError:
            producer.poll(0.1)
            producer.produce(request['topic'], **kwargs)
        producer.poll(0)
    remaining = producer.flush(request.get('timeout_s', 30))
    return {'reports': reports, 'undelivered': remaining, 'client_errors': errors}


def op_consume(request):
    """Assigns one partition at an offset (no subscription, no group work) and reads until end or count."""
    errors = []
    config = base_config(request)
    config.setdefault('group.id', 'samsa-conformance-unused')
    config.setdefault('enable.auto.commit', False)
    config.setdefault('enable.auto.offset.store', False)
    config.setdefault('fetch.wait.max.ms', 100)  # end-of-partition is noticed on an empty fetch: keep it short
    config['enable.partition.eof'] = True
    config['error_cb'] = lambda err: errors.append(err.name())
    consumer = Consumer(config)
    start = request.get('offset', 'beginning')
    offset = {'beginning': confluent_kafka.OFFSET_BEGINNING, 'end': confluent_kafka.OFFSET_END}.get(start, start)
    consumer.assign([TopicPartition(request['topic'], request.get('partition', 0), offset)])
    count = request.get('count')
    deadline = time.time() + request.get('timeout_s', 20)
    records = []
    reached_eof = False
    while time.time() < deadline:
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().code() == KafkaError._PARTITION_EOF:
                reached_eof = True
                if count is None or len(records) >= count:
                    break
                continue
            errors.append(msg.error().name())
            continue
        ts_type, ts = msg.timestamp()
        records.append(record_json(msg.partition(), msg.offset(), ts, ts_type, msg.key(), msg.value(), msg.headers()))
        if count is not None and len(records) >= count:
            break
    consumer.close()
    return {'records': records, 'reachedEof': reached_eof, 'client_errors': errors}


def op_watermarks(request):
    consumer = Consumer(dict(base_config(request), **{'group.id': 'samsa-conformance-unused'}))
    low, high = consumer.get_watermark_offsets(TopicPartition(request['topic'], request.get('partition', 0)),
                                               timeout=request.get('timeout_s', 10), cached=False)
    consumer.close()
    return {'low': low, 'high': high}


def op_offsets_for_times(request):
    consumer = Consumer(dict(base_config(request), **{'group.id': 'samsa-conformance-unused'}))
    partition = request.get('partition', 0)
    results = []
    for timestamp in request['timestamps']:
        found = consumer.offsets_for_times([TopicPartition(request['topic'], partition, timestamp)],
                                           timeout=request.get('timeout_s', 10))
        results.append({'timestamp': timestamp, 'offset': found[0].offset,
                        'error': None if found[0].error is None else found[0].error.name()})
    consumer.close()
    return {'results': results}


def op_metadata(request):
    producer = Producer(base_config(request))
    metadata = producer.list_topics(topic=request.get('topic'), timeout=request.get('timeout_s', 10))
    topics = {}
    for name, topic in metadata.topics.items():
        topics[name] = {
            'error': None if topic.error is None else topic.error.name(),
            'partitions': {str(pid): {'leader': p.leader, 'replicas': list(p.replicas), 'isrs': list(p.isrs),
                                      'error': None if p.error is None else p.error.name()}
                           for pid, p in topic.partitions.items()},
        }
    return {
        'brokers': [{'id': b.id, 'host': b.host, 'port': b.port} for b in metadata.brokers.values()],
        'controllerId': metadata.controller_id,
        'topics': topics,
    }


if __name__ == '__main__':
    run_operations(operations_of(globals()))
