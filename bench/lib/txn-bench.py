"""Transactional producer throughput with confluent-kafka-python (librdkafka), for bench/transactions.mjs.

Usage: python3 txn-bench.py <bootstrap> <topic> <partitions> <transactions> <records-per-transaction>
Prints one JSON line: {transactions, records, ms, libversion}. Each transaction produces its records round-robin over
the topic's partitions (explicit partition numbers) and commits; ten warm-up transactions are not timed.
"""
import json
import sys
import time

import confluent_kafka
from confluent_kafka import Producer


def main(bootstrap, topic, partitions, transactions, per_txn):
    producer = Producer({'bootstrap.servers': bootstrap, 'transactional.id': f'bench-{topic}', 'linger.ms': 5, 'log_level': 3})
    producer.init_transactions(30)
    value = b'x' * 99

    def one(n):
        producer.begin_transaction()
        for i in range(per_txn):
            producer.produce(topic, value=value, partition=(n * per_txn + i) % partitions)
        producer.commit_transaction(30)

    for n in range(10):
        one(n)
    started = time.perf_counter()
    for n in range(transactions):
        one(n)
    ms = (time.perf_counter() - started) * 1000
    print(json.dumps({'transactions': transactions, 'records': transactions * per_txn, 'ms': ms, 'libversion': confluent_kafka.libversion()[0]}))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
