#!/usr/bin/env python3
"""A long-running consumer-group member on kafka-python, for the samsa group suite.

Same contract as group_confluent.py: one JSON argument {"bootstrap", "group", "topics", "config": {KafkaConsumer
keyword overrides}}, JSON-line events on stdout (ready, assigned, revoked, records, committed, error, closed),
"stop" on stdin commits and closes (LeaveGroup). Offsets are committed synchronously after every batch.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kafka import KafkaConsumer, ConsumerRebalanceListener  # noqa: E402
from kafka.errors import KafkaError  # noqa: E402

from driver_common import emit, member_request, stop_event  # noqa: E402


class Listener(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        emit({'e': 'revoked', 'p': sorted(tp.partition for tp in revoked)})

    def on_partitions_assigned(self, assigned):
        emit({'e': 'assigned', 'p': sorted(tp.partition for tp in assigned)})


def main():
    request = member_request()
    stop = stop_event()
    config = {
        'bootstrap_servers': request['bootstrap'],
        'group_id': request['group'],
        'auto_offset_reset': 'earliest',
        'enable_auto_commit': False,
        'session_timeout_ms': 6000,
        'heartbeat_interval_ms': 100,
        'fetch_max_wait_ms': 100,
    }
    config.update(request.get('config', {}))
    consumer = KafkaConsumer(**config)
    consumer.subscribe(request['topics'], listener=Listener())
    emit({'e': 'ready', 'apiVersion': list(consumer.config['api_version'])})
    while not stop.is_set():
        polled = consumer.poll(timeout_ms=100)
        batch = [[message.partition, message.offset] for messages in polled.values() for message in messages]
        if batch:
            emit({'e': 'records', 'r': batch})
            try:
                consumer.commit()
                emit({'e': 'committed'})
            except KafkaError as exc:
                emit({'e': 'error', 'name': type(exc).__name__})
    consumer.close(autocommit=False)
    emit({'e': 'closed'})


if __name__ == '__main__':
    main()
