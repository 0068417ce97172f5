"""Creates a topic through the Kafka CreateTopics API (used to give samsa the bench topic's partition count up front).

Usage: python3 create-topic.py <bootstrap> <topic> <partitions>
Exit 0 when created or it already exists, 1 otherwise (the message says why). Debian's python3-confluent-kafka lives
in /usr/bin/python3's dist-packages, not in a pyenv python: bench/run.mjs runs this with $SAMSA_PYTHON or /usr/bin/python3.
"""
import sys

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic


def main(bootstrap, topic, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 3})
    future = admin.create_topics([NewTopic(topic, int(partitions), 1)], request_timeout=10)[topic]
    try:
        future.result(timeout=15)
        print(f"created {topic} with {partitions} partitions")
    except KafkaException as error:
        if error.args[0].code() == KafkaError.TOPIC_ALREADY_EXISTS:
            print(f"{topic} already exists")
            return 0
        print(f"CreateTopics failed: {error}")
        return 1
    except Exception as error:  # timeouts and the like: the caller falls back to auto-creation
        print(f"CreateTopics failed: {error!r}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
