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
import json
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException


def emit(event):
    event.setdefault('t', int(time.time() * 1000))
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
        'group.protocol': 'consumer',
        'auto.offset.reset': 'earliest',
        'enable.auto.commit': False,
        'fetch.wait.max.ms': 100,
        'error_cb': lambda err: emit({'e': 'error', 'name': err.name()}),
    }
    if request.get('instance_id'):
        config['group.instance.id'] = request['instance_id']
    config.update(request.get('config', {}))
    consumer = Consumer(config)

    consumer.subscribe(
        request['topics'],
        on_assign=lambda _c, ps: emit({'e': 'assigned', 'p': sorted(p.partition for p in ps)}),
        on_revoke=lambda _c, ps: emit({'e': 'revoked', 'p': sorted(p.partition for p in ps)}),
        on_lost=lambda _c, ps: emit({'e': 'lost', 'p': sorted(p.partition for p in ps)}))
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
        messages = consumer.consume(num_messages=500, timeout=0.1)
        batch = []
        for message in messages:
            if message.error() is not None:
                if message.error().code() != KafkaError._PARTITION_EOF:
                    emit({'e': 'error', 'name': message.error().name()})
                continue
            batch.append([message.partition(), message.offset()])
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
