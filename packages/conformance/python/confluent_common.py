"""Pieces the confluent-kafka-python (librdkafka) drivers share; see driver_common.py for the client-neutral ones."""
import confluent_kafka
from confluent_kafka import KafkaError

from driver_common import emit


def op_version(_request):
    return {'version': confluent_kafka.version()[0], 'libversion': confluent_kafka.libversion()[0]}


def member_config(request, settings):
    """A group member's consumer configuration: the request's bootstrap, group and static instance id around the
    driver's own settings, then the request's librdkafka overrides; client errors are emitted as events."""
    config = {'bootstrap.servers': request['bootstrap'], 'group.id': request['group']}
    config.update(settings)
    config['error_cb'] = lambda err: emit({'e': 'error', 'name': err.name()})
    if request.get('instance_id'):
        config['group.instance.id'] = request['instance_id']
    config.update(request.get('config', {}))
    return config


def subscribe_reporting(consumer, topics):
    """Subscribes with rebalance callbacks that emit assigned / revoked / lost with the sorted partitions."""
    def reporter(kind):
        return lambda _consumer, partitions: emit({'e': kind, 'p': sorted(p.partition for p in partitions)})
    consumer.subscribe(topics, on_assign=reporter('assigned'), on_revoke=reporter('revoked'), on_lost=reporter('lost'))


def consume_batch(consumer):
    """One consume() round as [[partition, offset], ...]; errors other than end-of-partition are emitted."""
    batch = []
    for message in consumer.consume(num_messages=500, timeout=0.1):
        if message.error() is not None:
            if message.error().code() != KafkaError._PARTITION_EOF:
                emit({'e': 'error', 'name': message.error().name()})
            continue
        batch.append([message.partition(), message.offset()])
    return batch
