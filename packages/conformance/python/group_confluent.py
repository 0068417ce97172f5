#!/usr/bin/env python3
"""A long-running consumer-group member on confluent-kafka-python (librdkafka), for the samsa group suite.

Started with one JSON argument: {"bootstrap", "group", "topics", "config": {librdkafka overrides},
"instance_id": optional static membership id}. Subscribes and consumes until a line "stop" arrives on stdin,
then commits synchronously and closes (which leaves the group; a static member does not leave).

Every event is one JSON line on stdout, with a wall-clock time in ms:
  {"e": "ready", "member": ...}            subscribed
  {"e": "assigned"|"revoked"|"lost", "p": [partitions], "t": ms}
  {"e": "records", "r": [[partition, offset], ...], "t": ms}
  {"e": "committed", "t": ms}
  {"e": "error", "name": ...}
  {"e": "closed", "t": ms}
Offsets are committed synchronously after every batch, so what was reported consumed is committed.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from confluent_kafka import Consumer, KafkaException  # noqa: E402

from confluent_common import consume_batch, member_config, subscribe_reporting  # noqa: E402
from driver_common import emit, member_request, stop_event  # noqa: E402


def main():
    request = member_request()
    stop = stop_event()
    consumer = Consumer(member_config(request, {
        'auto.offset.reset': 'earliest',
        'enable.auto.commit': False,
        'session.timeout.ms': 6000,
        'heartbeat.interval.ms': 100,
        'fetch.wait.max.ms': 100,
    }))
    subscribe_reporting(consumer, request['topics'])
    emit({'e': 'ready'})
    while not stop.is_set():
        batch = consume_batch(consumer)
        if batch:
            try:
                consumer.commit(asynchronous=False)
                emit({'e': 'records', 'r': batch})
                emit({'e': 'committed'})
            except KafkaException as exc:
                # A commit refused by a rebalance: the records will be delivered again to the next owner.
                emit({'e': 'records', 'r': batch})
                emit({'e': 'error', 'name': exc.args[0].name()})
    consumer.close()
    emit({'e': 'closed'})


if __name__ == '__main__':
    main()
