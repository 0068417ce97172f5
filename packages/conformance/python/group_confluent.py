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
import json
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException


def now_ms():
    return int(time.time() * 1000)


def emit(event):
    event.setdefault('t', now_ms())
    sys.stdout.write(json.dumps(event) + '\n')
    sys.stdout.flush()


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
        'bootstrap.servers': request['bootstrap'],
        'group.id': request['group'],
        'auto.offset.reset': 'earliest',
        'enable.auto.commit': False,
        'session.timeout.ms': 6000,
        'heartbeat.interval.ms': 100,
        'fetch.wait.max.ms': 100,
        'error_cb': lambda err: emit({'e': 'error', 'name': err.name()}),
    }
    if request.get('instance_id'):
        config['group.instance.id'] = request['instance_id']
    config.update(request.get('config', {}))
    consumer = Consumer(config)

    def on_assign(_consumer, partitions):
        emit({'e': 'assigned', 'p': sorted(p.partition for p in partitions)})

    def on_revoke(_consumer, partitions):
        emit({'e': 'revoked', 'p': sorted(p.partition for p in partitions)})

    def on_lost(_consumer, partitions):
        emit({'e': 'lost', 'p': sorted(p.partition for p in partitions)})

    consumer.subscribe(request['topics'], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
    emit({'e': 'ready'})
    while not stop.is_set():
        messages = consumer.consume(num_messages=500, timeout=0.1)
        batch = []
        for message in messages:
            if message.error() is not None:
                if message.error().code() != KafkaError._PARTITION_EOF:
                    emit({'e': 'error', 'name': message.error().name()})
                continue
            batch.append([message.partition(), message.offset()])
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
