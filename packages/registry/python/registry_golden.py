#!/usr/bin/env python3
"""Golden-byte partner for packages/registry/test/serde/python-client.test.ts.

Uses Debian's confluent-kafka (SchemaRegistryClient, JSONSerializer, ProtobufSerializer) and python3-avro (AVRO
payloads, since confluent-kafka's AvroSerializer needs fastavro, which Debian does not package).

  registry_golden.py encode URL            -> JSON: ids and hex messages written by Python
  registry_golden.py decode URL JSON_INPUT -> JSON: values decoded by Python from our hex messages
"""
import io
import json
import struct
import sys

import avro.io
import avro.schema
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

AVRO_SCHEMA = json.dumps({"type": "record", "name": "Patient", "namespace": "samsa.py",
                          "fields": [{"name": "id", "type": "string"}, {"name": "age", "type": "int"}]})
JSON_SCHEMA = json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", "title": "Visit", "type": "object",
                          "properties": {"id": {"type": "string"}, "minutes": {"type": "integer"}}})
AVRO_VALUE = {"id": "p-1", "age": 42}
JSON_VALUE = {"id": "v-9", "minutes": 30}


def proto_classes():
    """Reading (index [0]) and Other (index [1]) in package samsa.py, built without protoc."""
    fdp = descriptor_pb2.FileDescriptorProto(name="samsa_py.proto", package="samsa.py", syntax="proto3")
    reading = fdp.message_type.add(name="Reading")
    reading.field.add(name="device", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                      label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    reading.field.add(name="value", number=2, type=descriptor_pb2.FieldDescriptorProto.TYPE_INT32,
                      label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    other = fdp.message_type.add(name="Other")
    other.field.add(name="note", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
                    label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    factory = message_factory.MessageFactory(pool)
    return (factory.GetPrototype(pool.FindMessageTypeByName("samsa.py.Reading")),
            factory.GetPrototype(pool.FindMessageTypeByName("samsa.py.Other")))


def encode(url):
    client = SchemaRegistryClient({"url": url})
    out = {}
    avro_id = client.register_schema("py-avro-value", Schema(AVRO_SCHEMA, "AVRO"))
    buf = io.BytesIO()
    avro.io.DatumWriter(avro.schema.parse(AVRO_SCHEMA)).write(AVRO_VALUE, avro.io.BinaryEncoder(buf))
    out["avro"] = {"id": avro_id, "hex": (b"\x00" + struct.pack(">I", avro_id) + buf.getvalue()).hex()}
    latest = client.get_latest_version("py-avro-value")
    out["avro_latest"] = {"id": latest.schema_id, "version": latest.version, "subject": latest.subject}
    out["avro_lookup"] = client.lookup_schema("py-avro-value", Schema(AVRO_SCHEMA, "AVRO")).schema_id
    out["subjects"] = client.get_subjects()
    out["compat_level_set"] = client.set_compatibility("py-avro-value", "FULL")
    out["compat_level"] = client.get_compatibility("py-avro-value")
    out["compatible"] = client.test_compatibility("py-avro-value", Schema(AVRO_SCHEMA, "AVRO"))

    json_ser = JSONSerializer(JSON_SCHEMA, client)
    out["json"] = {"hex": json_ser(JSON_VALUE, SerializationContext("py-json", MessageField.VALUE)).hex()}

    reading, other = proto_classes()
    proto_ser = ProtobufSerializer(reading, client)
    out["proto"] = {"hex": proto_ser(reading(device="d-7", value=120), SerializationContext("py-proto", MessageField.VALUE)).hex()}
    other_ser = ProtobufSerializer(other, client)
    out["proto_other"] = {"hex": other_ser(other(note="second"), SerializationContext("py-proto-other", MessageField.VALUE)).hex()}
    out["proto_schema"] = client.get_latest_version("py-proto-value").schema.schema_str
    print(json.dumps(out))


def decode(url, data):
    client = SchemaRegistryClient({"url": url})
    messages = json.loads(data)
    out = {}
    raw = bytes.fromhex(messages["avro"])
    schema = avro.schema.parse(client.get_schema(struct.unpack(">I", raw[1:5])[0]).schema_str)
    out["avro"] = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(raw[5:])))
    out["json"] = JSONDeserializer(JSON_SCHEMA)(bytes.fromhex(messages["json"]), SerializationContext("t", MessageField.VALUE))
    reading, _ = proto_classes()
    msg = ProtobufDeserializer(reading)(bytes.fromhex(messages["proto"]), SerializationContext("t", MessageField.VALUE))
    out["proto"] = {"device": msg.device, "value": msg.value}
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "encode":
        encode(sys.argv[2])
    else:
        decode(sys.argv[2], sys.argv[3])
