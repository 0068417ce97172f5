#!/usr/bin/env python3
"""A long-running consumer-group member on kafka-python, for the samsa group suite.

Same contract as group_confluent.py: one JSON argument {"bootstrap", "group", "topics", "config": {KafkaConsumer
keyword overrides}}, JSON-line events on stdout (ready, assigned, revoked, records, committed, error, closed),
"stop" on stdin commits and closes (LeaveGroup). Offsets are committed synchronously after every batch.
"""
import json
import sys
import threading
import time

from kafka import KafkaConsumer, ConsumerRebalanceListener
from kafka.errors import KafkaError


def now_ms():
    return int(time.time() * 1000)


def emit(event):
    event.setdefault('t', now_ms())
    sys.stdout.write(json.dumps(event) + '\n')
    sys.stdout.flush()


class Listener(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        emit({'e': 'revoked', 'p': sorted(tp.partition for tp in revoked)})

    def on_partitions_assigned(self, assigned):
        emit({'e': 'assigned', 'p': sorted(tp.partition for tp in assigned)})


def main():
    request = json.loads(sys.argv[1])
    stop = threading.Event()

    def read_stdin():
        for line in sys.stdin:
            if line.strip() == 'stop':
                break
        stop.set()

    threading.Thread(target=read_stdin, daemon=True).start()
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
