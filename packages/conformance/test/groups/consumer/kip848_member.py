#!/usr/bin/env python3
"""A consumer-group member on confluent-kafka-python with group.protocol=consumer (KIP-848), for samsa's suite.

Run with a librdkafka that speaks the consumer protocol (2.10+; LD_LIBRARY_PATH=.build/librdkafka/lib). One JSON
argument: {"bootstrap", "group", "topics", "config": {librdkafka overrides}, "instance_id": optional}. Consumes until
a line "stop" arrives on stdin, then commits and closes (leaving the group).

Events, one JSON line each on stdout, with a wall-clock time in ms ("t"):
  {"e": "ready"}
  {"e": "assigned"|"revoked"|"lost", "p": [partitions]}   incremental, from the rebalance callbacks
  {"e": "records", "r": [[partition, offset], ...]}
  {"e": "committed"} / {"e": "commit-failed", "name": error}
  {"e": "error", "name": ...}
  {"e": "closed"}
Offsets are committed synchronously after every batch; a failed commit is retried until it succeeds.
"""
import os
import sys
import time

# The shared driver modules live in the package's python/ directory.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'python'))

from confluent_kafka import Consumer, KafkaError, KafkaException  # noqa: E402

from confluent_common import consume_batch, member_config, subscribe_reporting  # noqa: E402
from driver_common import emit, member_request, stop_event  # noqa: E402


def main():
    request = member_request()
    stop = stop_event()
    consumer = Consumer(member_config(request, {
        'group.protocol': 'consumer',
        'auto.offset.reset': 'earliest',
        'enable.auto.commit': False,
        'fetch.wait.max.ms': 100,
    }))
    subscribe_reporting(consumer, request['topics'])
    emit({'e': 'ready'})
    dirty = False

    def commit():
        try:
            consumer.commit(asynchronous=False)
            emit({'e': 'committed'})
            return False
        except KafkaException as exc:
            error = exc.args[0]
            if error.code() == KafkaError._NO_OFFSET:
                return False
            emit({'e': 'commit-failed', 'name': error.name()})
            return True

    while not stop.is_set():
        batch = consume_batch(consumer)
        if batch:
            emit({'e': 'records', 'r': batch})
        if batch or dirty:
            dirty = commit()
    for _ in range(20):
        if not commit():
            break
        time.sleep(0.1)
    consumer.close()
    emit({'e': 'closed'})


if __name__ == '__main__':
    main()
