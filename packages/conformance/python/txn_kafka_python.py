#!/usr/bin/env python3
"""kafka-python (Debian python3-kafka 2.0.2) view of partitions, for the transaction conformance tests. Reads one JSON
request on stdin ({bootstrap, partitions: [{topic, partition}], isolation_level?}), prints
{records: [{topic, partition, offset, value}]} after reading every partition up to its end offset. kafka-python 2.0.2
has no isolation_level setting (it reads uncommitted); it is passed only when the request names one."""
import json
import sys
import time

from kafka import KafkaConsumer, TopicPartition


def main():
    request = json.load(sys.stdin)
    extra = {'isolation_level': request['isolation_level']} if 'isolation_level' in request else {}
    consumer = KafkaConsumer(bootstrap_servers=request['bootstrap'], group_id=None, enable_auto_commit=False,
                             consumer_timeout_ms=500, **extra)
    partitions = [TopicPartition(p['topic'], p['partition']) for p in request['partitions']]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    ends = consumer.end_offsets(partitions)
    records = []
    deadline = time.time() + request.get('timeout_s', 20)
    while time.time() < deadline and any(consumer.position(tp) < ends[tp] for tp in partitions):
        for batch in consumer.poll(timeout_ms=200).values():
            for msg in batch:
                records.append({'topic': msg.topic, 'partition': msg.partition, 'offset': msg.offset, 'value': msg.value.decode()})
    consumer.close()
    sys.stdout.write(json.dumps({'records': records, 'ends': [ends[tp] for tp in partitions]}) + '\n')


if __name__ == '__main__':
    main()
