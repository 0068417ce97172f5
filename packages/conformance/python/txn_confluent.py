#!/usr/bin/env python3
"""Transactions and idempotence with confluent-kafka-python (librdkafka) for the samsa conformance suite.

Reads one JSON request on stdin, prints one JSON result on stdout (values travel as UTF-8 text).

Operations:
  transactions  run a list of transactions with one transactional producer, each produced to any topics and
                then committed or aborted
  consume       assign() partitions (no group) and read to the end with a given isolation.level
  ctp           consume-transform-produce: read committed input with assign() at the group's committed offsets,
                write each record to every output topic and commit the input offsets in the same transaction
                (send_offsets_to_transaction); prints one progress line per committed transaction, so the test can
                kill it anywhere and start it again
  idempotent    an idempotent (non-transactional) producer sending records in order
"""
import json
import sys
import time

import confluent_kafka
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition


def base_config(request):
    config = {'bootstrap.servers': request['bootstrap']}
    config.update(request.get('config', {}))
    return config


def op_transactions(request):
    config = base_config(request)
    config['transactional.id'] = request['transactional_id']
    producer = Producer(config)
    started = time.time()
    producer.init_transactions(30)
    timings = {'init_ms': round((time.time() - started) * 1000)}
    results = []
    for txn in request['transactions']:
        producer.begin_transaction()
        for record in txn['records']:
            producer.produce(record['topic'], value=record['value'].encode(), partition=record.get('partition', 0))
        producer.flush(30)  # abort_transaction() would purge what is still queued: make the records reach the broker
        if txn['commit']:
            producer.commit_transaction(30)
        else:
            producer.abort_transaction(30)
        results.append('committed' if txn['commit'] else 'aborted')
    timings['total_ms'] = round((time.time() - started) * 1000)
    return {'results': results, 'libversion': confluent_kafka.libversion()[0], 'timings': timings}


def op_consume(request):
    config = base_config(request)
    config.setdefault('group.id', 'samsa-txn-unused')
    config.update({'enable.auto.commit': False, 'enable.partition.eof': True, 'fetch.wait.max.ms': 100})
    consumer = Consumer(config)
    partitions = [TopicPartition(p['topic'], p['partition'], confluent_kafka.OFFSET_BEGINNING) for p in request['partitions']]
    consumer.assign(partitions)
    pending = {(p.topic, p.partition) for p in partitions}
    records = []
    errors = []
    deadline = time.time() + request.get('timeout_s', 20)
    while pending and time.time() < deadline:
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().code() == KafkaError._PARTITION_EOF:
                pending.discard((msg.topic(), msg.partition()))
            else:
                errors.append(msg.error().name())
            continue
        records.append({'topic': msg.topic(), 'partition': msg.partition(), 'offset': msg.offset(), 'value': msg.value().decode()})
    consumer.close()
    return {'records': records, 'errors': errors, 'complete': not pending}


def op_ctp(request):
    group = request['group']
    source = request['input']
    outputs = request['outputs']
    consumer = Consumer(dict(base_config(request), **{
        'group.id': group, 'enable.auto.commit': False, 'isolation.level': 'read_committed',
        'auto.offset.reset': 'earliest', 'fetch.wait.max.ms': 100,
    }))
    producer = Producer(dict(base_config(request), **{'transactional.id': request['transactional_id'], 'transaction.timeout.ms': 10000}))
    producer.init_transactions(30)
    # assign() at the committed offsets (OFFSET_STORED); a restarted instance continues where the last commit left.
    consumer.assign([TopicPartition(source, p, confluent_kafka.OFFSET_STORED) for p in range(request['input_partitions'])])
    processed = request.get('already', 0)
    idle_since = time.time()
    while processed < request['target'] and time.time() - idle_since < request.get('idle_s', 20):
        messages = [m for m in consumer.consume(num_messages=request.get('batch', 20), timeout=0.5) if m.error() is None]
        if not messages:
            continue
        idle_since = time.time()
        producer.begin_transaction()
        for msg in messages:
            for output in outputs:
                producer.produce(output, key=msg.key(), value=b'out:' + msg.value(), partition=msg.partition())
        producer.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 30)
        producer.commit_transaction(30)
        processed += len(messages)
        sys.stdout.write(json.dumps({'progress': processed}) + '\n')
        sys.stdout.flush()
    committed = consumer.committed([TopicPartition(source, p) for p in range(request['input_partitions'])], timeout=10)
    consumer.close()
    return {'done': processed, 'committed': [tp.offset for tp in committed]}


def op_idempotent(request):
    config = base_config(request)
    config['enable.idempotence'] = True
    errors = []
    config['error_cb'] = lambda err: errors.append(err.name())
    producer = Producer(config)
    reports = []

    def report(err, msg):
        reports.append({'error': None if err is None else err.name(), 'offset': None if err is not None else msg.offset()})

    for value in request['values']:
        producer.produce(request['topic'], value=value.encode(), partition=request.get('partition', 0), on_delivery=report)
        producer.poll(0)
    remaining = producer.flush(60)
    return {'reports': reports, 'undelivered': remaining, 'client_errors': errors}


OPERATIONS = {'transactions': op_transactions, 'consume': op_consume, 'ctp': op_ctp, 'idempotent': op_idempotent}


def main():
    request = json.load(sys.stdin)
    try:
        result = OPERATIONS[request['op']](request)
    except KafkaException as exc:
        error = exc.args[0]
        result = {'exception': error.name() if hasattr(error, 'name') else str(error), 'message': str(error)}
    sys.stdout.write(json.dumps(result) + '\n')


if __name__ == '__main__':
    main()
