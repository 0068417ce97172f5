#!/usr/bin/env python3
"""Drives kafka-python's KafkaAdminClient (pure Python, 2.0.2) for samsa's topic-administration tests.

Reads one JSON request on stdin, prints one JSON result on stdout. KafkaAdminClient returns raw protocol responses;
they are flattened to JSON here (error codes as numbers, so the Node side asserts Kafka's exact codes). Operations:
  create_topics     {topics: [{name, partitions, replication, config}], validate_only}
  delete_topics     {topics: [names]}
  create_partitions {topics: [{name, total}], validate_only}
  describe_configs  {resources: [{type: topic|broker, name, keys?}], include_synonyms}
  alter_configs     {resources: [{type, name, config}]}
  api_versions      the versions kafka-python chose for the admin requests above
Create/delete topics and create partitions go through the admin client's request builders but are sent directly,
because KafkaAdminClient raises on the first topic error and drops the other results.
kafka-python 2.0.2 has no DeleteRecords, IncrementalAlterConfigs or DescribeLogDirs.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions, NewTopic  # noqa: E402
from kafka.protocol.admin import AlterConfigsRequest, CreatePartitionsRequest, CreateTopicsRequest, DeleteTopicsRequest, DescribeConfigsRequest  # noqa: E402

from driver_common import operations_of, run_operations  # noqa: E402


def to_controller(client, request):
    """KafkaAdminClient raises on the first topic error and drops the response; the tests want every result."""
    future = client._send_request_to_node(client._controller_id, request)
    client._wait_for_futures([future])
    return future.value


def admin(request):
    return KafkaAdminClient(bootstrap_servers=request['bootstrap'], client_id='samsa-admin-kafka-python', request_timeout_ms=30000)


def op_create_topics(request):
    client = admin(request)
    try:
        topics = [NewTopic(t['name'], t.get('partitions', 1), t.get('replication', 1), topic_configs=t.get('config', {})) for t in request['topics']]
        version = client._matching_api_version(CreateTopicsRequest)
        response = to_controller(client, CreateTopicsRequest[version](create_topic_requests=[client._convert_new_topic_request(t) for t in topics],
                                                                      timeout=30000, validate_only=request.get('validate_only', False)))
        return {'version': response.API_VERSION, 'topics': [{'name': e[0], 'code': e[1], 'message': e[2] if len(e) > 2 else None} for e in response.topic_errors]}
    finally:
        client.close()


def op_delete_topics(request):
    client = admin(request)
    try:
        version = client._matching_api_version(DeleteTopicsRequest)
        response = to_controller(client, DeleteTopicsRequest[version](topics=request['topics'], timeout=30000))
        return {'version': response.API_VERSION, 'topics': [{'name': e[0], 'code': e[1]} for e in response.topic_error_codes]}
    finally:
        client.close()


def op_create_partitions(request):
    client = admin(request)
    try:
        wanted = {t['name']: NewPartitions(t['total']) for t in request['topics']}
        version = client._matching_api_version(CreatePartitionsRequest)
        response = to_controller(client, CreatePartitionsRequest[version](topic_partitions=[client._convert_create_partitions_request(name, parts) for name, parts in wanted.items()],
                                                                          timeout=30000, validate_only=request.get('validate_only', False)))
        return {'version': response.API_VERSION, 'topics': [{'name': e[0], 'code': e[1], 'message': e[2]} for e in response.topic_errors]}
    finally:
        client.close()


def resource(spec, configs):
    kind = ConfigResourceType.TOPIC if spec['type'] == 'topic' else ConfigResourceType.BROKER
    return ConfigResource(kind, spec['name'], configs=configs)


def op_describe_configs(request):
    client = admin(request)
    try:
        resources = [resource(spec, {key: None for key in spec['keys']} if spec.get('keys') else None) for spec in request['resources']]
        responses = client.describe_configs(resources, include_synonyms=request.get('include_synonyms', False))
        out = []
        for response in responses:
            for entry in response.resources:
                error_code, error_message, resource_type, resource_name, config_entries = entry
                configs = {}
                for config in config_entries:
                    if response.API_VERSION == 0:
                        name, value, read_only, is_default, sensitive = config
                        configs[name] = {'value': value, 'read_only': read_only, 'default': is_default, 'sensitive': sensitive}
                    else:
                        name, value, read_only, source, sensitive, synonyms = config
                        configs[name] = {'value': value, 'read_only': read_only, 'source': source, 'sensitive': sensitive,
                                         'synonyms': [{'name': s[0], 'value': s[1], 'source': s[2]} for s in synonyms]}
                out.append({'version': response.API_VERSION, 'code': error_code, 'message': error_message, 'type': resource_type, 'name': resource_name, 'configs': configs})
        return out
    finally:
        client.close()


def op_alter_configs(request):
    client = admin(request)
    try:
        response = client.alter_configs([resource(spec, spec['config']) for spec in request['resources']])
        return {'version': response.API_VERSION, 'resources': [{'code': e[0], 'message': e[1], 'type': e[2], 'name': e[3]} for e in response.resources]}
    finally:
        client.close()


def op_api_versions(request):
    client = admin(request)
    try:
        return {name: client._matching_api_version(api) for name, api in [('CreateTopics', CreateTopicsRequest), ('DeleteTopics', DeleteTopicsRequest),
                                                                          ('CreatePartitions', CreatePartitionsRequest), ('DescribeConfigs', DescribeConfigsRequest),
                                                                          ('AlterConfigs', AlterConfigsRequest)]}
    finally:
        client.close()


if __name__ == '__main__':
    run_operations(operations_of(globals()))
